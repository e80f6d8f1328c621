#!/usr/bin/env bash
# Pipeline benchmark (npm run bench:pipeline): builds, starts the stack, migrates, ingests the
# knowledge base, then runs bench/pipeline/conversations.ts. Writes bench/results/pipeline-*.json
# and bench/PIPELINE_RESULTS.md.
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
