#!/usr/bin/env bash
# Local Confluent-compatible schema registry: Apicurio Registry 3.x, run from the
# prebuilt Quarkus fast-jar distribution that Apicurio publishes on Maven Central
# (io.apicurio:apicurio-registry-app:<version>:tar.gz:all), fetched with `mvn`.
# No Docker, no Quarkus build step.
#
# usage: deploy/local/registry/run.sh start|stop|status|restart|fetch|url
#
# Clients use the Confluent API at  http://127.0.0.1:${SCHEMA_REGISTRY_PORT}/apis/ccompat/v7
# (also written to .local/run/registry.url once the registry is healthy).
#
# Environment (all optional):
#   SCHEMA_REGISTRY_PORT             HTTP port of the API              (default 8081)
#   SCHEMA_REGISTRY_MANAGEMENT_PORT  port of /health and /metrics      (default 9081)
#   SCHEMA_REGISTRY_STORAGE          kafkasql | h2                     (default kafkasql)
#       kafkasql: state is a journal topic on the local Kafka (Kafka is the source of truth)
#       h2:       file database in .local/data/registry/h2 (no Kafka needed)
#   KAFKA_BROKERS                    bootstrap servers for kafkasql    (default 127.0.0.1:${KAFKA_PORT:-9092};
#                                    stack.sh passes every broker of a cluster)
#   STACK_DIR                        state directory                   (default <repo>/.local)
#   SCHEMA_REGISTRY_TOPIC_PREFIX     prefix of the registry's own topics (default _registry)
#                                    -> <prefix>-journal, <prefix>-snapshots, <prefix>-events
#   SCHEMA_REGISTRY_COMPATIBILITY    global default compatibility      (default BACKWARD, as Confluent)
#   SCHEMA_REGISTRY_HEAP             max Java heap                     (default 256m)
#   SCHEMA_REGISTRY_START_TIMEOUT    seconds to wait for health        (default 120)
#   SCHEMA_REGISTRY_JAVA             java binary (21+) to use          (default: auto-detect)
#   APICURIO_VERSION                 Apicurio Registry version         (default 3.3.3)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../../.." && pwd)"

APICURIO_VERSION="${APICURIO_VERSION:-3.3.3}"
PORT="${SCHEMA_REGISTRY_PORT:-8081}"
MGMT_PORT="${SCHEMA_REGISTRY_MANAGEMENT_PORT:-9081}"
HOST=127.0.0.1
STORAGE="${SCHEMA_REGISTRY_STORAGE:-kafkasql}"
KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
TOPIC_PREFIX="${SCHEMA_REGISTRY_TOPIC_PREFIX:-_registry}"
COMPATIBILITY="${SCHEMA_REGISTRY_COMPATIBILITY:-BACKWARD}"
HEAP="${SCHEMA_REGISTRY_HEAP:-256m}"
START_TIMEOUT="${SCHEMA_REGISTRY_START_TIMEOUT:-120}"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

CACHE_DIR="$ROOT/.cache/registry"
DIST_DIR="$CACHE_DIR/apicurio-registry-$APICURIO_VERSION"
RUN_JAR="$DIST_DIR/quarkus-run.jar"
# State beside the rest of the stack's: <repo>/.local, or STACK_DIR (see deploy/local/README.md).
STATE_DIR="${STACK_DIR:-$ROOT/.local}"
DATA_DIR="$STATE_DIR/data/registry"
LOG_DIR="$STATE_DIR/logs"
LOG_FILE="$LOG_DIR/registry.log"
RUN_DIR="$STATE_DIR/run"
PID_FILE="$RUN_DIR/registry.pid"
URL_FILE="$RUN_DIR/registry.url"
INFO_FILE="$RUN_DIR/registry.info"

API_URL="http://$HOST:$PORT/apis/ccompat/v7"
HEALTH_URL="http://$HOST:$MGMT_PORT/health/ready"

log() { printf 'registry: %s\n' "$*" >&2; }
die() { printf 'registry: ERROR: %s\n' "$*" >&2; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH. Fix: install it ($2)."
}

# --- java ---------------------------------------------------------------------

java_major() { # $1 = java binary -> prints major version (e.g. 17, 21, 25) or nothing
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \(1\.\)\{0,1\}\([0-9][0-9]*\).*/\2/p' | head -n1
}

find_java() { # prints a java 21+ binary, or fails with a clear message
  local cand major best="" best_major=0
  if [[ -n "${SCHEMA_REGISTRY_JAVA:-}" ]]; then
    major="$(java_major "$SCHEMA_REGISTRY_JAVA" || true)"
    [[ -n "$major" && "$major" -ge 21 ]] ||
      die "SCHEMA_REGISTRY_JAVA=$SCHEMA_REGISTRY_JAVA is not a Java 21+ binary (found '${major:-none}'). Fix: point it at a JDK 21+ bin/java or unset it."
    echo "$SCHEMA_REGISTRY_JAVA"; return
  fi
  local -a cands=()
  [[ -n "${JAVA_HOME:-}" ]] && cands+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && cands+=("$(command -v java)")
  for cand in /usr/lib/jvm/*/bin/java /opt/java/*/bin/java /opt/*jdk*/bin/java; do
    [[ -x "$cand" ]] && cands+=("$cand")
  done
  for cand in "${cands[@]}"; do
    [[ -x "$cand" ]] || continue
    major="$(java_major "$cand" || true)"
    [[ -n "$major" ]] || continue
    if (( major >= 21 && major > best_major )); then best="$cand"; best_major="$major"; fi
  done
  [[ -n "$best" ]] ||
    die "Apicurio Registry $APICURIO_VERSION needs Java 21 or newer; none found (checked JAVA_HOME, PATH, /usr/lib/jvm). Fix: install a JDK 21+ (this project's machines ship Temurin 25 in /usr/lib/jvm/temurin-25-jdk-amd64) or set SCHEMA_REGISTRY_JAVA=/path/to/jdk21+/bin/java."
  echo "$best"
}

# --- fetch (cached) ---------------------------------------------------------------

fetch() {
  if [[ -f "$RUN_JAR" ]]; then
    return 0
  fi
  need mvn "Maven 3.6+ is required to fetch Apicurio Registry from Maven Central"
  need tar "tar"
  mkdir -p "$CACHE_DIR"
  local tmp artifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all"
  tmp="$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")"
  log "fetching $artifact from Maven Central via mvn (~160 MB, once)..."
  local t0=$SECONDS
  if ! mvn -B -q --strict-checksums "$DEP_PLUGIN:copy" \
      -Dartifact="$artifact" -DoutputDirectory="$tmp" -Dmdep.overWriteReleases=true \
      >"$tmp/mvn.log" 2>&1; then
    cat "$tmp/mvn.log" >&2
    rm -rf "$tmp"
    die "mvn could not fetch $artifact. Fix: check network access to Maven Central (and ~/.m2/settings.xml proxies/mirrors), then retry."
  fi
  mkdir -p "$tmp/dist"
  tar -xzf "$tmp/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$tmp/dist" ||
    { rm -rf "$tmp"; die "could not unpack the Apicurio distribution (corrupt download?). Fix: delete ~/.m2/repository/io/apicurio/apicurio-registry-app/$APICURIO_VERSION and retry."; }
  [[ -f "$tmp/dist/quarkus-run.jar" ]] ||
    { rm -rf "$tmp"; die "the Apicurio distribution has no quarkus-run.jar; version $APICURIO_VERSION is not supported by this script."; }
  rm -rf "$DIST_DIR"
  mv "$tmp/dist" "$DIST_DIR"
  rm -rf "$tmp"
  log "fetched Apicurio Registry $APICURIO_VERSION into ${DIST_DIR#"$ROOT"/} in $((SECONDS - t0)) s"
}

# --- process helpers ------------------------------------------------------------

# pid of our registry if it is running, else nothing
running_pid() {
  [[ -f "$PID_FILE" ]] || return 0
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  # guard against a recycled pid: it must be our quarkus-run.jar
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$CACHE_DIR/.*quarkus-run.jar"; then
    echo "$pid"
  fi
}

port_open() { # $1 host, $2 port -> 0 if something accepts connections
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

healthy() { # [$1 api url, $2 health url]: both must answer
  curl -fsS -m 3 -o /dev/null "${2:-$HEALTH_URL}" 2>/dev/null &&
    curl -fsS -m 3 -o /dev/null "${1:-$API_URL}/mode" 2>/dev/null
}

info_get() { # $1 key -> value recorded in the info file of the running instance
  [[ -f "$INFO_FILE" ]] && sed -n "s/^$1=//p" "$INFO_FILE" | head -n1
  return 0
}

who_listens() { # best effort description of the process on port $1
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n1
  fi
}

check_kafka() {
  local b host port
  IFS=',' read -r -a brokers <<<"$KAFKA_BROKERS"
  for b in "${brokers[@]}"; do
    b="${b#*://}"; host="${b%:*}"; port="${b##*:}"
    if port_open "$host" "$port"; then return 0; fi
  done
  die "Kafka is not reachable at KAFKA_BROKERS=$KAFKA_BROKERS (storage 'kafkasql' keeps the registry's state in Kafka). Fix: start Kafka first ('bash deploy/local/stack.sh up kafka'), set KAFKA_BROKERS, or run without Kafka using SCHEMA_REGISTRY_STORAGE=h2."
}

# --- commands -----------------------------------------------------------------------

cmd_start() {
  need curl "curl is used for health checks"
  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    local want="port=$PORT mgmt=$MGMT_PORT storage=$STORAGE" have
    have="port=$(info_get port) mgmt=$(info_get mgmt_port) storage=$(info_get kind)"
    [[ "$have" == "$want" ]] ||
      die "already running (pid $pid) with $have, but this start asks for $want. Fix: '$0 stop' first, then start again."
    if healthy; then
      log "already running (pid $pid) at $API_URL"
      echo "$API_URL" >"$URL_FILE"
      return 0
    fi
    log "process $pid exists but is not healthy yet; waiting for it"
  else
    local java
    java="$(find_java)"
    fetch
    for p in "$PORT" "$MGMT_PORT"; do
      if port_open "$HOST" "$p"; then
        local who; who="$(who_listens "$p")"
        die "port $p on $HOST is already in use${who:+ by $who}. Fix: stop that process, or choose other ports with SCHEMA_REGISTRY_PORT / SCHEMA_REGISTRY_MANAGEMENT_PORT."
      fi
    done

    mkdir -p "$DATA_DIR/tmp" "$LOG_DIR" "$RUN_DIR"
    local -a env_args=(
      "QUARKUS_HTTP_HOST=$HOST"
      "QUARKUS_HTTP_PORT=$PORT"
      "QUARKUS_MANAGEMENT_HOST=$HOST"
      "QUARKUS_MANAGEMENT_PORT=$MGMT_PORT"
      # small connection pool: this is a single-developer registry
      "APICURIO_DATASOURCE_JDBC_INITIAL_SIZE=2"
      "APICURIO_DATASOURCE_JDBC_MIN_SIZE=2"
      "APICURIO_DATASOURCE_JDBC_MAX_SIZE=10"
      "APICURIO_STORAGE_SNAPSHOT_LOCATION=$DATA_DIR/snapshots"
    )
    local -a sys_props=(
      # global default rule, so GET /config answers like Confluent (BACKWARD) instead of NONE
      "-Dapicurio.rules.global.compatibility=$COMPATIBILITY"
      # the Kafka clients log every config dump and rebalance at INFO
      '-Dquarkus.log.category."org.apache.kafka".level=WARN'
    )
    local where
    case "$STORAGE" in
      kafkasql)
        check_kafka
        env_args+=(
          "APICURIO_STORAGE_KIND=kafkasql"
          "APICURIO_KAFKASQL_BOOTSTRAP_SERVERS=$KAFKA_BROKERS"
          "APICURIO_KAFKASQL_TOPIC=$TOPIC_PREFIX-journal"
          "APICURIO_KAFKASQL_SNAPSHOTS_TOPIC=$TOPIC_PREFIX-snapshots"
          "APICURIO_EVENTS_KAFKA_TOPIC=$TOPIC_PREFIX-events"
          "APICURIO_KAFKASQL_CONSUMER_GROUP_PREFIX=supportstream-registry-"
          # default 5 s; startup polls the journal/snapshot topics several times until empty
          "APICURIO_KAFKASQL_CONSUMER_POLL_TIMEOUT=1000"
        )
        where="kafkasql on $KAFKA_BROKERS (topic $TOPIC_PREFIX-journal)"
        mkdir -p "$DATA_DIR/snapshots"
        ;;
      h2)
        mkdir -p "$DATA_DIR/h2" "$DATA_DIR/snapshots"
        env_args+=(
          "APICURIO_STORAGE_KIND=sql"
          "APICURIO_STORAGE_SQL_KIND=h2"
          "APICURIO_DATASOURCE_URL=jdbc:h2:file:$DATA_DIR/h2/registry"
        )
        where="h2 file ${DATA_DIR#"$ROOT"/}/h2"
        ;;
      *) die "unknown SCHEMA_REGISTRY_STORAGE='$STORAGE'. Fix: use 'kafkasql' (default) or 'h2'." ;;
    esac

    if [[ -f "$LOG_FILE" ]] && (( $(stat -c %s "$LOG_FILE") > 20971520 )); then
      mv -f "$LOG_FILE" "$LOG_FILE.1"
    fi
    printf '\n===== %s registry start: Apicurio %s, storage %s, java %s =====\n' \
      "$(date -u +%FT%TZ)" "$APICURIO_VERSION" "$where" "$java" >>"$LOG_FILE"

    # setsid: own session, so Ctrl-C in the calling terminal does not kill it
    local launcher=()
    command -v setsid >/dev/null 2>&1 && launcher=(setsid)
    (
      # close inherited descriptors (e.g. stack.sh's lock on fd 9) so the daemon holds none
      for fd in /proc/self/fd/*; do
        fd="${fd##*/}"
        if [[ "$fd" =~ ^[0-9]+$ ]] && ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
      done
      cd "$DATA_DIR"
      exec env "${env_args[@]}" "${launcher[@]}" "$java" \
        -Xms64m "-Xmx$HEAP" -XX:+UseSerialGC -XX:MaxMetaspaceSize=256m \
        -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir="$DATA_DIR/tmp" \
        "${sys_props[@]}" -jar "$RUN_JAR"
    ) </dev/null >>"$LOG_FILE" 2>&1 &
    pid=$!
    echo "$pid" >"$PID_FILE"
    printf 'kind=%s\nstorage=%s\nversion=%s\npid=%s\nport=%s\nmgmt_port=%s\nurl=%s\nhealth=%s\n' \
      "$STORAGE" "$where" "$APICURIO_VERSION" "$pid" "$PORT" "$MGMT_PORT" "$API_URL" "$HEALTH_URL" >"$INFO_FILE"
    log "starting Apicurio Registry $APICURIO_VERSION (pid $pid, heap $HEAP, storage $where); log: ${LOG_FILE#"$ROOT"/}"
  fi

  local t0=$SECONDS
  while (( SECONDS - t0 < START_TIMEOUT )); do
    if healthy; then
      echo "$API_URL" >"$URL_FILE"
      log "healthy after $((SECONDS - t0)) s: $API_URL"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      tail -n 40 "$LOG_FILE" >&2 || true
      die "the registry process exited during startup (last log lines above; full log ${LOG_FILE#"$ROOT"/})."
    fi
    sleep 1
  done
  tail -n 40 "$LOG_FILE" >&2 || true
  die "not healthy after ${START_TIMEOUT}s (still running as pid $pid; see ${LOG_FILE#"$ROOT"/}). Fix: check the log; stop it with '$0 stop'."
}

cmd_stop() {
  local pid
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE" "$URL_FILE" "$INFO_FILE"
    log "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 30; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid did not stop within 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE" "$URL_FILE" "$INFO_FILE"
  log "stopped (pid $pid)"
}

cmd_status() {
  local pid storage url health
  pid="$(running_pid)"
  storage="$(info_get storage)"
  url="$(info_get url)"; url="${url:-$API_URL}"
  health="$(info_get health)"; health="${health:-$HEALTH_URL}"
  if [[ -n "$pid" ]] && healthy "$url" "$health"; then
    echo "$url" >"$URL_FILE"
    echo "registry: healthy pid=$pid url=$url storage=${storage:-?}"
    return 0
  elif [[ -n "$pid" ]]; then
    echo "registry: running but NOT healthy pid=$pid url=$url (starting? see ${LOG_FILE#"$ROOT"/})"
    return 1
  fi
  echo "registry: stopped (start with: bash deploy/local/registry/run.sh start)"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  fetch) fetch; echo "$RUN_JAR" ;;
  url) echo "$API_URL" ;;
  *) echo "usage: $0 start|stop|status|restart|fetch|url" >&2; exit 2 ;;
esac
