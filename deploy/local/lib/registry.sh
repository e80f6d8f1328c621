# shellcheck shell=bash
# Schema registry: delegated to deploy/local/registry/run.sh (start|stop|status), kept in its own
# folder. Contract: `start` returns once 127.0.0.1:$SCHEMA_REGISTRY_PORT is healthy, `stop` stops
# it, `status` prints one line and exits 0 only when healthy. Sourced after lib/common.sh.

REGISTRY_RUN="$LOCAL_DIR/registry/run.sh"

registry_available() { [[ -f "$REGISTRY_RUN" && -x "$REGISTRY_RUN" ]]; }

registry_missing_msg() {
  if [[ -f "$REGISTRY_RUN" ]]; then
    printf 'registry: not available (deploy/local/registry/run.sh is not executable; fix: chmod +x it)\n'
  else
    printf 'registry: not available (deploy/local/registry/run.sh missing)\n'
  fi
}

# registry_start: exit 3 = not available (stack.sh reports it at the end of `up`).
registry_start() {
  if ! registry_available; then
    registry_missing_msg >&2
    exit 3
  fi
  # Its kafkasql storage gets every broker of the stack (a cluster's three), unless set already.
  KAFKA_BROKERS="${KAFKA_BROKERS:-$(kafka_bootstrap)}" "$REGISTRY_RUN" start
}

registry_stop() {
  if ! registry_available; then
    registry_missing_msg
    return 0
  fi
  "$REGISTRY_RUN" stop
}

registry_status() {
  local line pid rc=0
  if ! registry_available; then
    status_line registry down "$SCHEMA_REGISTRY_PORT" - "$(registry_missing_msg | sed 's/^registry: //')"
    return 1
  fi
  line="$("$REGISTRY_RUN" status 2>&1)" || rc=$?
  line="$(printf '%s' "$line" | tail -n 1)"
  if ((rc == 0)); then
    pid="$(read_pid registry)"
    [[ -n "$pid" ]] || pid="$(port_pids "$SCHEMA_REGISTRY_PORT" | head -n1)"
    status_line registry up "$SCHEMA_REGISTRY_PORT" "${pid:--}" "${line:-healthy}"
  else
    status_line registry down "$SCHEMA_REGISTRY_PORT" - "${line:-run.sh status exited $rc}"
    return 1
  fi
}
