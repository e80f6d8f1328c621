# shellcheck shell=bash
# The Kafka lines of `stack.sh status` (and `stack.sh broker status`): today's one line for a single
# node; for a cluster one line for the cluster, one per node, and the partitions that need
# attention, from the facts lib/kafkaStatus.js reads off the brokers. Sourced by lib/kafka.sh.

kafka_status() {
  if ((KAFKA_N == 1)); then
    kafka_status_single
  else
    kafka_status_cluster
  fi
}

kafka_status_single() {
  local pid brokers port
  pid="$(kafka_node_pid 1)"
  kafka_node 1
  port="$KN_PORT"
  [[ -n "$pid" ]] && port="$(running_port kafka "$KN_PORT" 2>/dev/null)"
  if [[ -n "$pid" ]] && brokers="$(kafka_probe "$port")"; then
    status_line kafka up "$port" "$pid" "metadata ok ($brokers broker)"
  elif [[ -n "$pid" ]]; then
    status_line kafka down "$port" "$pid" "process running but no metadata answer (starting? see logs kafka)"
    return 1
  else
    status_line kafka down "$port" - "not running"
    return 1
  fi
}

# kafka_facts ADDRESS...: `key value...` lines from lib/kafkaStatus.js (empty when node is missing
# or no broker answers; the reason goes to KAFKA_FACTS_ERROR).
KAFKA_FACTS_ERROR=''
kafka_facts() {
  local list out
  list="$(IFS=,; printf '%s' "$*")"
  if ! command -v node >/dev/null 2>&1; then
    KAFKA_FACTS_ERROR='node not on PATH: no partition details'
    return 0
  fi
  if out="$(node "$KAFKA_STATUS_SCRIPT" --brokers "$list" 2>&1)"; then
    printf '%s\n' "$out"
  else
    KAFKA_FACTS_ERROR="${out#kafkaStatus: }"
  fi
}

# first_names LIMIT NAME...: at most LIMIT names, then "(+N more)".
first_names() {
  local limit="$1"
  shift
  if (($# <= limit)); then
    printf '%s' "$*"
  else
    printf '%s (+%s more)' "${*:1:limit}" "$(($# - limit))"
  fi
}

# kafka_status_cluster: one line for the cluster, one per node, then the partitions that need
# attention. Exit 1 when a node is down or a partition is offline.
kafka_status_cluster() {
  local n pid port rc=0 up=0 key rest leader='' epoch='' detail facts
  local -a live=() pids=() ports=() states=() urp=() offline=() below=() listed=()
  local -A leads=()
  for n in $(kafka_nodes); do
    pid="$(kafka_node_pid "$n")"
    kafka_node "$n"
    port="$KN_PORT"
    [[ -n "$pid" ]] && port="$(running_port "$KN_NAME" "$KN_PORT" 2>/dev/null)"
    pids[n]="${pid:--}"
    ports[n]="$port"
    if [[ -n "$pid" ]] && kafka_probe "$port" >/dev/null; then
      states[n]=up
      live+=("127.0.0.1:$port")
      up=$((up + 1))
    elif [[ -n "$pid" ]]; then
      states[n]=starting
    else
      states[n]=down
    fi
  done
  KAFKA_FACTS_ERROR=''
  facts=''
  ((up == 0)) || facts="$(kafka_facts "${live[@]}")"
  while read -r key rest; do
    case "$key" in
    quorum_leader) read -r leader epoch <<<"$rest" ;;
    quorum_error) leader="unknown ($rest)" ;;
    leads) leads[${rest%% *}]="${rest#* }" ;;
    brokers) read -r -a listed <<<"$rest" ;;
    under_replicated) read -r -a urp <<<"${rest#* }" ;;
    offline) read -r -a offline <<<"${rest#* }" ;;
    under_min_isr) read -r -a below <<<"${rest#* }" ;;
    esac
  done <<<"$facts"
  # "N name..." lines with N=0 leave the count itself in the array.
  [[ "${urp[0]:-}" =~ ^[0-9]+$ ]] && urp=()
  [[ "${offline[0]:-}" =~ ^[0-9]+$ ]] && offline=()
  [[ "${below[0]:-}" =~ ^[0-9]+$ ]] && below=()

  if ((up == 0)); then
    detail="cluster of $KAFKA_N: no broker answers (start it: deploy/local/stack.sh up kafka)"
  elif [[ -n "$KAFKA_FACTS_ERROR" ]]; then
    detail="cluster of $KAFKA_N: $up/$KAFKA_N brokers up; $KAFKA_FACTS_ERROR"
  else
    detail="cluster of $KAFKA_N: $up/$KAFKA_N brokers up, quorum leader ${leader:+kafka-}${leader:-unknown}${epoch:+ (epoch $epoch)}, ${#offline[@]} offline, ${#urp[@]} under-replicated, ${#below[@]} under min.insync.replicas"
  fi
  if ((up == 0)); then status_line kafka down "$KAFKA_PORT" - "$detail"; else status_line kafka up "$KAFKA_PORT" - "$detail"; fi
  ((up == KAFKA_N && ${#offline[@]} == 0)) || rc=1

  for n in $(kafka_nodes); do
    kafka_node "$n"
    case "${states[n]}" in
    up)
      detail="controller $KN_CPORT"
      [[ -n "$KAFKA_FACTS_ERROR" ]] || detail+=", leader of $(plural "${leads[$n]:-0}" partition)"
      [[ "$leader" == "$n" ]] && detail+=", quorum leader"
      if ((${#listed[@]} > 0)) && [[ " ${listed[*]} " != *" $n "* ]]; then
        detail+=", but not among the cluster's brokers (fenced? see logs kafka)"
      fi
      status_line "$KN_NAME" up "${ports[n]}" "${pids[n]}" "$detail"
      ;;
    starting) status_line "$KN_NAME" down "${ports[n]}" "${pids[n]}" "process running but no metadata answer (starting? see logs kafka)" ;;
    *) status_line "$KN_NAME" down "${ports[n]}" - "not running (start it: deploy/local/stack.sh broker start $n)" ;;
    esac
  done
  ((${#offline[@]} == 0)) || printf '%-9s %s\n' '' "offline (no reachable leader): $(first_names 8 "${offline[@]}")"
  ((${#urp[@]} == 0)) || printf '%-9s %s\n' '' "under-replicated (ISR < replicas): $(first_names 8 "${urp[@]}")"
  ((${#below[@]} == 0)) || printf '%-9s %s\n' '' "under min.insync.replicas (acks=all writes refused): $(first_names 8 "${below[@]}")"
  return "$rc"
}
