#!/usr/bin/env bash
# Runs the benchmarks with the PostgreSQL ones beside LMDB: starts a throwaway PostgreSQL
# cluster WITH fsync on (durable commits, as the LMDB benchmarks are; see scripts/pg-cluster.sh,
# data under .build/pg-bench-cluster), exports its URL as COUNCILLOG_POSTGRES_URL (and the psql
# that runs the binary COPY-out baseline as COUNCILLOG_PSQL), runs
# `swift package --disable-sandbox benchmark` in Benchmarks/ with the arguments given (for
# example `--filter "PostgreSQL.*"`), and stops the cluster at the end whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts="$PWD/scripts"
bash "$scripts/setup.sh"

root="$(bash "$scripts/pg-cluster.sh" root "$PWD/.build/pg-bench-cluster" councillog-pg-bench)"
cluster="$root/main"
password="councillog-bench-$RANDOM$RANDOM"

stop_cluster() {
  local status=$?
  bash "$scripts/pg-cluster.sh" stop "$cluster" || true
  exit "$status"
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export PG_FSYNC=on
port="$(bash "$scripts/pg-cluster.sh" init "$cluster" "$password")"

export COUNCILLOG_POSTGRES_URL="postgres://councillog:$password@127.0.0.1:$port/councillog"
for candidate in /usr/lib/postgresql/15/bin/psql $(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V -r) "$(command -v psql || true)"; do
  if [ -x "$candidate" ]; then export COUNCILLOG_PSQL="$candidate"; break; fi
done
cd Benchmarks
swift package --disable-sandbox benchmark "$@"
