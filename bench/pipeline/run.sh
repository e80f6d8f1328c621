#!/usr/bin/env bash
# Pipeline benchmark (npm run bench:pipeline): builds, starts the stack, migrates, ingests the
# knowledge base, then runs bench/pipeline/conversations.ts (in-process mode, a distributed burst of
# BENCH_CONVERSATIONS with its cost per conversation, a paced run, the LangGraph floor). Writes
# bench/results/pipeline-*.json and bench/PIPELINE_RESULTS.md. On a shared stack run it under
# `flock -x /tmp/supportstream-stack.lock`: other traffic would count as the platform's cost.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npx turbo run build --output-logs=errors-only
bash deploy/local/stack.sh up
eval "$(bash deploy/local/stack.sh env)"
node packages/cli/dist/main.js topics apply > /dev/null
node packages/cli/dist/main.js schemas register > /dev/null
node packages/cli/dist/main.js db migrate
node packages/cli/dist/main.js knowledge ingest
npx tsx bench/pipeline/conversations.ts
