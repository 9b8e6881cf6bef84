#!/usr/bin/env bash
# The project's test command: installs what is missing (scripts/setup.sh), starts a throwaway
# PostgreSQL cluster of the project's own (127.0.0.1, a free port, password authentication, data
# under .build/pg-test-cluster; see scripts/pg-cluster.sh), runs every test with the `Postgres`
# trait (the LMDB, council and PostgreSQL tests in one run), and stops the cluster at the end
# whatever happens, exiting with the tests' status. Arguments go to `swift test` (for example
# `--filter Postgres`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

root="$(bash scripts/pg-cluster.sh root "$PWD/.build/pg-test-cluster" councillog-pg-test)"
cluster="$root/main"
# Clusters the fault tests left behind in an earlier run that was interrupted.
for old in "$root"/fault-*; do
  if [ -d "$old" ]; then bash scripts/pg-cluster.sh stop "$old" || true; rm -rf "$old"; fi
done
password="councillog-test-$RANDOM$RANDOM"

stop_cluster() {
  local status=$?
  bash scripts/pg-cluster.sh stop "$cluster" || true
  exit "$status"
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port="$(bash scripts/pg-cluster.sh init "$cluster" "$password")"

export COUNCILLOG_POSTGRES_URL="postgres://councillog:$password@127.0.0.1:$port/councillog"
# Where the fault tests start clusters of their own, to stop and kill.
export COUNCILLOG_POSTGRES_CLUSTERS="$root"
# The master key of personal data that the tests' logs (and the `council` commands they run)
# make and use: one of the test run's own, not the user's (~/.config/council/master-key).
export XDG_CONFIG_HOME="$PWD/.build/test-config"
unset COUNCIL_MASTER_KEY COUNCIL_MASTER_KEY_FILE
swift test --traits Postgres "$@"
