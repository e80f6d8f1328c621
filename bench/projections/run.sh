#!/usr/bin/env bash
# Projection benchmark (npm run bench:projections): builds, starts the stack, then runs
# bench/projections/rebuild.ts. Writes bench/results/projections-*.json and bench/PROJECTIONS_RESULTS.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npx turbo run build --output-logs=errors-only
bash deploy/local/stack.sh up
eval "$(bash deploy/local/stack.sh env)"
node packages/cli/dist/main.js schemas register > /dev/null
npx tsx bench/projections/rebuild.ts
