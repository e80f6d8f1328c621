#!/usr/bin/env bash
# Prometheus without Docker: Debian's `prometheus` package (2.42, with promtool), run as a plain
# process on 127.0.0.1 with a config from the repo, data in .local/data/<name>. See
# deploy/grafana/README.md ("Without Docker") and deploy/prometheus/.
#
#   deploy/local/prometheus.sh install      apt-get install prometheus when missing (nothing else)
#   deploy/local/prometheus.sh start        scrape the services of `npm run services` (prometheus.local.yml)
#   deploy/local/prometheus.sh stop | status
#   deploy/local/prometheus.sh check        promtool: both configs, the rule files, the rule unit tests
#   deploy/local/prometheus.sh promtool ... promtool itself
set -euo pipefail

# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

PROMETHEUS_DIR="$REPO_ROOT/deploy/prometheus"
NAME=prometheus
CONFIG="$PROMETHEUS_DIR/prometheus.local.yml"
PORT="${PROMETHEUS_PORT:-9090}"
FRESH=0

usage() {
  cat <<EOF
usage: deploy/local/prometheus.sh <command> [options]

  install           install Debian's prometheus package (prometheus + promtool) if missing
  start             start Prometheus on 127.0.0.1 (installs it first when missing); no-op if running
  stop              stop it (SIGTERM, then SIGKILL after 30 s)
  status            up/down with a /-/ready probe; exit 1 if down
  check             promtool check config (deploy/prometheus/prometheus.yml, prometheus.local.yml, or
                    --config), check rules (deploy/prometheus/rules/*.yml), test rules (deploy/prometheus/tests/*.yml)
  promtool ARGS...  run promtool

options (start, stop, status, check):
  --config FILE     configuration (default: deploy/prometheus/prometheus.local.yml, the local ports)
  --port N          listen on 127.0.0.1:N (default: PROMETHEUS_PORT or 9090)
  --name NAME       instance name: pid .local/run/NAME.pid, data .local/data/NAME, log .local/logs/NAME.log
                    (default: prometheus); lets a test run its own instance beside yours
  --fresh           start with an empty data directory
EOF
}

prometheus_installed() { command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; }

cmd_install() {
  if prometheus_installed; then
    info "prometheus: installed ($(prometheus --version 2>&1 | head -n 1))"
    return 0
  fi
  # --no-install-recommends (in apt_install): no node exporter.
  apt_install prometheus
  prometheus_installed || die "prometheus: the package installed, but prometheus/promtool are not on PATH ($PATH)"
  # Where packages start their services on install, the package started the system Prometheus on
  # 0.0.0.0:9090: stop and disable it (this script runs its own on 127.0.0.1 with the repo's config).
  local pid
  for pid in $(pgrep -x prometheus 2>/dev/null || true); do
    if [[ "$(proc_cmdline "$pid")" != *"--storage.tsdb.path=$DATA_DIR/"* ]]; then
      info "prometheus: the Debian package started the system service (pid $pid); stopping and disabling it"
      stop_system_service prometheus
      pid_alive "$pid" && stop_pid prometheus "$pid" 10
    fi
  done
  info "prometheus: installed ($(prometheus --version 2>&1 | head -n 1))"
}

data_dir() { printf '%s/%s\n' "$DATA_DIR" "$NAME"; }

# is_ours PID: a prometheus process writing to this instance's data directory.
is_ours() {
  local cmd
  cmd="$(proc_cmdline "$1")"
  [[ "$cmd" == *prometheus* && "$cmd" == *"--storage.tsdb.path=$(data_dir) "* ]]
}

# running_pid: the instance's pid ('' if not running); drops a stale pid file.
running_pid() {
  local pid
  pid="$(read_pid "$NAME")"
  if [[ -n "$pid" ]] && pid_alive "$pid" && is_ours "$pid"; then
    printf '%s\n' "$pid"
    return 0
  fi
  rm -f "$(pid_file "$NAME")"
}

ready() { curl -fsS -m 2 "http://127.0.0.1:$1/-/ready" >/dev/null 2>&1; }

cmd_start() {
  local pid port log i
  cmd_install
  [[ -f "$CONFIG" ]] || die "prometheus: no configuration at $CONFIG"
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    port="$(running_port "$NAME" "$PORT")"
    info "$NAME: already running (pid $pid, http://127.0.0.1:$port); to load an edited config: curl -X POST http://127.0.0.1:$port/-/reload"
    return 0
  fi
  require_port_free "$NAME" "$PORT" PROMETHEUS_PORT || exit 1
  ensure_state_dirs
  ((FRESH == 0)) || rm -rf "$(data_dir)"
  mkdir -p "$(data_dir)"
  log="$LOG_DIR/$NAME.log"
  info "$NAME: starting on 127.0.0.1:$PORT (config $CONFIG, data $(data_dir), log $log)"
  # Loopback only; no stdio inherited, so a caller that reads our output is not held open.
  setsid prometheus \
    --config.file="$CONFIG" \
    --storage.tsdb.path="$(data_dir)" \
    --storage.tsdb.retention.time="${PROMETHEUS_RETENTION:-7d}" \
    --web.listen-address="127.0.0.1:$PORT" \
    --web.enable-lifecycle \
    </dev/null >>"$log" 2>&1 &
  pid=$!
  printf '%s\n' "$pid" >"$(pid_file "$NAME")"
  for ((i = 0; i < ${PROMETHEUS_START_TIMEOUT:-60} * 5; i++)); do
    if ready "$PORT"; then
      record_port "$NAME" "$PORT"
      info "$NAME: up (pid $pid, http://127.0.0.1:$PORT)"
      return 0
    fi
    if ! pid_alive "$pid"; then
      tail -n 20 "$log" >&2
      rm -f "$(pid_file "$NAME")"
      die "$NAME: prometheus exited during start-up (log above: $log). A config error? deploy/local/prometheus.sh check --config $CONFIG"
    fi
    sleep 0.2
  done
  tail -n 20 "$log" >&2
  die "$NAME: not ready after ${PROMETHEUS_START_TIMEOUT:-60}s (pid $pid left running; log $log)"
}

cmd_stop() {
  local pid
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    info "$NAME: not running"
    forget_port "$NAME"
    return 0
  fi
  stop_pid "$NAME" "$pid" 30
  rm -f "$(pid_file "$NAME")"
  forget_port "$NAME"
  info "$NAME: stopped"
}

cmd_status() {
  local pid port
  pid="$(running_pid)"
  port="$(running_port "$NAME" "$PORT" 2>/dev/null)"
  if [[ -n "$pid" ]] && ready "$port"; then
    status_line "$NAME" up "$port" "$pid" "http://127.0.0.1:$port"
    return 0
  fi
  status_line "$NAME" down "$port" "${pid:--}" "${pid:+not ready}"
  return 1
}

cmd_check() {
  local -a configs rules tests
  prometheus_installed || die "promtool not found. fix: deploy/local/prometheus.sh install"
  if [[ "$CONFIG_GIVEN" == 1 ]]; then configs=("$CONFIG"); else configs=("$PROMETHEUS_DIR/prometheus.yml" "$PROMETHEUS_DIR/prometheus.local.yml"); fi
  rules=("$PROMETHEUS_DIR"/rules/*.yml)
  tests=("$PROMETHEUS_DIR"/tests/*.yml)
  # check config also checks the rule files each config names.
  promtool check config "${configs[@]}"
  promtool check rules "${rules[@]}"
  [[ -e "${tests[0]}" ]] && (cd "$PROMETHEUS_DIR/tests" && promtool test rules "${tests[@]##*/}")
  return 0
}

command="${1:-}"
[[ -n "$command" ]] || {
  usage >&2
  exit 2
}
shift
if [[ "$command" == promtool ]]; then
  prometheus_installed || die "promtool not found. fix: deploy/local/prometheus.sh install"
  exec promtool "$@"
fi
CONFIG_GIVEN=0
while (($# > 0)); do
  case "$1" in
  --config)
    CONFIG="$(cd "$(dirname "${2:?--config needs a file}")" && pwd)/$(basename "$2")"
    CONFIG_GIVEN=1
    shift 2
    ;;
  --port)
    PORT="${2:?--port needs a number}"
    shift 2
    ;;
  --name)
    NAME="${2:?--name needs a name}"
    [[ "$NAME" =~ ^[a-z0-9][a-z0-9_-]*$ ]] || die "--name: use lower-case letters, digits, - and _"
    shift 2
    ;;
  --fresh)
    FRESH=1
    shift
    ;;
  -h | --help)
    usage
    exit 0
    ;;
  *) die "unknown option: $1 (see deploy/local/prometheus.sh --help)" ;;
  esac
done

case "$command" in
install) cmd_install ;;
start | up) cmd_start ;;
stop | down) cmd_stop ;;
status) cmd_status ;;
check) cmd_check ;;
-h | --help | help) usage ;;
*)
  usage >&2
  exit 2
  ;;
esac
