#!/usr/bin/env bash
# The local stack without Docker: Kafka (KRaft; one node, or a cluster of three with
# STACK_BROKERS=3), PostgreSQL, Redis and the schema registry as plain processes on 127.0.0.1,
# state in <repo>/.local (or STACK_DIR). See deploy/local/README.md.
set -euo pipefail

# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/kafka.sh
. "$LOCAL_DIR/lib/kafka.sh"
# shellcheck source=lib/postgres.sh
. "$LOCAL_DIR/lib/postgres.sh"
# shellcheck source=lib/redis.sh
. "$LOCAL_DIR/lib/redis.sh"
# shellcheck source=lib/registry.sh
. "$LOCAL_DIR/lib/registry.sh"

COMPONENTS=(postgres redis kafka registry) # start order; stop is the reverse
SELECTED=()

usage() {
  cat <<EOF
usage: deploy/local/stack.sh <command> [component]

  up [component]        start everything (order: ${COMPONENTS[*]}) or one component; no-op if running
  down [component]      stop everything (reverse order) or one component
  restart [component]   down, then up
  status [component]    one line per component with a real health probe; exit 1 if any is down
  logs [component] [-f] [-n lines]
                        tail the logs in .local/logs (all components, or one); -f follows
  env                   print the client settings as export lines: eval "\$(deploy/local/stack.sh env)"
  broker start|stop|kill|restart <n>
                        one Kafka node: start it, stop it (controlled shutdown), SIGKILL it (a crash,
                        for chaos tests), or stop then start it; n is 1..$KAFKA_N
  broker status         the Kafka lines of status: brokers, quorum leader, partitions needing attention

components: ${COMPONENTS[*]}
kafka: $(kafka_mode_words "$KAFKA_N") (STACK_BROKERS=1|3 when the state dir is new; then recorded in $KAFKA_MODE_FILE)
ports: KAFKA_PORT=$KAFKA_PORT KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT POSTGRES_PORT=$POSTGRES_PORT REDIS_PORT=$REDIS_PORT SCHEMA_REGISTRY_PORT=$SCHEMA_REGISTRY_PORT
state: $STATE_DIR (data/, logs/, run/, conf/; STACK_DIR moves it)   jars: $KAFKA_LIBS
EOF
}

# select_components [NAME]: sets SELECTED to the components of a command (all, or the one named).
select_components() {
  local name="${1:-}" c
  if [[ -z "$name" ]]; then
    SELECTED=("${COMPONENTS[@]}")
    return 0
  fi
  for c in "${COMPONENTS[@]}"; do
    if [[ "$c" == "$name" ]]; then
      SELECTED=("$c")
      return 0
    fi
  done
  die "unknown component '$name' (components: ${COMPONENTS[*]})"
}

# ensure_packages COMPONENT...: apt-get install what the named components need and lack, in one go.
ensure_packages() {
  local -a pkgs=()
  local c need_pg=0 need_redis=0
  command -v ss >/dev/null 2>&1 || pkgs+=(iproute2)
  # The registry's and Prometheus' health checks and the start command's HTTP demo use curl.
  command -v curl >/dev/null 2>&1 || pkgs+=(curl)
  for c in "$@"; do
    case "$c" in
    postgres) pg_bindir >/dev/null || {
      pkgs+=(postgresql)
      need_pg=1
    } ;;
    redis) command -v redis-server >/dev/null 2>&1 || {
      pkgs+=(redis-server)
      need_redis=1
    } ;;
    esac
  done
  ((${#pkgs[@]} > 0)) || return 0
  apt_install "${pkgs[@]}" 9>&- # a package may start its service: keep the lock fd from it
  if ((need_pg)); then postgres_after_install; fi
  if ((need_redis)); then redis_after_install; fi
}

# selects_kafka: SELECTED includes kafka.
selects_kafka() { [[ " ${SELECTED[*]} " == *" kafka "* ]]; }

cmd_up() {
  local -a failed=()
  local c rc registry_missing=0
  select_components "${1:-}"
  # Asking for the other Kafka mode over existing data: refuse before starting anything.
  if selects_kafka && [[ -n "$KAFKA_MODE_CONFLICT" ]]; then die "$KAFKA_MODE_CONFLICT"; fi
  take_lock
  check_disk
  ensure_packages "${SELECTED[@]}"
  for c in "${SELECTED[@]}"; do
    rc=0
    # 9>&-: long-lived children must not inherit the lock's fd (they would hold the lock forever).
    ("${c}_start") 9>&- || rc=$?
    if [[ "$c" == registry ]] && ((rc == 3)); then
      registry_missing=1
    elif ((rc != 0)); then
      failed+=("$c")
    fi
  done
  if ((${#failed[@]} > 0)); then
    err "up: failed to start: ${failed[*]} (causes above; 'deploy/local/stack.sh logs <component>' shows more)"
    ((registry_missing == 0)) || err "up: and the schema registry is not available (deploy/local/registry/run.sh missing)"
    exit 1
  fi
  if ((registry_missing)); then
    err "up: everything else is running, but the schema registry is not available (deploy/local/registry/run.sh missing)"
    exit 1
  fi
  info "up: ready. Client settings: eval \"\$(deploy/local/stack.sh env)\""
}

cmd_down() {
  local -a failed=()
  local c i
  select_components "${1:-}"
  take_lock
  for ((i = ${#SELECTED[@]} - 1; i >= 0; i--)); do
    c="${SELECTED[i]}"
    ("${c}_stop") 9>&- || failed+=("$c")
  done
  if ((${#failed[@]} > 0)); then
    err "down: could not stop: ${failed[*]} (see above)"
    exit 1
  fi
}

cmd_status() {
  local c down=0
  select_components "${1:-}"
  for c in "${SELECTED[@]}"; do
    ("${c}_status") || down=1
  done
  return "$down"
}

cmd_logs() {
  local comp='' follow=0 lines=50 c n
  local -a files=()
  while (($# > 0)); do
    case "$1" in
    -f | --follow) follow=1 ;;
    -n | --lines)
      [[ "${2:-}" =~ ^[0-9]+$ ]] || die "logs: -n needs a number of lines"
      lines="$2"
      shift
      ;;
    -*) die "logs: unknown option $1 (usage: logs [component] [-f] [-n lines])" ;;
    *)
      select_components "$1"
      comp="$1"
      ;;
    esac
    shift
  done
  select_components "$comp"
  for c in "${SELECTED[@]}"; do
    if [[ "$c" == kafka ]] && ((KAFKA_N > 1)); then
      for n in $(kafka_nodes); do
        [[ -f "$LOG_DIR/kafka-$n.log" ]] && files+=("$LOG_DIR/kafka-$n.log")
      done
    fi
    [[ -f "$LOG_DIR/$c.log" ]] && files+=("$LOG_DIR/$c.log")
  done
  if ((${#files[@]} == 0)); then
    die "logs: no log yet for ${comp:-any component} in $LOG_DIR (start it with deploy/local/stack.sh up)"
  fi
  if ((follow)); then
    exec tail -n "$lines" -F "${files[@]}"
  fi
  tail -n "$lines" "${files[@]}"
}

cmd_env() {
  (
    # shellcheck source=env.sh
    . "$LOCAL_DIR/env.sh"
    printf 'export KAFKA_BROKERS=%q\n' "$KAFKA_BROKERS"
    printf 'export DATABASE_URL=%q\n' "$DATABASE_URL"
    printf 'export REDIS_URL=%q\n' "$REDIS_URL"
    printf 'export SCHEMA_REGISTRY_URL=%q\n' "$SCHEMA_REGISTRY_URL"
  )
}

# cmd_broker ACTION [N]: one Kafka node (a cluster's, or the single node as node 1).
cmd_broker() {
  local action="${1:-}" n="${2:-}"
  case "$action" in
  status)
    [[ -z "$n" ]] || die "broker status takes no node number (it shows every node)"
    ensure_state_dirs
    kafka_status
    return
    ;;
  start | stop | kill | restart) ;;
  *) die "usage: deploy/local/stack.sh broker start|stop|kill|restart <n> | broker status" ;;
  esac
  if ! [[ "$n" =~ ^[0-9]+$ ]] || ((n < 1 || n > KAFKA_N)); then
    die "broker $action needs a node number from 1 to $KAFKA_N (this stack runs $(kafka_mode_words "$KAFKA_N"))"
  fi
  take_lock
  case "$action" in
  start) (kafka_start_nodes "$n") 9>&- ;;
  stop) (kafka_stop_nodes "$n") 9>&- ;;
  kill) (kafka_kill_node "$n") 9>&- ;;
  restart)
    (kafka_stop_nodes "$n") 9>&-
    (kafka_start_nodes "$n") 9>&-
    ;;
  esac
}

main() {
  local cmd="${1:-help}"
  (($# > 0)) && shift
  case "$cmd" in
  up | down | status | restart)
    (($# <= 1)) || die "$cmd takes at most one component (got: $*)"
    ;;
  esac
  kafka_resolve_mode
  # Only starting Kafka refuses a mode conflict; everything else follows the recorded mode.
  case "$cmd" in
  up | restart) ;;
  *) [[ -z "$KAFKA_MODE_CONFLICT" ]] || warn "${KAFKA_MODE_CONFLICT%%;*}; following the recorded mode" ;;
  esac
  case "$cmd" in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  restart)
    select_components "${1:-}"
    if selects_kafka && [[ -n "$KAFKA_MODE_CONFLICT" ]]; then die "$KAFKA_MODE_CONFLICT"; fi
    cmd_down "$@"
    cmd_up "$@"
    ;;
  broker) cmd_broker "$@" ;;
  status)
    ensure_state_dirs
    cmd_status "$@"
    ;;
  logs) cmd_logs "$@" ;;
  env) cmd_env ;;
  help | -h | --help) usage ;;
  *)
    usage >&2
    die "unknown command '$cmd'"
    ;;
  esac
}

main "$@"
