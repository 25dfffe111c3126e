#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs a command beside a throwaway PostgreSQL server: `pg-run.sh COMMAND ARGS...`.
#
# Creates a folder in /tmp, runs Debian's initdb there (from /usr/lib/postgresql/*/bin,
# PATH or CAU_TEST_PG_BINDIR; as the postgres user when running as root, since initdb
# refuses root), starts postgres listening only on a Unix socket in that folder (fsync
# off: nothing here needs to survive), waits until it accepts connections, creates the
# database cau_test and runs COMMAND with:
#
#   CAU_TEST_PG_URL            postgresql:///cau_test?host=DIR&user=postgres (superuser,
#                              trust authentication)
#   CAU_TEST_PG_HOST           DIR, the socket folder
#   CAU_TEST_PG_PASSWORD_USER  a role that must log in with a password (scram-sha-256),
#   CAU_TEST_PG_PASSWORD       ... this one, for tests of password handling
#
# then stops the server and deletes the folder whatever happened, and exits with
# COMMAND's status. When PostgreSQL cannot be started (no binaries, root without a
# postgres user, a failed start), it says why on stderr and runs COMMAND without these
# variables, so the PostgreSQL tests skip; with CAU_TEST_PG_REQUIRED=1 it fails instead.
set -uo pipefail

if [ $# -eq 0 ]; then
  echo "usage: pg-run.sh COMMAND [ARGS...]" >&2
  exit 2
fi

note() {
  echo "pg-run: $*" >&2
}

# The bin folder: CAU_TEST_PG_BINDIR, else the newest Debian PostgreSQL, else PATH's.
find_bindir() {
  local d
  if [ -n "${CAU_TEST_PG_BINDIR:-}" ]; then
    [ -x "$CAU_TEST_PG_BINDIR/initdb" ] && echo "$CAU_TEST_PG_BINDIR"
    return
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && { echo "$d"; return 0; }
  done
  d=$(command -v initdb 2>/dev/null) || return 1
  dirname "$d"
}

tmp=""
data=""
as_pg=()
bindir=""
server_pid=""

cleanup() {
  if [ -n "$server_pid" ]; then
    "${as_pg[@]}" "$bindir/pg_ctl" stop -D "$data" -m fast -w -t 10 >/dev/null 2>&1 ||
      kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=""
  fi
  [ -n "$tmp" ] && rm -rf "$tmp"
  tmp=""
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts the server; on failure says why and returns 1 (the caller runs COMMAND alone).
start_server() {
  bindir=$(find_bindir) || { note "no PostgreSQL binaries (apt-get install postgresql)"; return 1; }
  if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1 || ! command -v setpriv >/dev/null; then
      note "running as root without a postgres user or setpriv; initdb refuses root"
      return 1
    fi
    # setpriv execs in place (runuser would stay as a parent that, on SIGTERM, waits 2 s
    # before it lets go): postgres stays our child and in our process group, so a test
    # runner that kills the group kills the server too.
    as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  fi
  # /tmp, not $TMPDIR: the postgres user must reach it, and a socket path is short.
  tmp=$(mktemp -d /tmp/cau-pg.XXXXXX) || return 1
  data="$tmp/data"
  [ ${#as_pg[@]} -gt 0 ] && chown postgres: "$tmp"
  chmod 0755 "$tmp"

  if ! "${as_pg[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 \
      --locale=C --no-sync --no-instructions >"$tmp/initdb.log" 2>&1; then
    note "initdb failed:"; cat "$tmp/initdb.log" >&2
    return 1
  fi
  # One role that must give its password; everyone else is trusted (a throwaway server).
  printf 'local all cau_password scram-sha-256\nlocal all all trust\n' >"$data/pg_hba.conf"

  "${as_pg[@]}" "$bindir/postgres" -D "$data" -k "$tmp" -c listen_addresses= \
    -c unix_socket_permissions=0777 -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off -c logging_collector=off >"$tmp/postgres.log" 2>&1 &
  server_pid=$!

  local deadline=$((SECONDS + 20))
  until "$bindir/pg_isready" -q -h "$tmp" -U postgres -d postgres -t 1; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid" 2>/dev/null
      server_pid=""
      note "postgres exited while starting:"; cat "$tmp/postgres.log" >&2
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      note "postgres not ready after 20 s:"; cat "$tmp/postgres.log" >&2
      return 1
    fi
    sleep 0.05
  done

  if ! "$bindir/psql" -q -X -v ON_ERROR_STOP=1 -h "$tmp" -U postgres -d postgres \
      -c "CREATE DATABASE cau_test" \
      -c "CREATE ROLE cau_password LOGIN PASSWORD 'cau-right-password'" >&2; then
    note "could not create the test database"
    return 1
  fi
  export CAU_TEST_PG_URL="postgresql:///cau_test?host=$tmp&user=postgres"
  export CAU_TEST_PG_HOST="$tmp"
  export CAU_TEST_PG_PASSWORD_USER=cau_password
  export CAU_TEST_PG_PASSWORD=cau-right-password
  return 0
}

if ! start_server; then
  cleanup
  if [ "${CAU_TEST_PG_REQUIRED:-0}" = 1 ]; then
    note "CAU_TEST_PG_REQUIRED=1: not running $1 without PostgreSQL"
    exit 1
  fi
  note "running $1 without PostgreSQL (CAU_TEST_PG_URL unset)"
fi

"$@"
status=$?
if [ $status -ne 0 ] && [ -n "$tmp" ]; then
  note "$1 failed (status $status); the server's last words:"
  tail -n 20 "$tmp/postgres.log" >&2
fi
exit $status
