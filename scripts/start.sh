#!/usr/bin/env bash
# The start command (`npm start`): installs what is missing, builds, starts the local stack
# (Kafka, schema registry, PostgreSQL, Redis), applies topics, registers schemas, migrates the
# database, ingests the knowledge base, starts the agent services and runs a demo: a how-to
# question and a refund that waits for a supervisor. Everything keeps running afterwards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_dependencies
build

say "starting the local stack"
bash deploy/local/stack.sh up
load_stack_env
cli() { node packages/cli/dist/main.js "$@"; }

say "topics, schemas, database, knowledge base"
cli topics apply | tail -n 1
cli schemas register | tail -n 1
cli db migrate
cli knowledge ingest

say "starting the agent services (offline model provider: no API key needed)"
bash scripts/services.sh start

say "demo"
show() {
  local conversation=$1 want=$2
  for _ in $(seq 1 60); do
    if cli conversation "$conversation" 2>/dev/null | grep -q "$want"; then break; fi
    sleep 0.5
  done
  cli conversation "$conversation" | grep -vE 'StepMetrics|LlmUsage' || true
}
question=$(cli ask --tenant demo-tenant --customer cust-42 --message "How do I reset my password? I can't sign in." | sed -E 's/.*"conversationId":"([^"]+)".*/\1/')
echo "a customer asks how to reset a password (conversation $question):"
show "$question" RunCompleted
refund=$(cli ask --tenant demo-tenant --customer cust-42 --message "I was charged twice for order 1001. Please refund the duplicate charge." | sed -E 's/.*"conversationId":"([^"]+)".*/\1/')
echo
echo "a customer asks for a refund above the automatic limit (conversation $refund):"
show "$refund" ApprovalRequested
echo
cli approvals list

cat <<TXT

The platform is running. Try:
  node packages/cli/dist/main.js approvals show <approval id>      what the supervisor sees
  node packages/cli/dist/main.js approvals approve <approval id>   resume the run
  node packages/cli/dist/main.js conversation $refund
  node packages/cli/dist/main.js ask --tenant demo-tenant --customer cust-42 --message "Where is order 1003?"

  bash scripts/services.sh status|stop   the agent services (logs in .local/logs/svc-*.log)
  npm run stack status|down              Kafka, registry, PostgreSQL, Redis
TXT
