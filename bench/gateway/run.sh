#!/usr/bin/env bash
# Gateway benchmark (npm run bench:gateway): builds, starts the stack, prepares the namespace
# bench-gateway (topics, registry subjects, database), raises the open-files limit (the gateway
# holds one socket per stream, the client another), then runs bench/gateway/gateway.ts. Writes
# bench/results/gateway-*.json and bench/GATEWAY_RESULTS.md. On a shared stack, run it under
# `flock -x /tmp/supportstream-stack.lock`: other traffic would count as the gateway's cost.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npx turbo run build --output-logs=errors-only
bash deploy/local/stack.sh up
eval "$(bash deploy/local/stack.sh env)"
export SUPPORTSTREAM_NAMESPACE="${SUPPORTSTREAM_NAMESPACE:-bench-gateway}"
node packages/cli/dist/main.js db migrate > /dev/null
node packages/cli/dist/main.js topics apply > /dev/null
node packages/cli/dist/main.js schemas register > /dev/null
# The gateway holds one socket per stream and the client process another: raise the soft limit if needed.
want=$(( ${BENCH_STREAMS:-10000} + 2000 ))
soft="$(ulimit -n)"
if [[ "$soft" != unlimited && "$soft" -lt "$want" ]]; then
  ulimit -n "$want" 2>/dev/null || {
    echo "bench:gateway: the open-files limit is $soft (hard $(ulimit -Hn)), below the $want that ${BENCH_STREAMS:-10000} streams need per process; lower BENCH_STREAMS or raise the hard limit" >&2
    exit 1
  }
fi
npx tsx bench/gateway/gateway.ts
