#!/usr/bin/env bash
# Cluster mode, end to end, on a stack of its own: three KRaft brokers, PostgreSQL, Redis and the
# registry on other ports with their own state dir, so the stack on the default ports (and whoever
# uses it) is not touched. Then: status, topics apply/check (replication 3, min.insync.replicas 2),
# the schemas, kafkaStatus.int.test.ts, and cluster.int.test.ts with STACK_CHAOS=1 (a broker
# SIGKILLed and restarted under an acks=all producer). The stack is stopped at the end (KEEP=1
# keeps it running); its data stays in the state dir for the next run (RESET=1 drops it first).
#
#   bash deploy/local/cluster-check.sh
#
# Its ports and state dir, each overridable with a CLUSTER_ variable (not the plain names, so a
# shell set up for the default stack cannot point this at it): CLUSTER_KAFKA_PORT=29092 (brokers on
# 29092, 29094, 29096), CLUSTER_KAFKA_CONTROLLER_PORT=29093 (29093, 29095, 29097),
# CLUSTER_POSTGRES_PORT=25432, CLUSTER_REDIS_PORT=26379, CLUSTER_SCHEMA_REGISTRY_PORT=28081,
# CLUSTER_SCHEMA_REGISTRY_MANAGEMENT_PORT=29081, CLUSTER_STACK_DIR=<repo>/.local/cluster-check.
# Needs a build (npm run build) for the CLI.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

export STACK_BROKERS=3
export STACK_DIR="${CLUSTER_STACK_DIR:-$ROOT/.local/cluster-check}"
export KAFKA_PORT="${CLUSTER_KAFKA_PORT:-29092}"
export KAFKA_CONTROLLER_PORT="${CLUSTER_KAFKA_CONTROLLER_PORT:-29093}"
export POSTGRES_PORT="${CLUSTER_POSTGRES_PORT:-25432}"
export REDIS_PORT="${CLUSTER_REDIS_PORT:-26379}"
export SCHEMA_REGISTRY_PORT="${CLUSTER_SCHEMA_REGISTRY_PORT:-28081}"
export SCHEMA_REGISTRY_MANAGEMENT_PORT="${CLUSTER_SCHEMA_REGISTRY_MANAGEMENT_PORT:-29081}"
# The client URLs come from the ports above, not from a shell that points at the default stack.
unset KAFKA_BROKERS DATABASE_URL REDIS_URL SCHEMA_REGISTRY_URL

STACK=(bash deploy/local/stack.sh)
CLI=(node packages/cli/dist/main.js)
say() { printf '\n== cluster-check: %s\n' "$*"; }

[[ -f packages/cli/dist/main.js ]] || {
  echo "cluster-check: packages/cli/dist/main.js missing; run npm run build first" >&2
  exit 1
}

if [[ "${RESET:-0}" == 1 ]]; then
  say "RESET=1: dropping $STACK_DIR"
  "${STACK[@]}" down || true
  rm -rf "$STACK_DIR"
fi
if [[ "${KEEP:-0}" != 1 ]]; then
  trap 'say "stopping the cluster stack (KEEP=1 keeps it)"; "${STACK[@]}" down || true' EXIT
fi

say "up: 3 brokers on $KAFKA_PORT/$((KAFKA_PORT + 2))/$((KAFKA_PORT + 4)), state in $STACK_DIR"
"${STACK[@]}" up
"${STACK[@]}" status
eval "$("${STACK[@]}" env)"
echo "KAFKA_BROKERS=$KAFKA_BROKERS"

say "topics: apply the declarations (replication 3, min.insync.replicas 2), then check"
"${CLI[@]}" topics apply
"${CLI[@]}" topics check
say "schemas: register"
"${CLI[@]}" schemas register >/dev/null

say "the status script against the cluster"
npx vitest run --project int deploy/local/kafkaStatus.int.test.ts

say "cluster tests, with a broker killed and restarted (STACK_CHAOS=1)"
STACK_CHAOS=1 npx vitest run --project int deploy/local/cluster.int.test.ts

"${STACK[@]}" status
say "passed"
