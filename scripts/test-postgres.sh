#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the storage tests and prints
#   export CARBONDESK_TEST_PG_URL=...
# for `eval`. Installs Debian's postgresql when missing (as root). Reuses a server it started before.
# Without root or PostgreSQL it prints nothing and the PostgreSQL tests are skipped -- except under
# CI (CI=true), where that is an error.
set -euo pipefail

PORT=${CARBONDESK_TEST_PG_PORT:-54329}
BASE=${CARBONDESK_TEST_PG_DIR:-/tmp/carbondesk-test-pg}
URL="postgresql+psycopg2://postgres@127.0.0.1:${PORT}/postgres"

fail() {
  echo "test-postgres: $*" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 0
}

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ "${1:-}" = "--stop" ]; then  # stop the server this script started (make test does it at the end)
  BIN=$(pgbin)
  if [ -n "$BIN" ] && [ -d "$BASE/data" ]; then
    if [ "$(id -u)" -eq 0 ]; then
      su postgres -s /bin/sh -c "'$BIN/pg_ctl' -D '$BASE/data' -m fast -w stop" >/dev/null 2>&1 || true
    else
      "$BIN/pg_ctl" -D "$BASE/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
  fi
  exit 0
fi

if [ -z "$(pgbin)" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "test-postgres: installing postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
  else
    fail "PostgreSQL is not installed and this user cannot install it; PostgreSQL tests will be skipped"
  fi
fi
BIN=$(pgbin)

if "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
  echo "export CARBONDESK_TEST_PG_URL=$URL"
  exit 0
fi

run_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -s /bin/sh -c "$1"
  else
    sh -c "$1"
  fi
}

if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  fail "no postgres system user"
fi
rm -rf "$BASE"
mkdir -p "$BASE"
[ "$(id -u)" -eq 0 ] && chown postgres "$BASE"
run_as_postgres "'$BIN/initdb' -D '$BASE/data' -A trust -U postgres -E UTF8 >'$BASE/initdb.log' 2>&1" \
  || fail "initdb failed: $(tail -n 5 "$BASE/initdb.log")"
run_as_postgres "'$BIN/pg_ctl' -D '$BASE/data' -l '$BASE/server.log' -w -t 60 \
  -o \"-p $PORT -k '$BASE' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start >/dev/null" \
  || fail "the server did not start: $(tail -n 5 "$BASE/server.log")"
echo "export CARBONDESK_TEST_PG_URL=$URL"
echo "export CARBONDESK_TEST_PG_STARTED=1"  # started here: make test stops it when the tests end
