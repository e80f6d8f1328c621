# shellcheck shell=bash
# PostgreSQL: a private cluster in .local/data/postgres, from the Debian packages, listening on
# 127.0.0.1 only. PostgreSQL refuses to run as root, so as root it runs as the `postgres` OS user.
# Sourced after lib/common.sh.

PG_DATA="$DATA_DIR/postgres"
PG_LOG="$LOG_DIR/postgres.log"
PG_ROLE=supportstream
PG_PASSWORD=supportstream
PG_DB=supportstream

# The socket carries the superuser's admin connection (trust, mode 0700). Unix socket paths are
# limited to ~107 bytes, so a deep checkout falls back to /tmp.
PG_SOCKET_DIR="$RUN_DIR/postgres"
if ((${#PG_SOCKET_DIR} > 90)); then
  PG_SOCKET_DIR=/tmp
fi

# pg_bindir: the server's bin directory (pg_config first, then the newest /usr/lib/postgresql/*).
pg_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1 && d="$(pg_config --bindir 2>/dev/null)" &&
    [[ -x "$d/initdb" && -x "$d/postgres" ]]; then
    printf '%s\n' "$d"
    return 0
  fi
  while read -r d; do
    [[ -x "$d/initdb" && -x "$d/postgres" ]] && {
      printf '%s\n' "$d"
      return 0
    }
  done < <(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V -r)
  return 1
}

# pg_as CMD...: run as the postgres OS user when root (from /, so no "could not change directory").
pg_as() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# pg_debian_cluster_on PORT: "VERSION NAME" of an online Debian-managed cluster on PORT, if any.
pg_debian_cluster_on() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 0
  pg_lsclusters -h 2>/dev/null | awk -v p="$1" '$3 == p && $4 ~ /^online/ { print $1, $2; exit }'
}

# postgres_after_install: apt-get just installed PostgreSQL; on some machines the package creates
# and starts its own "main" cluster on 5432. Stop it and keep it from starting at boot.
postgres_after_install() {
  local ver name
  read -r ver name <<<"$(pg_debian_cluster_on "$POSTGRES_PORT")"
  [[ -z "${ver:-}" ]] && return 0
  info "postgres: the Debian package started its own cluster $ver/$name on port $POSTGRES_PORT; stopping it" \
    "and setting it to manual start (this stack runs its own cluster in $PG_DATA)"
  pg_ctlcluster "$ver" "$name" stop || true
  if [[ -f "/etc/postgresql/$ver/$name/start.conf" ]]; then
    printf 'manual\n' >"/etc/postgresql/$ver/$name/start.conf"
  fi
}

# Directories the postgres OS user must own or be able to pass through.
pg_prepare_dirs() {
  local d
  mkdir -p "$PG_DATA" "$PG_SOCKET_DIR"
  touch "$PG_LOG"
  is_root || return 0
  id postgres >/dev/null 2>&1 ||
    die "postgres: the OS user 'postgres' does not exist. fix: apt-get install -y --reinstall postgresql-common"
  chown postgres:postgres "$PG_DATA" "$PG_LOG"
  chmod 700 "$PG_DATA"
  if [[ "$PG_SOCKET_DIR" != /tmp ]]; then
    chown postgres:postgres "$PG_SOCKET_DIR"
    chmod 700 "$PG_SOCKET_DIR"
  fi
  # Every ancestor must be searchable by postgres (e.g. a checkout under /root is not).
  local -a chain=()
  d="$STATE_DIR"
  while [[ "$d" != / ]]; do
    chain=("$d" "${chain[@]}")
    d="$(dirname "$d")"
  done
  for d in "${chain[@]}" "$DATA_DIR" "$RUN_DIR" "$LOG_DIR"; do
    if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
      info "postgres: chmod o+x $d (search only), so the postgres OS user can reach its data directory"
      chmod o+x "$d"
    fi
  done
}

# postgres_pid: the postmaster's pid if our cluster runs ('' if not).
postgres_pid() {
  local pid=''
  if [[ -f "$PG_DATA/postmaster.pid" ]]; then
    pid="$(head -n1 "$PG_DATA/postmaster.pid" | tr -cd '0-9')"
  fi
  if [[ -n "$pid" ]] && pid_alive "$pid" && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == postgres ]]; then
    printf '%s\n' "$pid" >"$(pid_file postgres)"
    printf '%s\n' "$pid"
  else
    rm -f "$(pid_file postgres)"
  fi
}

# Role and database for the services (idempotent). CREATEDB so integration tests can make their own.
pg_ensure_db() {
  pg_as "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$POSTGRES_PORT" -U postgres -d postgres \
    >/dev/null <<SQL || die "postgres: could not create role/database $PG_ROLE (see above; log: $PG_LOG)"
SELECT 'CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD ''$PG_PASSWORD'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE')\gexec
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_ROLE'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB')\gexec
SQL
}

postgres_start() {
  local pid ver name
  PG_BIN="$(pg_bindir)" || die "postgres: server binaries not found. fix: apt-get install -y postgresql"
  pid="$(postgres_pid)"
  if [[ -n "$pid" ]]; then
    POSTGRES_PORT="$(running_port postgres "$POSTGRES_PORT")"
    info "postgres: already running (pid $pid, port $POSTGRES_PORT)"
    pg_ensure_db
    return 0
  fi
  read -r ver name <<<"$(pg_debian_cluster_on "$POSTGRES_PORT")"
  if [[ -n "${ver:-}" ]]; then
    die "postgres: port $POSTGRES_PORT is taken by the Debian-managed cluster $ver/$name (not this stack's).
  fix: stop it: pg_ctlcluster $ver $name stop   (and keep it from starting at boot:
       echo manual > /etc/postgresql/$ver/$name/start.conf), or use another port: export POSTGRES_PORT=5433"
  fi
  require_port_free postgres "$POSTGRES_PORT" POSTGRES_PORT || exit 1
  ensure_state_dirs
  pg_prepare_dirs

  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    info "postgres: initdb in $PG_DATA"
    pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --no-locale >>"$PG_LOG" 2>&1 ||
      die "postgres: initdb failed; see $PG_LOG. fix: remove the half-made $PG_DATA and retry."
    printf "\n# Local stack settings, rewritten on every start by deploy/local/lib/postgres.sh.\ninclude_if_exists = 'supportstream.conf'\n" |
      pg_as tee -a "$PG_DATA/postgresql.conf" >/dev/null
  fi
  pg_as tee "$PG_DATA/supportstream.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $POSTGRES_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
unix_socket_permissions = 0700
max_connections = 200
EOF
  info "postgres: starting on 127.0.0.1:$POSTGRES_PORT"
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "${POSTGRES_START_TIMEOUT:-60}" start >/dev/null || {
    tail -n 15 "$PG_LOG" >&2
    die "postgres: did not start within ${POSTGRES_START_TIMEOUT:-60}s (last lines above, full log: $PG_LOG)."
  }
  record_port postgres "$POSTGRES_PORT"
  pg_ensure_db
  info "postgres: up (pid $(postgres_pid), port $POSTGRES_PORT, database $PG_DB, role $PG_ROLE)"
}

postgres_stop() {
  local pid
  PG_BIN="$(pg_bindir)" || {
    info "postgres: not installed, nothing to stop"
    return 0
  }
  pid="$(postgres_pid)"
  if [[ -z "$pid" ]]; then
    info "postgres: not running"
    return 0
  fi
  info "postgres: stopping (pid $pid)"
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "${POSTGRES_STOP_TIMEOUT:-60}" stop >/dev/null ||
    die "postgres: pg_ctl stop failed; see $PG_LOG"
  rm -f "$(pid_file postgres)"
  forget_port postgres
  info "postgres: stopped"
}

postgres_status() {
  local pid ready
  pid="$(postgres_pid)"
  if [[ -z "$pid" ]]; then
    status_line postgres down "$POSTGRES_PORT" - "not running"
    return 1
  fi
  POSTGRES_PORT="$(running_port postgres "$POSTGRES_PORT" 2>/dev/null)"
  PG_BIN="$(pg_bindir)" || true
  if ready="$("${PG_BIN:-/usr/bin}/pg_isready" -h 127.0.0.1 -p "$POSTGRES_PORT" -t 3 2>&1)"; then
    status_line postgres up "$POSTGRES_PORT" "$pid" "pg_isready: ${ready#*- }"
  else
    status_line postgres down "$POSTGRES_PORT" "$pid" "pg_isready: ${ready#*- }"
    return 1
  fi
}
