#!/usr/bin/env bash
# Keeps one service running: scripts/supervise.sh NAME LOG RUN_DIR -- COMMAND...
# Started by scripts/services.sh, one supervisor per service. Runs COMMAND with its output appended
# to LOG; when it exits (crash, kill -9, anything but a stop), writes one line to LOG saying so,
# waits (1 s, 2 s, 4 s, … at most 30 s; back to 1 s once it had stayed up 60 s) and starts it again.
# SIGTERM/SIGINT stop it: the service gets SIGTERM (its drain), then SIGKILL after the grace.
# RUN_DIR/svc-NAME.child holds the running service's pid, RUN_DIR/svc-NAME.restarts the count.
set -uo pipefail
NAME="$1" LOG="$2" RUN_DIR="$3"
shift 3
[[ "${1:-}" == "--" ]] && shift
(($# > 0)) || { echo "usage: scripts/supervise.sh NAME LOG RUN_DIR -- COMMAND..." >&2; exit 2; }

MIN_DELAY="${SUPERVISE_MIN_DELAY:-1}"
MAX_DELAY="${SUPERVISE_MAX_DELAY:-30}"
STABLE_SECONDS="${SUPERVISE_STABLE_SECONDS:-60}"
# Longer than a service's own shutdown grace (25 s), so a slow drain ends as its own exit.
GRACE_SECONDS="${SUPERVISE_GRACE_SECONDS:-30}"
CHILD_FILE="$RUN_DIR/svc-$NAME.child"
RESTARTS_FILE="$RUN_DIR/svc-$NAME.restarts"

child=''
sleeper=''
stopping=0
restarts=0
delay="$MIN_DELAY"

# One JSON line, like the services' own records, so `grep`/`jq` over the log see both.
note() {
  local level="$1" msg="$2" extra="${3:-}"
  printf '{"level":%s,"time":"%s","service":"%s","component":"supervisor"%s,"msg":"%s"}\n' \
    "$level" "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$NAME" "$extra" "$msg" >>"$LOG"
}

stop_child() {
  stopping=1
  [[ -n "$child" ]] || return 0
  kill -TERM "$child" 2>/dev/null || return 0
  local waited=0
  while kill -0 "$child" 2>/dev/null; do
    if ((waited >= GRACE_SECONDS * 10)); then
      note 40 "did not stop within ${GRACE_SECONDS}s of SIGTERM; sending SIGKILL" ",\"pid\":$child"
      kill -KILL "$child" 2>/dev/null
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

on_signal() {
  note 30 "stopping (SIGTERM to the service, SIGKILL after ${GRACE_SECONDS}s)"
  [[ -n "$sleeper" ]] && kill "$sleeper" 2>/dev/null
  stop_child
  [[ -n "$child" ]] && wait "$child" 2>/dev/null
  rm -f "$CHILD_FILE"
  note 30 "stopped"
  exit 0
}
trap on_signal TERM INT

printf '%s\n' "$restarts" >"$RESTARTS_FILE"
note 30 "supervising" ",\"command\":\"$*\""
while ((stopping == 0)); do
  started_at="$(date +%s)"
  "$@" >>"$LOG" 2>&1 </dev/null &
  child=$!
  printf '%s\n' "$child" >"$CHILD_FILE"
  # `wait` returns early when a trapped signal arrives; the trap then ends the script.
  wait "$child"
  code=$?
  ((stopping == 1)) && break
  rm -f "$CHILD_FILE"
  child=''
  if (($(date +%s) - started_at >= STABLE_SECONDS)); then delay="$MIN_DELAY"; fi
  reason=''
  ((code > 128)) && reason=" (signal $((code - 128)))"
  restarts=$((restarts + 1))
  printf '%s\n' "$restarts" >"$RESTARTS_FILE"
  note 40 "exited with code ${code}${reason}, restarting in ${delay}s" ",\"code\":$code,\"restarts\":$restarts,\"restartInSeconds\":$delay"
  # In the background, so a stop during the wait is handled at once.
  sleep "$delay" &
  sleeper=$!
  wait "$sleeper"
  sleeper=''
  delay=$((delay * 2))
  ((delay > MAX_DELAY)) && delay="$MAX_DELAY"
done
