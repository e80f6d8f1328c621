#!/usr/bin/env bash
# Smoke test of the Confluent schema-registry API served by the local registry.
# usage: deploy/local/registry/smoke.sh [base-url]
#   base-url defaults to the content of .local/run/registry.url (under STACK_DIR if set)
#   (e.g. http://127.0.0.1:8081/apis/ccompat/v7).
# Uses a fresh subject per run (smoke-<timestamp>-value); prints every request and
# response; exits non-zero on the first behaviour that differs from what we rely on.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../../.." && pwd)"
BASE="${1:-}"
URL_FILE="${STACK_DIR:-$ROOT/.local}/run/registry.url"
if [[ -z "$BASE" ]]; then
  [[ -f "$URL_FILE" ]] ||
    { echo "smoke: no URL given and $URL_FILE missing; start the registry first" >&2; exit 1; }
  BASE="$(cat "$URL_FILE")"
fi
SUBJECT="smoke-$(date +%s)-$$-value"
CT='Content-Type: application/vnd.schemaregistry.v1+json'
PASS=0 FAIL=0

schema() { # $1 = extra fields JSON (may be empty) -> request body with an escaped Avro schema
  local fields='{"name":"id","type":"string"}'
  [[ -n "$1" ]] && fields="$fields,$1"
  local avro="{\"type\":\"record\",\"name\":\"SmokeTicket\",\"namespace\":\"supportstream.smoke\",\"fields\":[$fields]}"
  printf '{"schema":%s}' "$(printf '%s' "$avro" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/"/')"
}
V1="$(schema '')"
V2_OK="$(schema '{"name":"priority","type":"int","default":0}')"
V2_BAD="$(schema '{"name":"owner","type":"string"}')" # new field without default: not BACKWARD

BODY="" CODE=""
call() { # $1 method, $2 path, [$3 body]
  local out
  if [[ $# -ge 3 ]]; then
    out="$(curl -sS -X "$1" -H "$CT" --data "$3" -w $'\n%{http_code}' "$BASE$2")"
  else
    out="$(curl -sS -X "$1" -w $'\n%{http_code}' "$BASE$2")"
  fi
  BODY="${out%$'\n'*}"; CODE="${out##*$'\n'}"
  printf '%-6s %-70s -> %s %s\n' "$1" "$2" "$CODE" "$BODY"
}
expect() { # $1 expected code, $2 grep -E pattern on body, $3 description
  if [[ "$CODE" == "$1" ]] && grep -Eq -- "$2" <<<"$BODY"; then
    PASS=$((PASS + 1))
  else
    FAIL=$((FAIL + 1)); echo "  FAIL: $3 (expected HTTP $1 and body matching /$2/)" >&2
  fi
}

call GET /config;                                           expect 200 '"compatibilityLevel"' 'global config readable'
call POST "/subjects/$SUBJECT/versions" "$V1";              expect 200 '^\{"id":[0-9]+\}$' 'register v1'
ID1="$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' <<<"$BODY")"
call POST "/subjects/$SUBJECT/versions" "$V1";              expect 200 "\"id\":$ID1" 're-register v1 is idempotent'
call GET "/schemas/ids/$ID1";                               expect 200 'SmokeTicket' 'get schema by id'
call GET "/subjects/$SUBJECT/versions";                     expect 200 '^\[1\]$' 'list versions'
call GET "/subjects/$SUBJECT/versions/latest";              expect 200 "\"version\":1,\"id\":$ID1" 'latest version'
call POST "/subjects/$SUBJECT" "$V1";                       expect 200 "\"id\":$ID1" 'lookup schema under subject'
call PUT "/config/$SUBJECT" '{"compatibility":"BACKWARD_TRANSITIVE"}'; expect 200 '"compatibility":"BACKWARD_TRANSITIVE"' 'set subject compatibility'
call GET "/config/$SUBJECT";                                expect 200 '"compatibilityLevel":"BACKWARD_TRANSITIVE"' 'get subject compatibility'
call POST "/compatibility/subjects/$SUBJECT/versions/latest" "$V2_OK";  expect 200 '"is_compatible":true' 'compatible vs latest'
call POST "/compatibility/subjects/$SUBJECT/versions/latest" "$V2_BAD"; expect 200 '"is_compatible":false' 'incompatible vs latest'
call POST "/compatibility/subjects/$SUBJECT/versions" "$V2_OK";         expect 200 '"is_compatible":true' 'compatible vs all'
call POST "/compatibility/subjects/$SUBJECT/versions" "$V2_BAD";        expect 200 '"is_compatible":false' 'incompatible vs all'
call POST "/subjects/$SUBJECT/versions" "$V2_BAD";          expect 409 '"error_code":409' 'incompatible registration refused with 409'
call POST "/subjects/$SUBJECT/versions" "$V2_OK";           expect 200 '^\{"id":[0-9]+\}$' 'register compatible v2'
call GET "/subjects/$SUBJECT/versions";                     expect 200 '^\[1,2\]$' 'two versions'
call GET /schemas/ids/999999999;                            expect 404 '"error_code":40403' 'unknown id -> 40403'
call GET /subjects/no-such-subject-smoke/versions;          expect 404 '"error_code":40401' 'unknown subject -> 40401'

echo "smoke: subject $SUBJECT at $BASE"
echo "$PASS passed, $FAIL failed"
[[ "$FAIL" -eq 0 ]]
