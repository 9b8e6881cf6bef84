#!/usr/bin/env bash
# Times the `council` commands users wait on (verify, replay, export, import, directory and
# registrations from kept read models, bytes per event) on the kept generated logs of
# scripts/bench-generated.sh, at each size given (default 100000 and 1000000), ROUNDS times
# each (default 3), with both cores, as a user runs them:
#
#   bash scripts/bench-commands.sh                              # 100 000 and 1 000 000 events
#   ROUNDS=1 bash scripts/bench-commands.sh 100000,1000000,10000000
#   COMMANDS=first,replay RESULTS=/tmp/replay.jsonl bash scripts/bench-commands.sh
#
# Every run goes to RESULTS (Benchmarks/results/commands.jsonl by default, rewritten); a table of
# medians is printed at the end. COMMANDS picks some of first (the first questions, which build
# the kept read models), verify, replay, export, import, directory and registrations.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
sizes="${1:-100000,1000000}"
swift build -c release --product council
mkdir -p Benchmarks/results
python3 scripts/bench-commands.py "$PWD/.build/release/council" \
  "${COUNCILLOG_BENCH_LOGS:-$PWD/.build/bench-logs}" "$sizes" "${ROUNDS:-3}" \
  "${RESULTS:-Benchmarks/results/commands.jsonl}" \
  "${COMMANDS:-first,verify,replay,export,import,directory,registrations}"
# The chart, with the commands beside the harness's paths, when the harness has run.
if [ -z "${RESULTS:-}" ] && [ -f Benchmarks/results/generated.jsonl ]; then
  python3 scripts/bench-chart.py Benchmarks/results/generated.jsonl \
    Benchmarks/results/generated.svg Benchmarks/results/generated.json \
    Benchmarks/results/commands.jsonl
  echo "Chart: Benchmarks/results/generated.svg"
fi
