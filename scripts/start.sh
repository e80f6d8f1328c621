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

say "starting the services: projections, agents (offline model provider: no API key needed), notifier, analytics, gateway"
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

echo
echo "the same through the HTTP API (gateway on 127.0.0.1:${GATEWAY_PORT:-8080}) with a service API key:"
key=$(cli apikeys create --tenant demo-tenant --role service --name "demo $(date +%s)" --json | sed -E 's/.*"key":"([^"]+)".*/\1/')
api="http://127.0.0.1:${GATEWAY_PORT:-8080}"
echo "+ curl -X POST $api/v1/requests -H 'x-api-key: …' -d '{\"customerId\":\"cust-42\",\"message\":\"Where is order 1003?\"}'"
submitted=$(curl -fsS -X POST "$api/v1/requests" -H "x-api-key: $key" -H 'content-type: application/json' -d '{"customerId":"cust-42","message":"Where is order 1003?"}')
echo "$submitted"
via_api=$(echo "$submitted" | sed -E 's/.*"conversationId":"([^"]+)".*/\1/')
for _ in $(seq 1 60); do
  curl -fsS "$api/v1/conversations/$via_api" -H "x-api-key: $key" 2>/dev/null | grep -qE '"status":"(RESOLVED|AWAITING_APPROVAL|HANDED_OFF|FALLBACK)"' && break
  sleep 0.5
done
echo "+ curl $api/v1/conversations/$via_api"
curl -fsS "$api/v1/conversations/$via_api" -H "x-api-key: $key"
echo

# The console (services/console, served by the gateway at /console) with a supervisor key to sign in.
supervisor_key=$(cli apikeys create --tenant demo-tenant --role supervisor --name "console $(date +%s)" --json | sed -E 's/.*"key":"([^"]+)".*/\1/')
# The customer chat (/console/chat) with a development token of cust-42, signed with the gateway's
# secret: .local/secrets.env (scripts/services.sh writes it; variables already set win, as there),
# loaded in the $(…) subshell only. The token travels in the URL fragment, which is never sent.
gateway_secrets() {
  local name value
  while IFS='=' read -r name value; do
    [[ -n "$name" && -z "${!name:-}" ]] && export "$name=$value"
  done < .local/secrets.env
  return 0
}
chat_url="$api/console/chat"
if customer_token=$(gateway_secrets && cli tokens customer --tenant demo-tenant --customer cust-42 --ttl 8h --json | sed -E 's/.*"token":"([^"]+)".*/\1/'); then
  chat_url="$chat_url#token=$customer_token"
else
  echo "warning: no customer token for the chat (see above); paste one into the chat page" >&2
fi

say "Prometheus (Debian's package, installed if missing) scraping every service, with the alert rules"
bash deploy/local/prometheus.sh start

cat <<TXT

The console: $api/console/  (sign in with this supervisor API key of demo-tenant:
  $supervisor_key
  the refund above waits in its approvals queue)
The customer chat: $chat_url
  (cust-42 of demo-tenant, valid 8 h; a new token: node packages/cli/dist/main.js tokens customer
  --tenant demo-tenant --customer cust-42, with .local/secrets.env loaded)

The platform is running; Prometheus on http://127.0.0.1:${PROMETHEUS_PORT:-9090} (alerts, graphs of the
dashboards' queries: deploy/grafana/README.md). Try:
  node packages/cli/dist/main.js approvals show <approval id>      what the supervisor sees
  node packages/cli/dist/main.js approvals approve <approval id>   resume the run
  node packages/cli/dist/main.js audit history $refund              every event, its schema version and cause
  node packages/cli/dist/main.js projections rebuild                replay the log, prove the read model equal
  curl -N $api/v1/conversations/$via_api/stream -H "x-api-key: $key"   the live event stream (SSE)
  node packages/cli/dist/main.js ask --tenant demo-tenant --customer cust-42 --message "Where is order 1003?"

  bash scripts/services.sh status|stop   the services (logs in .local/logs/svc-*.log)
  npm run stack status|down              Kafka, registry, PostgreSQL, Redis
  deploy/local/prometheus.sh status|stop Prometheus
TXT
