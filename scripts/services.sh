#!/usr/bin/env bash
# The platform's services as background processes on this machine: start | stop | status.
# Logs: .local/logs/svc-<name>.log, pids: .local/run/svc-<name>.pid. Needs a build and the stack.
# Secrets for this machine (gateway JWT secret, webhook signing secret) are generated once into
# .local/secrets.env; replace them there, or set the variables, to use your own.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SERVICES=(projections triage research solution quality escalation approvals notifier analytics gateway)
# Each service's /metrics port on this machine (deploy/METRICS.md); the gateway serves /metrics on its API port 8080.
declare -A METRICS_PORTS=(
  [triage]=9401 [research]=9402 [solution]=9403 [quality]=9404 [escalation]=9405
  [approvals]=9406 [projections]=9407 [notifier]=9408 [analytics]=9409
)
mkdir -p .local/logs .local/run

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

pid_of() { local file=".local/run/svc-$1.pid"; [[ -f "$file" ]] && cat "$file"; }
alive() { local pid; pid="$(pid_of "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

start() {
  # shellcheck source=../deploy/local/env.sh
  source deploy/local/env.sh
  local_secrets
  for name in "${SERVICES[@]}"; do
    if alive "$name"; then echo "$name: already running (pid $(pid_of "$name"))"; continue; fi
    [[ -f "services/$name/dist/main.js" ]] || { echo "error: services/$name is not built; run npm run build" >&2; exit 1; }
    if [[ -n "${METRICS_PORTS[$name]:-}" ]]; then
      METRICS_PORT="${METRICS_PORTS[$name]}" nohup node "services/$name/dist/main.js" >> ".local/logs/svc-$name.log" 2>&1 &
    else
      nohup node "services/$name/dist/main.js" >> ".local/logs/svc-$name.log" 2>&1 &
    fi
    echo $! > ".local/run/svc-$name.pid"
  done
  for name in "${SERVICES[@]}"; do
    for _ in $(seq 1 120); do
      # JSON lines, or the readable ones of LOG_FORMAT=pretty.
      grep -qE '"msg":"service started"|\] service started( |$)' ".local/logs/svc-$name.log" 2>/dev/null && break
      alive "$name" || { echo "error: $name exited; see .local/logs/svc-$name.log" >&2; tail -n 20 ".local/logs/svc-$name.log" >&2; exit 1; }
      sleep 0.5
    done
    echo "$name: up (pid $(pid_of "$name"), log .local/logs/svc-$name.log)"
  done
}

stop() {
  for name in "${SERVICES[@]}"; do
    if alive "$name"; then
      kill -TERM "$(pid_of "$name")"
      for _ in $(seq 1 60); do alive "$name" || break; sleep 0.5; done
      alive "$name" && kill -KILL "$(pid_of "$name")"
      echo "$name: stopped"
    fi
    rm -f ".local/run/svc-$name.pid"
  done
}

status() {
  local down=0
  for name in "${SERVICES[@]}"; do
    if alive "$name"; then echo "$name: up (pid $(pid_of "$name"))"; else echo "$name: down"; down=1; fi
  done
  return "$down"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/services.sh start|stop|status" >&2; exit 2 ;;
esac
