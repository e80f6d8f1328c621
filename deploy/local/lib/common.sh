# shellcheck shell=bash
# Shared helpers for deploy/local/*.sh: paths, messages, pid files, port checks, preflight checks.
# Sourced, never executed. Callers run with `set -euo pipefail`.

LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$LOCAL_DIR/../.." && pwd)"
# STACK_DIR moves all state (data, logs, pids, config) elsewhere, so a second stack (on other
# ports) can run beside the one in <repo>/.local; the jars in <repo>/.cache are shared.
STATE_DIR="${STACK_DIR:-$REPO_ROOT/.local}"
[[ "$STATE_DIR" == /* ]] || STATE_DIR="$PWD/$STATE_DIR"
STACK_DIR="$STATE_DIR"
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
RUN_DIR="$STATE_DIR/run"
CONF_DIR="$STATE_DIR/conf"
CACHE_DIR="$REPO_ROOT/.cache"
export LOCAL_DIR REPO_ROOT STACK_DIR STATE_DIR DATA_DIR LOG_DIR RUN_DIR CONF_DIR CACHE_DIR

# Ports (env.sh builds the client URLs from the same variables).
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
POSTGRES_PORT="${POSTGRES_PORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
SCHEMA_REGISTRY_PORT="${SCHEMA_REGISTRY_PORT:-8081}"
export KAFKA_PORT KAFKA_CONTROLLER_PORT POSTGRES_PORT REDIS_PORT SCHEMA_REGISTRY_PORT

info() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
# err prints; die prints and exits. Messages should name the cause and the fix.
err() { printf 'error: %s\n' "$*" >&2; }
die() {
  err "$@"
  exit 1
}

# status_line NAME up|down PORT PID DETAIL: one aligned line of `stack.sh status`.
status_line() {
  printf '%-9s %-5s port %-6s pid %-8s %s\n' "$1" "$2" "$3" "$4" "$5"
}

ensure_state_dirs() {
  mkdir -p "$DATA_DIR" "$LOG_DIR" "$RUN_DIR" "$CONF_DIR"
}

# --- pid files -------------------------------------------------------------------------------

pid_file() { printf '%s/%s.pid\n' "$RUN_DIR" "$1"; }

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

read_pid() {
  local file
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 0
  head -n1 "$file" | tr -cd '0-9'
}

# proc_cmdline PID: the command line with spaces between arguments ('' if gone).
proc_cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true; }

# stop_pid NAME PID TIMEOUT: SIGTERM, wait up to TIMEOUT seconds, then SIGKILL.
stop_pid() {
  local name="$1" pid="$2" timeout="$3" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while pid_alive "$pid"; do
    if ((waited >= timeout * 5)); then
      warn "$name: pid $pid did not stop within ${timeout}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
}

# Each started component records its port in .local/run/<name>.port, so `status` and `up` talk to
# the port it really runs on even when the environment now asks for another one.
record_port() { printf '%s\n' "$2" >"$RUN_DIR/$1.port"; }
forget_port() { rm -f "$RUN_DIR/$1.port"; }

# running_port NAME REQUESTED: the recorded port (else REQUESTED), with a warning when they differ.
running_port() {
  local f="$RUN_DIR/$1.port" p=''
  [[ -f "$f" ]] && p="$(tr -cd '0-9' <"$f")"
  p="${p:-$2}"
  if [[ "$p" != "$2" ]]; then
    warn "$1 runs on port $p, not on the requested $2 (to move it: deploy/local/stack.sh down $1, then up $1)"
  fi
  printf '%s\n' "$p"
}

# --- ports -------------------------------------------------------------------------------------

# port_listeners PORT: the `ss` lines of TCP sockets listening on PORT (any address), '' if none.
port_listeners() {
  ss -Hltnp "sport = :$1" 2>/dev/null || true
}

# port_pids PORT: pids of processes listening on PORT, one a line.
port_pids() {
  port_listeners "$1" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true
}

# require_port_free NAME PORT VAR: fail with the owner and the fix if PORT is taken.
require_port_free() {
  local name="$1" port="$2" var="$3" who
  who="$(port_listeners "$port")"
  [[ -z "$who" ]] && return 0
  err "$name: port $port is already in use by another process:"
  printf '  %s\n' "$who" >&2
  printf '  fix: stop that process (see the pid above), or use another port for every command,\n' >&2
  printf '       e.g.  export %s=%s; %s up\n' "$var" "$((port + 10000))" "deploy/local/stack.sh" >&2
  return 1
}

# wait_port PORT TIMEOUT: wait until something listens on 127.0.0.1:PORT.
wait_port() {
  local port="$1" timeout="$2" i
  for ((i = 0; i < timeout * 5; i++)); do
    [[ -n "$(port_listeners "$port")" ]] && return 0
    sleep 0.2
  done
  return 1
}

# --- preflight ---------------------------------------------------------------------------------

# check_disk: at least STACK_MIN_FREE_MB (default 1024) MiB free where the state lives.
check_disk() {
  local min_mb="${STACK_MIN_FREE_MB:-1024}" avail_kb
  avail_kb="$(df -Pk "$REPO_ROOT" | awk 'NR == 2 { print $4 }')"
  if [[ -n "$avail_kb" ]] && ((avail_kb / 1024 < min_mb)); then
    die "only $((avail_kb / 1024)) MiB free on the disk holding $REPO_ROOT (need ${min_mb} MiB for data, logs and jars).
  fix: free some space (e.g. 'deploy/local/stack.sh down && rm -rf $STATE_DIR' drops all local data),
       or lower the bar with STACK_MIN_FREE_MB=<MiB> if you know it is enough."
  fi
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# apt_install PKG...: install Debian packages non-interactively (root, or sudo when available).
APT_UPDATED=0
apt_install() {
  local -a sudo=()
  if ! is_root; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      die "need the Debian packages: $* (not installed), and this is not root.
  fix: run as root, or install them first: apt-get install -y $*"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "need the packages: $*; apt-get not found (not Debian/Ubuntu?). fix: install them with your package manager."
  info "installing Debian packages: $* (apt-get, non-interactive; log: $LOG_DIR/apt.log)"
  ensure_state_dirs
  if ((APT_UPDATED == 0)); then
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >>"$LOG_DIR/apt.log" 2>&1; then
      tail -n 15 "$LOG_DIR/apt.log" >&2
      die "apt-get update failed (output above, full log: $LOG_DIR/apt.log).
  fix: check the network/proxy and /etc/apt/sources.list*, or install by hand: apt-get install -y $*"
    fi
    APT_UPDATED=1
  fi
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >>"$LOG_DIR/apt.log" 2>&1; then
    tail -n 15 "$LOG_DIR/apt.log" >&2
    die "apt-get install $* failed (output above, full log: $LOG_DIR/apt.log).
  fix: check the message above (network, dpkg lock held by another apt, disk), then retry or install by hand."
  fi
}

# stop_system_service NAME: stop (and keep from auto-starting) a distro service that a package
# install started on a port this stack needs. Only called right after this script installed it.
stop_system_service() {
  local svc="$1"
  if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
    systemctl stop "$svc" >/dev/null 2>&1 || true
    systemctl disable "$svc" >/dev/null 2>&1 || true
  elif command -v service >/dev/null 2>&1; then
    service "$svc" stop >/dev/null 2>&1 || true
    command -v update-rc.d >/dev/null 2>&1 && { update-rc.d "$svc" disable >/dev/null 2>&1 || true; }
  fi
}

# Lock so that two `up`/`down` runs (e.g. parallel test jobs) do not race each other.
take_lock() {
  ensure_state_dirs
  exec 9>"$RUN_DIR/stack.lock"
  flock -w 300 9 || die "another stack.sh up/down has held $RUN_DIR/stack.lock for 5 minutes; is one stuck?"
}
