#!/usr/bin/env bash
# Measures what users wait on, on the log `council generate --seed 3` makes, at each size given
# (default: 100000 and 1000000), and draws the curve:
#
#   bash scripts/bench-generated.sh                      # 100 000 and 1 000 000 events
#   bash scripts/bench-generated.sh 100000,1000000,10000000
#
# Each generated log is made once (about 5 minutes a million events here) and kept in
# COUNCILLOG_BENCH_LOGS (default .build/bench-logs). The run's iterations go to
# Benchmarks/results/generated.jsonl; scripts/bench-chart.py draws them into
# Benchmarks/results/generated.svg and writes their medians to Benchmarks/results/generated.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
sizes="${1:-100000,1000000}"
mkdir -p Benchmarks/results
export COUNCILLOG_BENCH_SIZES="$sizes"
export COUNCILLOG_BENCH_LOGS="${COUNCILLOG_BENCH_LOGS:-$PWD/.build/bench-logs}"
export COUNCILLOG_BENCH_RESULTS="$PWD/Benchmarks/results/generated.jsonl"
rm -f "$COUNCILLOG_BENCH_RESULTS"
(cd Benchmarks && swift package --disable-sandbox benchmark --filter "Generated log.*")
# With the commands' runs of scripts/bench-commands.sh beside them, when there are some.
commands=()
if [ -f Benchmarks/results/commands.jsonl ]; then commands=(Benchmarks/results/commands.jsonl); fi
python3 scripts/bench-chart.py "$COUNCILLOG_BENCH_RESULTS" Benchmarks/results/generated.svg \
  Benchmarks/results/generated.json "${commands[@]}"
echo "Chart: Benchmarks/results/generated.svg; medians: Benchmarks/results/generated.json"
