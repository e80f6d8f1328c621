# shellcheck shell=bash
# Kafka 3.9.2, single node, KRaft combined mode (broker + controller in one JVM), run from the jars
# that deploy/local/kafka/pom.xml fetches from Maven Central. Sourced after lib/common.sh.

KAFKA_POM="$LOCAL_DIR/kafka/pom.xml"
KAFKA_LIBS="$CACHE_DIR/kafka/libs"
KAFKA_STAMP="$KAFKA_LIBS/.pom.sha256"
KAFKA_DATA="$DATA_DIR/kafka"
KAFKA_PROPS="$CONF_DIR/kafka/server.properties"
KAFKA_LOG="$LOG_DIR/kafka.log"
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

# kafka_is_ours PID: the pid is a broker started by this stack (from this repo's config).
kafka_is_ours() {
  local cmd
  cmd="$(proc_cmdline "$1")"
  [[ "$cmd" == *" kafka.Kafka $KAFKA_PROPS"* ]]
}

# kafka_pid: the running broker's pid ('' if none); drops a stale pid file, adopts a broker of this
# repo whose pid file was lost.
kafka_pid() {
  local pid file
  file="$(pid_file kafka)"
  pid="$(read_pid kafka)"
  if [[ -n "$pid" ]] && pid_alive "$pid" && kafka_is_ours "$pid"; then
    printf '%s\n' "$pid"
    return 0
  fi
  if [[ -f "$file" ]]; then
    rm -f "$file"
    warn "kafka: removed stale pid file $file (pid ${pid:-?} is not running Kafka)"
  fi
  # shellcheck disable=SC2153 # KAFKA_PORT is set in lib/common.sh
  for pid in $(port_pids "$KAFKA_PORT"); do
    if kafka_is_ours "$pid"; then
      printf '%s\n' "$pid" >"$file"
      printf '%s\n' "$pid"
      return 0
    fi
  done
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

kafka_write_config() {
  mkdir -p "$(dirname "$KAFKA_PROPS")" "$KAFKA_DATA/logs"
  cat >"$KAFKA_PROPS" <<EOF
# Generated by deploy/local/lib/kafka.sh on every start; edit that file, not this one.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA/logs
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
EOF
}

# kafka_format: format the storage once, with a cluster id kept in the data dir.
kafka_format() {
  local id_file="$KAFKA_DATA/cluster.id" id
  [[ -f "$KAFKA_DATA/logs/meta.properties" ]] && return 0
  if [[ -s "$id_file" ]]; then
    id="$(cat "$id_file")"
  else
    id="$(kafka_tool kafka.tools.StorageTool random-uuid)"
    printf '%s\n' "$id" >"$id_file"
  fi
  info "kafka: formatting storage in $KAFKA_DATA/logs (cluster id $id)"
  kafka_tool kafka.tools.StorageTool format -t "$id" -c "$KAFKA_PROPS" --ignore-formatted >>"$KAFKA_LOG" 2>&1 ||
    die "kafka: formatting the storage failed; see $KAFKA_LOG.
  fix: if $KAFKA_DATA holds data from another cluster, reset it: deploy/local/stack.sh down kafka && rm -rf $KAFKA_DATA"
}

kafka_start() {
  local pid timeout="${KAFKA_START_TIMEOUT:-90}" i brokers
  pid="$(kafka_pid)"
  if [[ -n "$pid" ]]; then
    info "kafka: already running (pid $pid, port $(running_port kafka "$KAFKA_PORT"))"
    return 0
  fi
  require_port_free kafka "$KAFKA_PORT" KAFKA_PORT || exit 1
  require_port_free "kafka controller" "$KAFKA_CONTROLLER_PORT" KAFKA_CONTROLLER_PORT || exit 1
  find_java
  kafka_fetch_jars
  ensure_state_dirs
  kafka_write_config
  kafka_format

  local -a heap jvm
  read -r -a heap <<<"${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
  read -r -a jvm <<<"${KAFKA_JVM_OPTS:-}"
  printf '\n[%s] ===== stack.sh: starting Kafka (%s) =====\n' "$(date '+%F %T')" "$JAVA_BIN" >>"$KAFKA_LOG"
  # setsid: own session, so the broker outlives this shell and a Ctrl-C in it. The inner shell
  # writes its own pid (exec keeps it for java) so the pid file is right even if setsid forks.
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  setsid "$BASH" -c 'printf "%s\n" "$$" >"$0"; exec "$@"' "$(pid_file kafka)" \
    "$JAVA_BIN" "${heap[@]}" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    "${jvm[@]}" "-Dlog4j.configuration=file:$LOCAL_DIR/kafka/log4j.properties" \
    "-Dsupportstream.kafka.log=$KAFKA_LOG" "-Dkafka.logs.dir=$LOG_DIR" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS" >>"$KAFKA_LOG" 2>&1 </dev/null &

  info "kafka: starting on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT), waiting up to ${timeout}s"
  for ((i = 0; i < timeout * 2; i++)); do
    sleep 0.5
    pid="$(read_pid kafka)"
    if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
      tail -n 20 "$KAFKA_LOG" >&2
      rm -f "$(pid_file kafka)"
      die "kafka: the broker exited during start-up (last lines above, full log: $KAFKA_LOG)."
    fi
    if brokers="$(kafka_probe "$KAFKA_PORT")"; then
      record_port kafka "$KAFKA_PORT"
      info "kafka: up (pid $pid, port $KAFKA_PORT, metadata answered: $brokers broker)"
      return 0
    fi
  done
  tail -n 20 "$KAFKA_LOG" >&2
  die "kafka: no metadata answer on 127.0.0.1:$KAFKA_PORT after ${timeout}s (pid ${pid:-?} left running; log: $KAFKA_LOG).
  fix: look at the log; stop it with deploy/local/stack.sh down kafka; raise KAFKA_START_TIMEOUT on a slow machine."
}

kafka_stop() {
  local pid
  pid="$(kafka_pid)"
  if [[ -z "$pid" ]]; then
    info "kafka: not running"
    return 0
  fi
  info "kafka: stopping (pid $pid)"
  stop_pid kafka "$pid" "${KAFKA_STOP_TIMEOUT:-60}"
  rm -f "$(pid_file kafka)"
  forget_port kafka
  info "kafka: stopped"
}

kafka_status() {
  local pid brokers
  pid="$(kafka_pid)"
  [[ -n "$pid" ]] && KAFKA_PORT="$(running_port kafka "$KAFKA_PORT" 2>/dev/null)"
  if [[ -n "$pid" ]] && brokers="$(kafka_probe "$KAFKA_PORT")"; then
    status_line kafka up "$KAFKA_PORT" "$pid" "metadata ok ($brokers broker)"
  elif [[ -n "$pid" ]]; then
    status_line kafka down "$KAFKA_PORT" "$pid" "process running but no metadata answer (starting? see logs kafka)"
    return 1
  else
    status_line kafka down "$KAFKA_PORT" - "not running"
    return 1
  fi
}
