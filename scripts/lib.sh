# shellcheck shell=bash
# Shared by scripts/test.sh and scripts/start.sh: install dependencies and build, idempotently.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

check_node() {
  command -v node >/dev/null || die "Node.js is not installed; install Node.js 20.19 or newer (https://nodejs.org)"
  local version major minor
  version="$(node -p 'process.versions.node')"
  major="${version%%.*}"; minor="$(echo "$version" | cut -d. -f2)"
  if (( major < 20 || (major == 20 && minor < 19) )); then
    die "Node.js $version is too old; this project needs 20.19 or newer"
  fi
  command -v npm >/dev/null || die "npm is missing; it ships with Node.js"
}

# Debian's Chromium for the console's browser tests (playwright-core drives it; no browser download).
# Skipped when /usr/bin/chromium exists; otherwise apt-get as root (or with sudo), quietly.
install_chromium() {
  [[ -x /usr/bin/chromium ]] && return
  local -a sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "warning: /usr/bin/chromium is missing and this is not root; the browser tests will fail (fix: apt-get install -y chromium)" >&2; return; }
    sudo=(sudo)
  fi
  say "installing Debian's chromium (browser tests of the console)"
  mkdir -p .local/logs
  if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >.local/logs/chromium-apt.log 2>&1; then
    tail -n 15 .local/logs/chromium-apt.log >&2
    die "apt-get install chromium failed (full log: .local/logs/chromium-apt.log)"
  fi
}

# npm ci only when node_modules does not match package-lock.json (a stamp keeps the hash).
install_dependencies() {
  check_node
  install_chromium
  local stamp=node_modules/.supportstream-install-stamp
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "dependencies are up to date"
    return
  fi
  say "installing npm dependencies"
  # npm 11.19 writes lock files without other platforms' optional packages and then refuses them
  # in `npm ci`; `npm install` still installs exactly the locked versions.
  if ! npm ci --no-audit --no-fund 2>/dev/null; then
    echo "npm ci refused the lock file (a known npm 11 problem with optional platform packages); using npm install"
    npm install --no-audit --no-fund
  fi
  echo "$want" > "$stamp"
}

build() {
  say "building (turbo: generate event types from schemas/, compile packages)"
  npx turbo run build --output-logs=errors-only
}

load_stack_env() {
  # shellcheck source=../deploy/local/env.sh
  source "$ROOT/deploy/local/env.sh"
}
