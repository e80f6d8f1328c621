#!/usr/bin/env bash
# The one test command (`npm test`): installs what is missing, builds, lints, type-checks, runs the
# unit tests, starts the real local stack (Kafka, schema registry, PostgreSQL, Redis), applies the
# topics, registers and checks the schemas, and runs the integration tests against it.
#
#   npm test                 everything
#   npm test -- --unit       only lint, type-check and unit tests (no stack)
#   KEEP_STACK=1 npm test    leave the stack running afterwards even if this run started it
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

only_unit=0
for arg in "$@"; do
  case "$arg" in
    --unit) only_unit=1 ;;
    *) die "unknown option: $arg (known: --unit)" ;;
  esac
done

results_dir="$ROOT/.local/test-results"
mkdir -p "$results_dir"
rm -f "$results_dir"/*.json

install_dependencies
build

say "lint (ESLint, type-checked rules, import cycles)"
npx eslint --max-warnings 0 .
say "type-check the whole workspace"
npx tsc -p tsconfig.json

say "unit tests"
unit_status=0
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$results_dir/unit.json" || unit_status=$?

int_status=0
if (( only_unit == 0 )); then
  stack_was_up=0
  bash deploy/local/stack.sh status >/dev/null 2>&1 && stack_was_up=1
  if (( stack_was_up == 0 )) && [[ "${KEEP_STACK:-0}" != "1" ]]; then
    trap 'say "stopping the stack this run started"; bash deploy/local/stack.sh down || true' EXIT
  fi
  say "starting the local stack"
  bash deploy/local/stack.sh up
  load_stack_env

  say "topics: apply the declarations, then check there is no drift"
  node packages/cli/dist/main.js topics apply
  node packages/cli/dist/main.js topics check
  say "schemas: check compatibility (registry and git history), then register"
  node packages/cli/dist/main.js schemas check
  node packages/cli/dist/main.js schemas register

  say "database: migrations, checkpoint tables, the sample knowledge base (as npm start does)"
  node packages/cli/dist/main.js db migrate
  node packages/cli/dist/main.js knowledge ingest

  say "integration tests (real Kafka, registry, PostgreSQL, Redis)"
  npx vitest run --project int --reporter=default --reporter=json --outputFile.json="$results_dir/int.json" || int_status=$?

  say "end-to-end tests (the services as real processes)"
  npx vitest run --project e2e --reporter=default --reporter=json --outputFile.json="$results_dir/e2e.json" || int_status=$?
fi

# One closing line that any reader understands: "N passed, N failed".
node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const file of process.argv.slice(1)) {
    if (!fs.existsSync(file)) continue;
    const report = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += report.numPassedTests; failed += report.numFailedTests;
    // A file that failed outside its tests (a hook, an import) counts as a failure too.
    failed += report.testResults.filter((file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed")).length;
    skipped += report.numPendingTests + report.numTodoTests;
  }
  console.log(`\n${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results_dir/unit.json" "$results_dir/int.json" "$results_dir/e2e.json"

if (( unit_status != 0 || int_status != 0 )); then
  exit 1
fi
