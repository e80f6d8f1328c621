# shellcheck shell=bash
# Kafka 3.9.2 in KRaft mode, run from the jars that deploy/local/kafka/pom.xml fetches from Maven
# Central: one node (the default) or, with STACK_BROKERS=3, a cluster of three on loopback ports.
# Every node is broker and controller in one JVM. Sourced after lib/common.sh.

KAFKA_POM="$LOCAL_DIR/kafka/pom.xml"
KAFKA_LIBS="$CACHE_DIR/kafka/libs"
KAFKA_STAMP="$KAFKA_LIBS/.pom.sha256"
KAFKA_TOOLS_LOG4J="$LOCAL_DIR/kafka/tools-log4j.properties"

# find_java: sets JAVA_BIN to a java >= 17 ($JAVA_HOME first, then PATH) or dies with the fix.
find_java() {
  local spec major
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    JAVA_BIN="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    JAVA_BIN="$(command -v java)"
  else
    die "kafka: java not found (Kafka 3.9 needs Java 17 or newer).
  fix: apt-get install -y openjdk-17-jre-headless, or set JAVA_HOME to a JDK 17+."
  fi
  spec="$("$JAVA_BIN" -XshowSettings:properties -version 2>&1 |
    awk -F'= *' '/java.specification.version/ { print $2; exit }')"
  major="${spec#1.}"
  major="${major%%.*}"
  if ! [[ "$major" =~ ^[0-9]+$ ]] || ((major < 17)); then
    die "kafka: $JAVA_BIN is Java ${spec:-of unknown version}; Kafka 3.9 here needs Java 17 or newer.
  fix: apt-get install -y openjdk-17-jre-headless, or set JAVA_HOME to a JDK 17+."
  fi
}

# kafka_fetch_jars: copy Kafka and its runtime dependencies into .cache/kafka/libs, once per pom
# version (the stamp holds the pom's hash, so a second run never starts Maven).
kafka_fetch_jars() {
  local hash tmp mvn_log="$CACHE_DIR/kafka/maven.log"
  hash="$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)"
  if [[ -f "$KAFKA_STAMP" && "$(cat "$KAFKA_STAMP")" == "$hash" ]] &&
    compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 ||
    die "kafka: the Kafka jars are not in $KAFKA_LIBS yet and mvn (Maven) is not installed.
  fix: apt-get install -y maven   (Maven fetches Kafka from Maven Central once; later runs skip it)"
  mkdir -p "$CACHE_DIR/kafka"
  tmp="$CACHE_DIR/kafka/libs.tmp"
  rm -rf "$tmp"
  info "kafka: fetching Kafka jars with Maven (once per version of kafka/pom.xml; log: $mvn_log)"
  if ! mvn -B -ntp -Dstyle.color=never -f "$KAFKA_POM" dependency:copy-dependencies \
    "-Dkafka.libs.dir=$tmp" >"$mvn_log" 2>&1; then
    grep -E 'ERROR|BUILD' "$mvn_log" | head -n 15 >&2 || true
    die "kafka: Maven could not fetch the Kafka jars (excerpt above, full log: $mvn_log).
  fix: check that Maven Central (or your mirror in ~/.m2/settings.xml) is reachable, then run again."
  fi
  printf '%s\n' "$hash" >"$tmp/.pom.sha256"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  info "kafka: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in $KAFKA_LIBS"
}

# kafka_tool CLASS ARGS...: run a Kafka main class from the cached jars with the quiet tool logging.
kafka_tool() {
  local main="$1"
  shift
  "$JAVA_BIN" -Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    "-Dlog4j.configuration=file:$KAFKA_TOOLS_LOG4J" -cp "$KAFKA_LIBS/*" "$main" "$@"
}

# kafka_probe PORT: send a real Metadata request (v0, all topics) over bash's /dev/tcp and print
# the number of live brokers in the answer. No JVM, so `status` stays fast. Fails on no answer.
kafka_probe() {
  local port="$1"
  (
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || exit 1
    # size=16 | api_key=3 (Metadata) | api_version=0 | correlation_id=7 | client_id="ss" | topics=[]
    printf '\x00\x00\x00\x10\x00\x03\x00\x00\x00\x00\x00\x07\x00\x02ss\x00\x00\x00\x00' >&3 || exit 1
    local -a b
    read -r -a b <<<"$(timeout 3 head -c 4 <&3 | od -An -v -tu1 | tr '\n' ' ')"
    ((${#b[@]} == 4)) || exit 1
    local size=$(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]))
    ((size >= 8 && size <= 16777216)) || exit 1
    read -r -a b <<<"$(timeout 3 head -c 8 <&3 | od -An -v -tu1 | tr '\n' ' ')"
    exec 3>&-
    ((${#b[@]} == 8)) || exit 1
    local corr=$(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]))
    local brokers=$(((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]))
    ((corr == 7 && brokers >= 1)) || exit 1
    printf '%s\n' "$brokers"
  )
}

# --- one node or a cluster -----------------------------------------------------------------------
#
# STACK_BROKERS=1 (the default) is one node exactly as before: data .local/data/kafka, config
# .local/conf/kafka/server.properties, log .local/logs/kafka.log, pid .local/run/kafka.pid, ports
# KAFKA_PORT and KAFKA_CONTROLLER_PORT, replication 1 everywhere.
# STACK_BROKERS=3 is a cluster: node <n> (1..3) is broker and controller in one JVM with node.id <n>,
# data .local/data/kafka-<n>, config .local/conf/kafka-<n>/server.properties, log
# .local/logs/kafka-<n>.log, pid .local/run/kafka-<n>.pid, client port KAFKA_PORT + 2(n-1) and
# controller port KAFKA_CONTROLLER_PORT + 2(n-1); the three controllers are the raft quorum.
# The number is recorded in .local/data/kafka.brokers, so later commands follow it without
# STACK_BROKERS; asking for the other mode over existing data is refused with what to do.

KAFKA_MODE_FILE="$DATA_DIR/kafka.brokers"
KAFKA_CLUSTER_ID_FILE="$DATA_DIR/kafka-cluster.id"
KAFKA_STATUS_SCRIPT="$LOCAL_DIR/lib/kafkaStatus.js"
KAFKA_N=1
KAFKA_MODE_CONFLICT=''

# kafka_recorded_brokers: the number of brokers this state dir was set up with ('' if none yet).
# Without the record (a state dir from before cluster mode), the data dirs tell.
kafka_recorded_brokers() {
  local n=''
  [[ -f "$KAFKA_MODE_FILE" ]] && n="$(tr -cd '0-9' <"$KAFKA_MODE_FILE")"
  if [[ -z "$n" ]]; then
    if [[ -f "$DATA_DIR/kafka/logs/meta.properties" ]]; then
      n=1
    else
      n="$({ compgen -G "$DATA_DIR/kafka-[0-9]*/logs/meta.properties" || true; } | wc -l)"
      ((n > 0)) || n=''
    fi
  fi
  printf '%s\n' "$n"
}

kafka_mode_words() {
  if (($1 == 1)); then printf 'a single Kafka node'; else printf 'a cluster of %s Kafka brokers' "$1"; fi
}

# kafka_resolve_mode: sets KAFKA_N (the recorded mode wins, then STACK_BROKERS, then 1) and, when
# STACK_BROKERS asks for another mode than the data holds, KAFKA_MODE_CONFLICT (the message).
kafka_resolve_mode() {
  local requested="${STACK_BROKERS:-}" recorded
  if [[ -n "$requested" && "$requested" != 1 && "$requested" != 3 ]]; then
    die "STACK_BROKERS=$requested: the local stack runs one Kafka node (STACK_BROKERS=1, the default) or a cluster of three (STACK_BROKERS=3)."
  fi
  recorded="$(kafka_recorded_brokers)"
  KAFKA_N="${recorded:-${requested:-1}}"
  KAFKA_MODE_CONFLICT=''
  if [[ -n "$recorded" && -n "$requested" && "$recorded" != "$requested" ]]; then
    local where="recorded in $KAFKA_MODE_FILE"
    [[ -f "$KAFKA_MODE_FILE" ]] || where="found in $DATA_DIR"
    KAFKA_MODE_CONFLICT="kafka: STACK_BROKERS=$requested asks for $(kafka_mode_words "$requested"), but $STATE_DIR holds the data of $(kafka_mode_words "$recorded") ($where); Kafka's storage cannot be converted from one to the other.
  fix: keep it: run without STACK_BROKERS (every command follows the recorded mode);
       or start over in the other mode, which drops all local data (Kafka's topics, the registry's schemas kept in them, the database built from them):
         deploy/local/stack.sh down && rm -rf $DATA_DIR && STACK_BROKERS=$requested deploy/local/stack.sh up
       or run a second stack beside this one: STACK_DIR=<another dir> STACK_BROKERS=$requested with other ports (deploy/local/README.md, \"Cluster mode\")."
  fi
}

# kafka_node N: sets KN_NAME, KN_DATA, KN_PROPS, KN_LOG, KN_PORT, KN_CPORT for node N (1-based).
kafka_node() {
  local n="$1"
  if ((KAFKA_N == 1)); then KN_NAME=kafka; else KN_NAME="kafka-$n"; fi
  KN_DATA="$DATA_DIR/$KN_NAME"
  KN_PROPS="$CONF_DIR/$KN_NAME/server.properties"
  KN_LOG="$LOG_DIR/$KN_NAME.log"
  # shellcheck disable=SC2153 # KAFKA_PORT and KAFKA_CONTROLLER_PORT are set in lib/common.sh
  KN_PORT=$((KAFKA_PORT + 2 * (n - 1)))
  KN_CPORT=$((KAFKA_CONTROLLER_PORT + 2 * (n - 1)))
}

kafka_nodes() { seq 1 "$KAFKA_N"; }

# kafka_bootstrap: the client addresses of every node, comma-separated (KAFKA_BROKERS).
kafka_bootstrap() {
  local n list=''
  for n in $(kafka_nodes); do
    kafka_node "$n"
    list+="${list:+,}127.0.0.1:$KN_PORT"
  done
  printf '%s\n' "$list"
}

# kafka_check_ports: the 2 x N ports are numbers, below 65536 and distinct.
kafka_check_ports() {
  local n p
  local -A seen=()
  [[ "$KAFKA_PORT" =~ ^[0-9]+$ && "$KAFKA_CONTROLLER_PORT" =~ ^[0-9]+$ ]] ||
    die "kafka: KAFKA_PORT=$KAFKA_PORT and KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT must be port numbers."
  for n in $(kafka_nodes); do
    kafka_node "$n"
    for p in "$KN_PORT" "$KN_CPORT"; do
      ((p > 0 && p < 65536)) || die "kafka: $KN_NAME would listen on port $p, out of range. fix: lower KAFKA_PORT / KAFKA_CONTROLLER_PORT."
      [[ -z "${seen[$p]:-}" ]] ||
        die "kafka: the cluster's ports overlap on $p (clients on KAFKA_PORT=$KAFKA_PORT, +2, +4; controllers on KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT, +2, +4).
  fix: KAFKA_CONTROLLER_PORT=$((KAFKA_PORT + 1)) (the default layout), or two bases at least 6 apart."
      seen[$p]=1
    done
  done
}

# kafka_is_ours PID PROPS: the pid is a broker started by this stack from that config file.
kafka_is_ours() {
  local cmd
  cmd="$(proc_cmdline "$1")"
  [[ "$cmd" == *" kafka.Kafka $2"* ]]
}

# kafka_node_pid N: node N's pid ('' if none); drops a stale pid file, adopts a broker of this state
# dir whose pid file was lost.
kafka_node_pid() {
  local pid file
  kafka_node "$1"
  file="$(pid_file "$KN_NAME")"
  pid="$(read_pid "$KN_NAME")"
  if [[ -n "$pid" ]] && pid_alive "$pid" && kafka_is_ours "$pid" "$KN_PROPS"; then
    printf '%s\n' "$pid"
    return 0
  fi
  if [[ -f "$file" ]]; then
    rm -f "$file"
    warn "$KN_NAME: removed stale pid file $file (pid ${pid:-?} is not running Kafka)"
  fi
  for pid in $(port_pids "$KN_PORT"); do
    if kafka_is_ours "$pid" "$KN_PROPS"; then
      printf '%s\n' "$pid" >"$file"
      printf '%s\n' "$pid"
      return 0
    fi
  done
}

# kafka_write_config: node KN_*'s server.properties (call kafka_node first).
kafka_write_config() {
  mkdir -p "$(dirname "$KN_PROPS")" "$KN_DATA/logs"
  if ((KAFKA_N == 1)); then
    cat >"$KN_PROPS" <<CONF
# Generated by deploy/local/lib/kafka.sh on every start; edit that file, not this one.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KN_CPORT
listeners=PLAINTEXT://127.0.0.1:$KN_PORT,CONTROLLER://127.0.0.1:$KN_CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KN_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KN_DATA/logs
# Topics are created explicitly (by the project's topic setup), never by a typo in a client.
auto.create.topics.enable=false
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Single node: no reason to wait for more members before the first rebalance.
group.initial.rebalance.delay.ms=0
log.retention.hours=168
CONF
    return 0
  fi
  local n voters=''
  local node="${KN_NAME#kafka-}" port="$KN_PORT" cport="$KN_CPORT" data="$KN_DATA" props="$KN_PROPS"
  for n in $(kafka_nodes); do
    kafka_node "$n"
    voters+="${voters:+,}$n@127.0.0.1:$KN_CPORT"
  done
  kafka_node "$node"
  cat >"$props" <<CONF
# Generated by deploy/local/lib/kafka.sh on every start; edit that file, not this one.
# Node $node of a local cluster of $KAFKA_N (STACK_BROKERS=$KAFKA_N): broker and controller in one JVM.
process.roles=broker,controller
node.id=$node
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$data/logs
# Topics are created explicitly (by the project's topic setup), never by a typo in a client.
auto.create.topics.enable=false
num.partitions=3
# Replicated like production: three copies, and an acks=all write needs two of them in sync, so
# one broker can be down (or killed by a chaos test) without losing or refusing a write.
default.replication.factor=$((KAFKA_N < 3 ? KAFKA_N : 3))
min.insync.replicas=$((KAFKA_N < 3 ? 1 : 2))
offsets.topic.replication.factor=$((KAFKA_N < 3 ? KAFKA_N : 3))
transaction.state.log.replication.factor=$((KAFKA_N < 3 ? KAFKA_N : 3))
transaction.state.log.min.isr=$((KAFKA_N < 3 ? 1 : 2))
# A replica that lost data never becomes leader (the default, stated because chaos tests rely on it).
unclean.leader.election.enable=false
# A restarted broker gets its preferred leaderships back after 30 s instead of Kafka's 5 minutes.
leader.imbalance.check.interval.seconds=30
group.initial.rebalance.delay.ms=0
log.retention.hours=168
# Three JVMs share a small machine: fewer request threads each than Kafka's defaults (3 and 8).
num.network.threads=2
num.io.threads=4
CONF
}

# kafka_format: format node KN_*'s storage once. A single node keeps its cluster id in its data
# dir; a cluster's nodes share one id, generated once in .local/data/kafka-cluster.id.
kafka_format() {
  local id_file id
  [[ -f "$KN_DATA/logs/meta.properties" ]] && return 0
  if ((KAFKA_N == 1)); then id_file="$KN_DATA/cluster.id"; else id_file="$KAFKA_CLUSTER_ID_FILE"; fi
  if [[ -s "$id_file" ]]; then
    id="$(cat "$id_file")"
  else
    id="$(kafka_tool kafka.tools.StorageTool random-uuid)"
    printf '%s\n' "$id" >"$id_file"
  fi
  info "$KN_NAME: formatting storage in $KN_DATA/logs (cluster id $id)"
  kafka_tool kafka.tools.StorageTool format -t "$id" -c "$KN_PROPS" --ignore-formatted >>"$KN_LOG" 2>&1 ||
    die "$KN_NAME: formatting the storage failed; see $KN_LOG.
  fix: if $KN_DATA holds data from another cluster, reset it: deploy/local/stack.sh down kafka && rm -rf $KN_DATA"
}

# kafka_launch: start node KN_*'s JVM in the background (kafka_wait_up waits for it).
kafka_launch() {
  local -a heap jvm
  local default_heap='-Xms256m -Xmx1g'
  ((KAFKA_N == 1)) || default_heap='-Xms128m -Xmx384m'
  read -r -a heap <<<"${KAFKA_HEAP_OPTS:-$default_heap}"
  read -r -a jvm <<<"${KAFKA_JVM_OPTS:-}"
  printf '\n[%s] ===== stack.sh: starting Kafka (%s) =====\n' "$(date '+%F %T')" "$JAVA_BIN" >>"$KN_LOG"
  # setsid: own session, so the broker outlives this shell and a Ctrl-C in it. The inner shell
  # writes its own pid (exec keeps it for java) so the pid file is right even if setsid forks.
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  setsid "$BASH" -c 'printf "%s\n" "$$" >"$0"; exec "$@"' "$(pid_file "$KN_NAME")" \
    "$JAVA_BIN" "${heap[@]}" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    "${jvm[@]}" "-Dlog4j.configuration=file:$LOCAL_DIR/kafka/log4j.properties" \
    "-Dsupportstream.kafka.log=$KN_LOG" "-Dkafka.logs.dir=$LOG_DIR" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KN_PROPS" >>"$KN_LOG" 2>&1 </dev/null &
}

plural() { if (($1 == 1)); then printf '%s %s' "$1" "$2"; else printf '%s %ss' "$1" "$2"; fi; }

# kafka_wait_up N...: wait until each node answers a Metadata request; die when one exits during
# start-up or KAFKA_START_TIMEOUT (90 s) passes. A cluster node opens its client port only once
# the controllers' quorum is there, so the nodes of a cluster start together.
kafka_wait_up() {
  local timeout="${KAFKA_START_TIMEOUT:-90}" i n pid brokers
  local -a waiting=("$@") still names=()
  for ((i = 0; i < timeout * 2; i++)); do
    sleep 0.5
    still=()
    for n in "${waiting[@]}"; do
      kafka_node "$n"
      pid="$(read_pid "$KN_NAME")"
      if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
        tail -n 20 "$KN_LOG" >&2
        rm -f "$(pid_file "$KN_NAME")"
        die "$KN_NAME: the broker exited during start-up (last lines above, full log: $KN_LOG)."
      fi
      if brokers="$(kafka_probe "$KN_PORT")"; then
        record_port "$KN_NAME" "$KN_PORT"
        info "$KN_NAME: up (pid $pid, port $KN_PORT, metadata answered: $(plural "$brokers" broker))"
      else
        still+=("$n")
      fi
    done
    ((${#still[@]} > 0)) || return 0
    waiting=("${still[@]}")
  done
  for n in "${waiting[@]}"; do
    kafka_node "$n"
    names+=("$KN_NAME")
  done
  tail -n 20 "$KN_LOG" >&2
  if ((KAFKA_N == 1)); then
    die "kafka: no metadata answer on 127.0.0.1:$KN_PORT after ${timeout}s (pid ${pid:-?} left running; log: $KN_LOG).
  fix: look at the log; stop it with deploy/local/stack.sh down kafka; raise KAFKA_START_TIMEOUT on a slow machine."
  fi
  die "${names[*]}: no metadata answer after ${timeout}s (left running; last lines of $KN_LOG above).
  fix: look at the logs (deploy/local/stack.sh logs kafka); a node needs a majority of the $KAFKA_N controllers up to start;
       stop them with deploy/local/stack.sh down kafka; raise KAFKA_START_TIMEOUT on a slow machine."
}

# kafka_wait_registered: wait until the cluster's metadata lists every running node, so that what
# runs next (topics apply, the registry) sees the real number of brokers.
kafka_wait_registered() {
  local timeout="${KAFKA_START_TIMEOUT:-90}" i n running=0 count='' port=''
  for n in $(kafka_nodes); do
    if [[ -n "$(kafka_node_pid "$n")" ]]; then
      running=$((running + 1))
      kafka_node "$n"
      port="$KN_PORT"
    fi
  done
  ((running > 0)) || return 0
  for ((i = 0; i < timeout * 2; i++)); do
    count="$(kafka_probe "$port" || true)"
    if [[ -n "$count" ]] && ((count >= running)); then
      info "kafka: cluster up, $(plural "$count" broker) registered: $(kafka_bootstrap)"
      return 0
    fi
    sleep 0.5
  done
  die "kafka: $running nodes run but the cluster's metadata lists ${count:-no} brokers after ${timeout}s.
  fix: look at the logs (deploy/local/stack.sh logs kafka); raise KAFKA_START_TIMEOUT on a slow machine."
}

# kafka_start_nodes [N...]: start the given nodes (default: all) that are not running.
kafka_start_nodes() {
  local n pid timeout="${KAFKA_START_TIMEOUT:-90}"
  local -a nodes=("$@") todo=()
  [[ -z "$KAFKA_MODE_CONFLICT" ]] || die "$KAFKA_MODE_CONFLICT"
  ((${#nodes[@]} > 0)) || mapfile -t nodes < <(kafka_nodes)
  kafka_check_ports
  for n in "${nodes[@]}"; do
    pid="$(kafka_node_pid "$n")"
    kafka_node "$n"
    if [[ -n "$pid" ]]; then
      info "$KN_NAME: already running (pid $pid, port $(running_port "$KN_NAME" "$KN_PORT"))"
    else
      todo+=("$n")
    fi
  done
  ((${#todo[@]} > 0)) || return 0
  for n in "${todo[@]}"; do
    kafka_node "$n"
    require_port_free "$KN_NAME" "$KN_PORT" KAFKA_PORT || exit 1
    require_port_free "$KN_NAME controller" "$KN_CPORT" KAFKA_CONTROLLER_PORT || exit 1
  done
  find_java
  kafka_fetch_jars
  ensure_state_dirs
  printf '%s\n' "$KAFKA_N" >"$KAFKA_MODE_FILE"
  for n in "${todo[@]}"; do
    kafka_node "$n"
    kafka_write_config
    kafka_format
  done
  for n in "${todo[@]}"; do
    kafka_node "$n"
    kafka_launch
    info "$KN_NAME: starting on 127.0.0.1:$KN_PORT (controller $KN_CPORT), waiting up to ${timeout}s"
  done
  kafka_wait_up "${todo[@]}"
  ((KAFKA_N == 1)) || kafka_wait_registered
}

kafka_start() { kafka_start_nodes "$@"; }

# kafka_stop_nodes [N...]: SIGTERM (controlled shutdown) to the given nodes (default: all) at once,
# SIGKILL after KAFKA_STOP_TIMEOUT (60 s). A broker's controlled shutdown needs the controllers'
# majority: all at once, so that it is still there while they shut down; and a node still running
# 10 s after the cluster lost its majority waits for nothing (Kafka would wait 5 minutes), so it
# gets SIGKILL then (its logs are recovered at the next start).
kafka_stop_nodes() {
  local n pid i ticks=0 lost=0 timeout="${KAFKA_STOP_TIMEOUT:-60}" alive others
  local -a nodes=("$@") names=() pids=() shown=() left=()
  ((${#nodes[@]} > 0)) || mapfile -t nodes < <(kafka_nodes)
  for n in "${nodes[@]}"; do
    pid="$(kafka_node_pid "$n")"
    kafka_node "$n"
    if [[ -n "$pid" ]]; then
      names+=("$KN_NAME")
      pids+=("$pid")
      shown+=("$KN_NAME (pid $pid)")
    elif ((${#nodes[@]} == 1)); then
      info "$KN_NAME: not running"
      return 0
    fi
  done
  if ((${#pids[@]} == 0)); then
    info "kafka: not running"
    return 0
  fi
  if ((KAFKA_N == 1)); then
    info "kafka: stopping (pid ${pids[0]})"
  elif ((${#nodes[@]} == 1)); then
    info "${names[0]}: stopping (pid ${pids[0]}, controlled shutdown)"
  else
    info "kafka: stopping $(IFS=,; printf '%s' "${shown[*]}" | sed 's/,/, /g')"
  fi
  # Nodes of the cluster that this call does not stop (they keep the majority, or not).
  others=0
  for n in $(kafka_nodes); do
    kafka_node "$n"
    [[ " ${names[*]} " == *" $KN_NAME "* ]] || [[ -z "$(kafka_node_pid "$n")" ]] || others=$((others + 1))
  done
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  while :; do
    left=()
    for i in "${!pids[@]}"; do
      pid_alive "${pids[i]}" && left+=("$i")
    done
    ((${#left[@]} > 0)) || break
    alive=$((others + ${#left[@]}))
    if ((KAFKA_N > 1 && alive * 2 <= KAFKA_N)); then lost=$((lost + 1)); fi
    if ((ticks >= timeout * 5 || lost >= 50)); then
      for i in "${left[@]}"; do
        if ((ticks >= timeout * 5)); then
          warn "${names[i]}: pid ${pids[i]} did not stop within ${timeout}s; sending SIGKILL"
        else
          warn "${names[i]}: the controllers' majority is gone, so its controlled shutdown cannot finish; sending SIGKILL (pid ${pids[i]})"
        fi
        kill -KILL "${pids[i]}" 2>/dev/null || true
      done
      sleep 0.5
      break
    fi
    sleep 0.2
    ticks=$((ticks + 1))
  done
  for i in "${!names[@]}"; do
    rm -f "$(pid_file "${names[i]}")"
    forget_port "${names[i]}"
  done
  if ((${#nodes[@]} == 1 && KAFKA_N > 1)); then info "${names[0]}: stopped"; else info "kafka: stopped"; fi
}

kafka_stop() { kafka_stop_nodes "$@"; }

# kafka_kill_node N: SIGKILL, no controlled shutdown: what a crash looks like to the cluster.
kafka_kill_node() {
  local pid i
  pid="$(kafka_node_pid "$1")"
  kafka_node "$1"
  if [[ -z "$pid" ]]; then
    info "$KN_NAME: not running"
    return 0
  fi
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pid_alive "$pid" || break
    sleep 0.2
  done
  if pid_alive "$pid"; then die "$KN_NAME: pid $pid still exists 10 s after SIGKILL"; fi
  rm -f "$(pid_file "$KN_NAME")"
  forget_port "$KN_NAME"
  if ((KAFKA_N == 1)); then
    info "kafka: killed (SIGKILL, pid $pid)"
  else
    info "$KN_NAME: killed (SIGKILL, pid $pid); the controllers fence it within broker.session.timeout.ms (9 s) and move its leaderships to the in-sync replicas"
  fi
}

# kafka_status and its helpers (the cluster view of `stack.sh status`).
# shellcheck source=lib/kafkaStatus.sh
. "$LOCAL_DIR/lib/kafkaStatus.sh"
