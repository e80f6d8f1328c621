#!/usr/bin/env bash
# The platform's services as background processes on this machine: start | stop | status.
# Each service runs under its own supervisor (scripts/supervise.sh) that starts it again when it
# exits, with backoff (1 s, 2 s, 4 s … 30 s; back to 1 s after 60 s up), and appends to its log
# a line saying so. Logs: .local/logs/svc-<name>.log (appended, never truncated); pids:
# .local/run/svc-<name>.pid (the supervisor), .child (the service), .restarts (how many restarts).
# Needs a build and the stack. Secrets for this machine (gateway JWT secret, webhook signing
# secret) are generated once into .local/secrets.env; replace them there, or set the variables.
# For a second set beside a running one (the tests): SERVICES_ONLY="name …" picks services,
# SERVICES_STATE=<dir> holds logs/ and run/ instead of .local, METRICS_PORT_OFFSET=<n> moves the
# metrics ports (the gateway's port is GATEWAY_PORT).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ALL_SERVICES=(projections triage research solution quality escalation approvals notifier analytics gateway)
read -r -a SERVICES <<<"${SERVICES_ONLY:-${ALL_SERVICES[*]}}"
# Each service's /metrics port on this machine (deploy/METRICS.md); the gateway serves /metrics on its API port 8080.
declare -A METRICS_PORTS=(
  [triage]=9401 [research]=9402 [solution]=9403 [quality]=9404 [escalation]=9405
  [approvals]=9406 [projections]=9407 [notifier]=9408 [analytics]=9409
)
STATE="${SERVICES_STATE:-.local}"
LOGS="$STATE/logs" RUN="$STATE/run"
# A stop waits this long for the supervisor (it gives the service 30 s after SIGTERM).
STOP_TIMEOUT="${SERVICES_STOP_TIMEOUT:-40}"
mkdir -p "$LOGS" "$RUN" .local

local_secrets() {
  local file=.local/secrets.env
  if [[ ! -f "$file" ]]; then
    umask 077
    {
      echo "GATEWAY_JWT_SECRET=$(head -c 36 /dev/urandom | base64 | tr -d '/+=')"
      echo "GATEWAY_JWT_ISSUER=supportstream-local"
      echo "GATEWAY_JWT_AUDIENCE=supportstream-api"
      echo "NOTIFIER_WEBHOOK_SECRET=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
    } > "$file"
  fi
  # Variables already set in the environment win over the file.
  local name value
  while IFS='=' read -r name value; do
    [[ -n "$name" && -z "${!name:-}" ]] && export "$name=$value"
  done < "$file"
  return 0
}

log_of() { printf '%s/svc-%s.log\n' "$LOGS" "$1"; }
read_file() { if [[ -f "$1" ]]; then tr -cd '0-9' <"$1"; fi; }
supervisor_of() { read_file "$RUN/svc-$1.pid"; }
child_of() { read_file "$RUN/svc-$1.child"; }
restarts_of() { local n; n="$(read_file "$RUN/svc-$1.restarts")"; printf '%s\n' "${n:-0}"; }
# The pid is alive and is this service's supervisor (not a recycled pid).
is_supervisor() { [[ -n "$2" ]] && kill -0 "$2" 2>/dev/null && tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null | grep -q "supervise.sh $1 "; }
supervised() { is_supervisor "$1" "$(supervisor_of "$1")"; }
child_alive() { local pid; pid="$(child_of "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }
size_of() { if [[ -f "$1" ]]; then stat -c %s "$1"; else echo 0; fi; }

start() {
  # shellcheck source=../deploy/local/env.sh
  source deploy/local/env.sh
  local_secrets
  local -A offsets=()
  local name log port
  for name in "${SERVICES[@]}"; do
    log="$(log_of "$name")"
    if supervised "$name"; then echo "$name: already running (supervisor $(supervisor_of "$name"), restarts $(restarts_of "$name"))"; continue; fi
    [[ -f "services/$name/dist/main.js" ]] || { echo "error: services/$name is not built; run npm run build" >&2; exit 1; }
    # Only what this start writes counts when looking for its "service started" line.
    offsets[$name]="$(size_of "$log")"
    port=()
    [[ -n "${METRICS_PORTS[$name]:-}" ]] && port=("METRICS_PORT=$((METRICS_PORTS[$name] + ${METRICS_PORT_OFFSET:-0}))")
    # setsid: the supervisor outlives this shell (and a Ctrl-C in it); it appends to the log itself.
    env "${port[@]}" setsid bash scripts/supervise.sh "$name" "$log" "$RUN" -- node "services/$name/dist/main.js" </dev/null >/dev/null 2>&1 &
    echo $! >"$RUN/svc-$name.pid"
  done
  local failed=0 started
  for name in "${SERVICES[@]}"; do
    [[ -n "${offsets[$name]:-}" ]] || continue
    log="$(log_of "$name")"
    started=0
    for _ in $(seq 1 "${SERVICES_START_TIMEOUT:-120}"); do
      # JSON lines, or the readable ones of LOG_FORMAT=pretty.
      if tail -c "+$((offsets[$name] + 1))" "$log" 2>/dev/null | grep -qE '"msg":"service started"|\] service started( |$)'; then started=1; break; fi
      supervised "$name" || break
      sleep 0.5
    done
    if ((started == 1)); then
      echo "$name: up (pid $(child_of "$name"), supervisor $(supervisor_of "$name"), log $log)"
    else
      failed=1
      echo "error: $name has not started (restarts so far: $(restarts_of "$name")); its supervisor keeps trying. Last lines of $log:" >&2
      tail -n 20 "$log" >&2
    fi
  done
  return "$failed"
}

stop_one() {
  local name="$1" supervisor child
  supervisor="$(supervisor_of "$name")"
  child="$(child_of "$name")"
  if is_supervisor "$name" "$supervisor"; then
    # The supervisor forwards SIGTERM (the service drains) and SIGKILLs the service after its grace.
    kill -TERM "$supervisor"
    for _ in $(seq 1 $((STOP_TIMEOUT * 2))); do is_supervisor "$name" "$supervisor" || break; sleep 0.5; done
    is_supervisor "$name" "$supervisor" && kill -KILL "$supervisor"
    echo "$name: stopped"
  fi
  # A service left behind by a supervisor that was killed itself.
  if [[ -n "$child" ]] && kill -0 "$child" 2>/dev/null && tr '\0' ' ' <"/proc/$child/cmdline" 2>/dev/null | grep -q "services/$name/dist/main.js"; then
    kill -TERM "$child"
    for _ in $(seq 1 60); do kill -0 "$child" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$child" 2>/dev/null && kill -KILL "$child"
    echo "$name: stopped (it had no supervisor)"
  fi
  rm -f "$RUN/svc-$name.pid" "$RUN/svc-$name.child"
}

stop() {
  local name
  # In parallel: each drains on its own (up to its grace), so ten services take one grace, not ten.
  for name in "${SERVICES[@]}"; do stop_one "$name" & done
  wait
}

status() {
  local down=0 name restarts
  for name in "${SERVICES[@]}"; do
    restarts="$(restarts_of "$name")"
    if supervised "$name" && child_alive "$name"; then
      echo "$name: up (pid $(child_of "$name"), supervisor $(supervisor_of "$name"), restarts $restarts)"
    elif supervised "$name"; then
      echo "$name: restarting (supervisor $(supervisor_of "$name"), restarts $restarts; see $(log_of "$name"))"
      down=1
    else
      echo "$name: down"
      down=1
    fi
  done
  return "$down"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/services.sh start|stop|status" >&2; exit 2 ;;
esac
