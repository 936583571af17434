#!/usr/bin/env bash
# Starts the local PostgreSQL 15 that the team-registry tests (and a one-machine try of the team
# store) use, and makes its test role. Idempotent: a running cluster and an existing role are kept.
# The tests reach it as LABBOOK_TEST_PG (default below). Without root or without Debian's
# postgresql, point LABBOOK_TEST_PG at an existing server's role that may CREATE DATABASE and
# CREATE ROLE instead; nothing here is then needed (without root it says so and leaves it to you).
set -euo pipefail
URL_DEFAULT='postgres://labbook_test:labbook_test@127.0.0.1:5432/postgres'
if [ -n "${LABBOOK_TEST_PG:-}" ] && [ "${LABBOOK_TEST_PG}" != "$URL_DEFAULT" ]; then
  echo "labbook: tests use the PostgreSQL server at LABBOOK_TEST_PG; not starting a local one" >&2
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "labbook: PostgreSQL is not installed: run kernel-lib/scripts/system-packages.sh as root (Debian's postgresql), or set LABBOOK_TEST_PG to a server of yours" >&2
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "labbook: starting the local PostgreSQL needs root (it runs as the user postgres); or set LABBOOK_TEST_PG to a server of yours" >&2
  exit 0
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
# Wait until it answers (a cluster just started may still be recovering).
for _ in $(seq 1 60); do
  if su postgres -c "psql -XAtqc 'SELECT 1'" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
# The test role creates a database per test file and the least-privilege roles it checks; it is
# not a superuser. Its password is only for this local, loopback-only server.
su postgres -c "psql -XAtq -v ON_ERROR_STOP=1" <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'labbook_test') THEN
    CREATE ROLE labbook_test LOGIN CREATEDB CREATEROLE PASSWORD 'labbook_test';
  END IF;
END $$;
SQL
echo "labbook: PostgreSQL $version is running; tests use $URL_DEFAULT" >&2
