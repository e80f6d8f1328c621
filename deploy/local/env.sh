# shellcheck shell=bash
# Client settings for the local stack (deploy/local/stack.sh). Source it:
#   . deploy/local/env.sh            (or: eval "$(deploy/local/stack.sh env)")
# Each URL keeps a value already set in the environment; otherwise it is built from the port
# variables that stack.sh also reads (KAFKA_PORT, POSTGRES_PORT, REDIS_PORT, SCHEMA_REGISTRY_PORT).
# In cluster mode (recorded in <state>/data/kafka.brokers by `STACK_BROKERS=3 stack.sh up`, state
# in STACK_DIR or <repo>/.local) KAFKA_BROKERS lists every broker: KAFKA_PORT, KAFKA_PORT+2, ...
# No `set -e`/`set -u` here: this file is sourced into interactive shells too (and it must not
# fail under a caller's `set -e`).

_ss_state="${STACK_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/../.." && pwd)/.local}"
_ss_n="$({ tr -cd '0-9' <"$_ss_state/data/kafka.brokers"; } 2>/dev/null || true)"
# A single node's data from before the record existed counts as the record.
[ -z "$_ss_n" ] && [ -f "$_ss_state/data/kafka/logs/meta.properties" ] && _ss_n=1
_ss_n="${_ss_n:-${STACK_BROKERS:-1}}"
_ss_port="${KAFKA_PORT:-9092}"
_ss_brokers="127.0.0.1:$_ss_port"
_ss_i=1
while [ "$_ss_i" -lt "$_ss_n" ]; do
  _ss_brokers="$_ss_brokers,127.0.0.1:$((_ss_port + 2 * _ss_i))"
  _ss_i=$((_ss_i + 1))
done
export KAFKA_BROKERS="${KAFKA_BROKERS:-$_ss_brokers}"
unset _ss_state _ss_n _ss_port _ss_brokers _ss_i
export DATABASE_URL="${DATABASE_URL:-postgres://supportstream:supportstream@127.0.0.1:${POSTGRES_PORT:-5432}/supportstream}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT:-6379}}"
export SCHEMA_REGISTRY_URL="${SCHEMA_REGISTRY_URL:-http://127.0.0.1:${SCHEMA_REGISTRY_PORT:-8081}/apis/ccompat/v7}"
