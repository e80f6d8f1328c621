#!/usr/bin/env bash
# The start command (`npm start`): installs what is missing, builds, starts the local stack
# (Kafka, schema registry, PostgreSQL, Redis), applies the topics, registers the event schemas
# and runs the demo conversation. The stack keeps running; `npm run stack down` stops it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_dependencies
build

say "starting the local stack"
bash deploy/local/stack.sh up
load_stack_env

say "applying topic declarations (topics/)"
node packages/cli/dist/main.js topics apply
say "registering event schemas (schemas/)"
node packages/cli/dist/main.js schemas register

say "demo: one conversation through every topic"
node packages/cli/dist/main.js demo

cat <<TXT

The platform's backbone is running:
  Kafka            ${KAFKA_BROKERS}
  Schema registry  ${SCHEMA_REGISTRY_URL}
  PostgreSQL       ${DATABASE_URL}
  Redis            ${REDIS_URL}

  npm run stack status       health of each part
  npm run stack logs kafka   a part's log (kafka, registry, postgres, redis)
  npm run stack down         stop everything
TXT
