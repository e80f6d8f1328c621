#!/usr/bin/env bash
# The runtime's produce-to-consume benchmark beside Kafka's own perf tools, in one run on the
# local stack; records bench/results/runtime-<UTC time>.json and regenerates bench/RESULTS.md.
#   npm run bench                         (= bash bench/run.sh, from the repository root)
#   BENCH_EVENTS=20000 npm run bench      (settings: see bench/README.md)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUN_STARTED="$(date +%s)"
export BENCH_EVENTS="${BENCH_EVENTS:-50000}"
export BENCH_PARTITIONS="${BENCH_PARTITIONS:-6}"
export BENCH_RECORD_BYTES="${BENCH_RECORD_BYTES:-1024}"
export BENCH_LATENCY_RATE="${BENCH_LATENCY_RATE:-2000}"
export BENCH_LATENCY_SECONDS="${BENCH_LATENCY_SECONDS:-10}"

# JVM options of Kafka's own bin/kafka-producer-perf-test.sh (KAFKA_HEAP_OPTS=-Xmx512M) and
# bin/kafka-run-class.sh. kafka-cli.sh's defaults (C1 only, serial GC) suit quick admin commands,
# not a benchmark.
PERF_JVM_OPTS="${BENCH_KAFKA_JVM_OPTS:--Xmx512M -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"

step() { printf '\n== %s\n' "$*" >&2; }
kafka_cli() { bash deploy/local/kafka-cli.sh "$@"; }

# The exact command to reproduce this run: every BENCH_* setting in force, then npm run bench.
reproduce_command() {
  local name value settings=()
  for name in $(compgen -e | grep '^BENCH_' | sort); do
    printf -v value '%q' "${!name}"
    settings+=("$name=$value")
  done
  printf '%s npm run bench\n' "${settings[*]}"
}
BENCH_COMMAND="$(reproduce_command)"

step "dependencies and build"
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npx turbo run build --output-logs=errors-only

step "local stack (Kafka, schema registry, PostgreSQL, Redis)"
bash deploy/local/stack.sh up
eval "$(bash deploy/local/stack.sh env)"
node packages/cli/dist/main.js schemas register

# Java, Kafka version and broker pid as the stack scripts know them (same jars as the broker).
# shellcheck disable=SC1091 # sourced from the repository, paths are fixed
stack_facts="$(
  . deploy/local/lib/common.sh
  . deploy/local/lib/kafka.sh
  find_java
  "$JAVA_BIN" -version 2>&1 | head -n1
  jar="$(compgen -G "$KAFKA_LIBS/kafka-clients-*.jar" | head -n1)"
  jar="${jar##*/kafka-clients-}"
  printf '%s\n' "${jar%.jar}"
  read_pid kafka
)"
{
  read -r BENCH_JAVA_VERSION
  read -r BENCH_KAFKA_VERSION
  read -r broker_pid || true
} <<<"$stack_facts"
export BENCH_JAVA_VERSION BENCH_KAFKA_VERSION BENCH_COMMAND BENCH_RUN_STARTED="$RUN_STARTED" PERF_JVM_OPTS

WORK="$(mktemp -d -t bench-run.XXXXXX)"
STAMP="$(date -u +%Y%m%d%H%M%S)-$$"
TOPIC_MATCHED="bench-kafka-$STAMP-matched"
TOPIC_RATE="bench-kafka-$STAMP-rate"
TOPIC_DEFAULTS="bench-kafka-$STAMP-defaults"
GROUP="bench-kafka-$STAMP-consumer"

cleanup() {
  local status=$?
  step "cleanup"
  # The group first: deleting its topic would drop its offsets and the group with them.
  kafka_cli consumer-groups --bootstrap-server "$KAFKA_BROKERS" --delete --group "$GROUP" >/dev/null 2>&1 || true
  kafka_cli topics --bootstrap-server "$KAFKA_BROKERS" --delete --topic "bench-kafka-$STAMP-.*" >/dev/null 2>&1 || true
  if ((status == 0)); then rm -rf "$WORK"; else printf 'bench failed; its outputs are in %s\n' "$WORK" >&2; fi
}
trap cleanup EXIT

# run_tool NAME TOOL ARGS...: runs a Kafka tool, keeping its command line and output for report.ts.
run_tool() {
  local name="$1"
  shift
  printf "KAFKA_CLI_JVM_OPTS='%s' bash deploy/local/kafka-cli.sh %s\n" "$PERF_JVM_OPTS" "$*" >"$WORK/$name.cmd"
  KAFKA_CLI_JVM_OPTS="$PERF_JVM_OPTS" kafka_cli "$@" 2>&1 | tee "$WORK/$name.out" >&2
}

step "runtime: createEventProducer -> Kafka -> createConsumerRunner"
node --import tsx bench/runtime/produceConsume.ts ${broker_pid:+--broker-pid "$broker_pid"} --out "$WORK/runtime.json"

step "Kafka's own tools, same broker"
for topic in "$TOPIC_MATCHED" "$TOPIC_RATE" "$TOPIC_DEFAULTS"; do
  kafka_cli topics --bootstrap-server "$KAFKA_BROKERS" --create --topic "$topic" --partitions "$BENCH_PARTITIONS" --replication-factor 1 >/dev/null
done
# The runtime's producer settings (kafkajs: acks=all, idempotent, one request in flight).
MATCHED_PROPS=(acks=all enable.idempotence=true max.in.flight.requests.per.connection=1)
step "producer-perf-test, runtime's settings, unthrottled"
run_tool producer-matched producer-perf-test --topic "$TOPIC_MATCHED" --num-records "$BENCH_EVENTS" --record-size "$BENCH_RECORD_BYTES" \
  --throughput -1 --producer-props "bootstrap.servers=$KAFKA_BROKERS" "${MATCHED_PROPS[@]}"
step "producer-perf-test, runtime's settings, at the latency phase's rate"
run_tool producer-fixed-rate producer-perf-test --topic "$TOPIC_RATE" --num-records "$((BENCH_LATENCY_RATE * BENCH_LATENCY_SECONDS))" \
  --record-size "$BENCH_RECORD_BYTES" --throughput "$BENCH_LATENCY_RATE" --producer-props "bootstrap.servers=$KAFKA_BROKERS" "${MATCHED_PROPS[@]}"
step "producer-perf-test, Java client defaults"
run_tool producer-defaults producer-perf-test --topic "$TOPIC_DEFAULTS" --num-records "$BENCH_EVENTS" --record-size "$BENCH_RECORD_BYTES" \
  --throughput -1 --producer-props "bootstrap.servers=$KAFKA_BROKERS"
step "consumer-perf-test, reading the first producer-perf-test topic"
run_tool consumer consumer-perf-test --bootstrap-server "$KAFKA_BROKERS" --topic "$TOPIC_MATCHED" --messages "$BENCH_EVENTS" \
  --group "$GROUP" --timeout 30000

step "report"
node --import tsx bench/report.ts --dir "$WORK"
printf 'total %s s\n' "$(($(date +%s) - RUN_STARTED))" >&2
