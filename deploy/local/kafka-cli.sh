#!/usr/bin/env bash
# Kafka's own CLI tools, run from the same 3.9.2 jars as the local broker (no tarball needed).
#   deploy/local/kafka-cli.sh <tool> [args...]     e.g. topics --bootstrap-server 127.0.0.1:9092 --list
# Nothing is added to the arguments: pass --bootstrap-server yourself (local stack: 127.0.0.1:9092,
# or "$KAFKA_BROKERS" after sourcing deploy/local/env.sh). Tool logging: WARN and above, on stderr.
set -euo pipefail

# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/kafka.sh
. "$LOCAL_DIR/lib/kafka.sh"

# tool name | main class (checked against the 3.9.2 jars: several moved from core/Scala to tools/Java)
TOOLS="
topics               org.apache.kafka.tools.TopicCommand
consumer-groups      org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
console-consumer     org.apache.kafka.tools.consumer.ConsoleConsumer
console-producer     kafka.tools.ConsoleProducer
producer-perf-test   org.apache.kafka.tools.ProducerPerformance
consumer-perf-test   org.apache.kafka.tools.ConsumerPerformance
configs              kafka.admin.ConfigCommand
broker-api-versions  kafka.admin.BrokerApiVersionsCommand
get-offsets          org.apache.kafka.tools.GetOffsetShell
delete-records       org.apache.kafka.tools.DeleteRecordsCommand
metadata-quorum      org.apache.kafka.tools.MetadataQuorumCommand
transactions         org.apache.kafka.tools.TransactionsCommand
dump-log             kafka.tools.DumpLogSegments
storage              kafka.tools.StorageTool
"

usage() {
  cat <<EOF
usage: deploy/local/kafka-cli.sh <tool> [args...]
       deploy/local/kafka-cli.sh class <main.Class> [args...]   (any other main class in the jars)

tools (each takes --help):
$(printf '%s\n' "$TOOLS" | sed '/^$/d; s/^/  /')

The broker address is not added for you: --bootstrap-server 127.0.0.1:${KAFKA_PORT} (the local stack).
Examples:
  deploy/local/kafka-cli.sh topics --bootstrap-server 127.0.0.1:9092 --create --topic demo --partitions 3
  deploy/local/kafka-cli.sh consumer-groups --bootstrap-server 127.0.0.1:9092 --group g --topic demo \\
      --reset-offsets --to-earliest --execute
EOF
}

main() {
  local tool="${1:-}" main_class
  if [[ -z "$tool" || "$tool" == help || "$tool" == -h || "$tool" == --help ]]; then
    usage
    return 0
  fi
  shift
  if [[ "$tool" == class ]]; then
    main_class="${1:-}"
    [[ -n "$main_class" ]] || die "usage: kafka-cli.sh class <main.Class> [args...]"
    shift
  else
    main_class="$(printf '%s\n' "$TOOLS" | awk -v t="$tool" '$1 == t { print $2 }')"
    [[ -n "$main_class" ]] || {
      usage >&2
      die "unknown tool '$tool'"
    }
  fi
  find_java
  # Fetch quietly if needed (first use before any `stack.sh up`): stdout is the tool's only.
  kafka_fetch_jars >&2
  local -a opts
  read -r -a opts <<<"${KAFKA_CLI_JVM_OPTS:--Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
  exec "$JAVA_BIN" "${opts[@]}" "-Dlog4j.configuration=file:$KAFKA_TOOLS_LOG4J" \
    -cp "$KAFKA_LIBS/*" "$main_class" "$@"
}

main "$@"
