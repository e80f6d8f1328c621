# shellcheck shell=bash
# Client settings for the local stack (deploy/local/stack.sh). Source it:
#   . deploy/local/env.sh            (or: eval "$(deploy/local/stack.sh env)")
# Each URL keeps a value already set in the environment; otherwise it is built from the port
# variables that stack.sh also reads (KAFKA_PORT, POSTGRES_PORT, REDIS_PORT, SCHEMA_REGISTRY_PORT).
# No `set -e`/`set -u` here: this file is sourced into interactive shells too.

export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
export DATABASE_URL="${DATABASE_URL:-postgres://supportstream:supportstream@127.0.0.1:${POSTGRES_PORT:-5432}/supportstream}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT:-6379}}"
export SCHEMA_REGISTRY_URL="${SCHEMA_REGISTRY_URL:-http://127.0.0.1:${SCHEMA_REGISTRY_PORT:-8081}/apis/ccompat/v7}"
