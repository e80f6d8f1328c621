# shellcheck shell=bash
# Redis: redis-server from the Debian package, bound to 127.0.0.1, data in .local/data/redis,
# daemonized with its own pid and log file. Sourced after lib/common.sh.

REDIS_DATA="$DATA_DIR/redis"
REDIS_LOG="$LOG_DIR/redis.log"

# redis_is_ours PID: a redis-server whose working directory is this stack's data dir.
redis_is_ours() {
  [[ "$(cat "/proc/$1/comm" 2>/dev/null)" == redis-server* ]] &&
    [[ "$(readlink "/proc/$1/cwd" 2>/dev/null)" == "$REDIS_DATA" ]]
}

# redis_pid: the running server's pid ('' if none); drops a stale pid file.
redis_pid() {
  local pid file
  file="$(pid_file redis)"
  pid="$(read_pid redis)"
  if [[ -n "$pid" ]] && pid_alive "$pid" && redis_is_ours "$pid"; then
    printf '%s\n' "$pid"
    return 0
  fi
  if [[ -f "$file" ]]; then
    rm -f "$file"
    warn "redis: removed stale pid file $file (pid ${pid:-?} is not this stack's redis-server)"
  fi
  for pid in $(port_pids "$REDIS_PORT"); do
    if redis_is_ours "$pid"; then
      printf '%s\n' "$pid" >"$file"
      printf '%s\n' "$pid"
      return 0
    fi
  done
}

redis_ping() {
  timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>&1
}

# redis_after_install: on machines where services start on install, the package just started the
# system redis-server on 6379; stop it and keep it from starting at boot.
redis_after_install() {
  local pid cmd
  for pid in $(port_pids "$REDIS_PORT"); do
    cmd="$(proc_cmdline "$pid")"
    if [[ "$cmd" == redis-server* ]] && ! redis_is_ours "$pid"; then
      info "redis: the Debian package started the system redis-server on port $REDIS_PORT (pid $pid);" \
        "stopping and disabling it (this stack runs its own in $REDIS_DATA)"
      stop_system_service redis-server
      pid_alive "$pid" && stop_pid redis "$pid" 10
    fi
  done
}

redis_start() {
  local pid i out
  command -v redis-server >/dev/null 2>&1 || die "redis: redis-server not found. fix: apt-get install -y redis-server"
  pid="$(redis_pid)"
  if [[ -n "$pid" ]]; then
    info "redis: already running (pid $pid, port $(running_port redis "$REDIS_PORT"))"
    return 0
  fi
  require_port_free redis "$REDIS_PORT" REDIS_PORT || exit 1
  ensure_state_dirs
  mkdir -p "$REDIS_DATA"
  info "redis: starting on 127.0.0.1:$REDIS_PORT"
  # Default RDB snapshots keep data across restarts; no AOF (read models can be rebuilt from Kafka).
  if ! out="$(redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
    --dir "$REDIS_DATA" --daemonize yes --pidfile "$(pid_file redis)" --logfile "$REDIS_LOG" \
    --appendonly no 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "redis: redis-server refused to start (output above; log: $REDIS_LOG)"
  fi
  for ((i = 0; i < ${REDIS_START_TIMEOUT:-20} * 5; i++)); do
    if [[ "$(redis_ping)" == PONG ]]; then
      record_port redis "$REDIS_PORT"
      info "redis: up (pid $(read_pid redis), port $REDIS_PORT)"
      return 0
    fi
    sleep 0.2
  done
  tail -n 15 "$REDIS_LOG" >&2
  die "redis: no PONG on 127.0.0.1:$REDIS_PORT within ${REDIS_START_TIMEOUT:-20}s (last lines above, log: $REDIS_LOG)"
}

redis_stop() {
  local pid
  pid="$(redis_pid)"
  if [[ -z "$pid" ]]; then
    info "redis: not running"
    return 0
  fi
  info "redis: stopping (pid $pid)"
  # SIGTERM: redis saves its snapshot and exits.
  stop_pid redis "$pid" "${REDIS_STOP_TIMEOUT:-30}"
  rm -f "$(pid_file redis)"
  forget_port redis
  info "redis: stopped"
}

redis_status() {
  local pid pong
  pid="$(redis_pid)"
  if [[ -z "$pid" ]]; then
    status_line redis down "$REDIS_PORT" - "not running"
    return 1
  fi
  REDIS_PORT="$(running_port redis "$REDIS_PORT" 2>/dev/null)"
  pong="$(redis_ping || true)"
  if [[ "$pong" == PONG ]]; then
    status_line redis up "$REDIS_PORT" "$pid" "redis-cli ping: PONG"
  else
    status_line redis down "$REDIS_PORT" "$pid" "redis-cli ping: ${pong:-no answer}"
    return 1
  fi
}
