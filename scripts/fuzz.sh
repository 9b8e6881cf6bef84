#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (swiftc -sanitize=fuzzer,address); see Fuzz/README.md.
#
#   scripts/fuzz.sh build           builds the targets into .build-fuzz/
#   scripts/fuzz.sh short           builds, then fuzzes each target for 30 s (CI); exits non-zero
#                                   on any crash
#   scripts/fuzz.sh long SECONDS    builds, then fuzzes each target for SECONDS, one after the
#                                   other, going on after a crash; prints executions and crashes
#   scripts/fuzz.sh run TARGET SECONDS [libFuzzer flags...]   one target, stopping at a crash
#
# Targets: record (RecordView and everything a reader does with it, from raw bytes) and
# interchange (Interchange.event(fromLine:number:), one line of JSON Lines).
# FUZZ_BUILD_DIR overrides the build directory; crashes land in $FUZZ_BUILD_DIR/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD="${FUZZ_BUILD_DIR:-.build-fuzz}"
OBJ="$BUILD/obj"
FIXTURE=Tests/CouncilTests/Fixtures/format1.jsonl
TARGETS=(record interchange)
SWIFTC=(swiftc -swift-version 6 -package-name CouncilLog -parse-as-library -O -g
  -sanitize=fuzzer,address -warnings-as-errors -use-ld=lld)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"
# The Swift runtime's own crash handler would get in the way of the sanitizer's report.
export SWIFT_BACKTRACE=enable=no

# Whether $1 exists and is newer than every file under the directories after it.
up_to_date() {
  local product=$1
  shift
  [ -f "$product" ] && [ -z "$(find "$@" -newer "$product" -type f | head -1)" ]
}

# The coding macros' compiler plugin, built by SwiftPM (with the traits the tests use, so
# that after `scripts/test.sh` this builds nothing): Council's events are declared with them.
macro_plugin() {
  swift build --traits Postgres --target EventLogMacroPlugin >&2
  echo "$(swift build --traits Postgres --show-bin-path)/EventLogMacroPlugin-tool"
}

# swift-crypto, which seals people's data, from SwiftPM's own (uninstrumented) build of it:
# its modules for the compiler, its objects for the linker.
crypto_modules() {
  swift build --traits Postgres --target EventLogPersonalData >&2
  echo "$(swift build --traits Postgres --show-bin-path)"
}
crypto_objects() {
  local bin=$1 target
  for target in Crypto CryptoBoringWrapper CCryptoBoringSSL CCryptoBoringSSLShims CXKCP CXKCPShims; do
    find "$bin/$target.build" -name '*.o'
  done
}

# Compiles the Swift sources under Sources/$1 into one instrumented object and its module;
# further arguments go to the compiler.
build_module() {
  local name=$1
  shift
  if up_to_date "$OBJ/$name.o" "Sources/$name" "$OBJ/EventLog.swiftmodule"; then return; fi
  echo "compiling $name (instrumented, optimized)"
  local sources
  mapfile -t sources < <(find "Sources/$name" -name '*.swift' | sort)
  "${SWIFTC[@]}" -module-name "$name" -wmo -I "$OBJ" -c -emit-module "$@" \
    -emit-module-path "$OBJ/$name.swiftmodule" "${sources[@]}" -o "$OBJ/$name.o"
}

build() {
  mkdir -p "$OBJ"
  build_module EventLog
  local plugin
  plugin="$(macro_plugin)#EventLogMacroPlugin"
  build_module EventLogMacros -load-plugin-executable "$plugin"
  local bin
  bin="$(crypto_modules)"
  local crypto=(-I "$bin/Modules")
  local map
  for map in .build/checkouts/swift-crypto/Sources/C{CryptoBoringSSL,CryptoBoringSSLShims,XKCP,XKCPShims}/include/module.modulemap; do
    [ -f "$map" ] && crypto+=(-Xcc -fmodule-map-file="$map")
  done
  build_module EventLogPersonalData "${crypto[@]}"
  build_module Council -load-plugin-executable "$plugin" "${crypto[@]}"
  local objects
  mapfile -t objects < <(crypto_objects "$bin")
  local target file
  for target in "${TARGETS[@]}"; do
    case "$target" in
      record) file=Fuzz/RecordTarget.swift ;;
      interchange) file=Fuzz/InterchangeTarget.swift ;;
    esac
    if up_to_date "$BUILD/fuzz-$target" Fuzz "$OBJ/Council.o" "$OBJ/EventLog.o"; then continue; fi
    echo "linking fuzz-$target"
    "${SWIFTC[@]}" -module-name "Fuzz_$target" -I "$OBJ" "${crypto[@]}" Fuzz/Support.swift "$file" \
      "$OBJ/EventLog.o" "$OBJ/EventLogMacros.o" "$OBJ/EventLogPersonalData.o" "$OBJ/Council.o" \
      "${objects[@]}" -o "$BUILD/fuzz-$target"
  done
  for target in "${TARGETS[@]}"; do
    if [ ! -d "$BUILD/seeds/$target" ] || ! up_to_date "$BUILD/seeds/$target.stamp" \
      "$BUILD/fuzz-$target" "$FIXTURE"; then
      rm -rf "$BUILD/seeds/$target"
      FUZZ_WRITE_SEEDS="$BUILD/seeds/$target" FUZZ_FIXTURE="$FIXTURE" "$BUILD/fuzz-$target"
      touch "$BUILD/seeds/$target.stamp"
    fi
    mkdir -p "$BUILD/corpus/$target" "$BUILD/crashes"
  done
}

# Runs one target for $2 seconds from its corpus and seeds; extra arguments go to libFuzzer.
# Prints libFuzzer's output to $BUILD/logs/TARGET-N.log; returns libFuzzer's status.
run_target() {
  local target=$1 seconds=$2
  shift 2
  local args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$BUILD/crashes/$target-")
  if [ -f "Fuzz/$target.dict" ]; then args+=(-dict="Fuzz/$target.dict"); fi
  "$BUILD/fuzz-$target" "${args[@]}" "$@" "$BUILD/corpus/$target" "$BUILD/seeds/$target"
}

# The executions a libFuzzer log reports in its final statistics.
executions() { sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -1; }

mkdir -p "$BUILD/logs"
case "${1:-}" in
  build)
    build
    ;;
  short)
    build
    status=0
    for target in "${TARGETS[@]}"; do
      log="$BUILD/logs/$target-short.log"
      if run_target "$target" 30 >"$log" 2>&1; then
        echo "$target: $(executions "$log") executions in 30 s, no crash"
      else
        echo "$target: CRASH (libFuzzer's output: $log)"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*fuzz invariant)|artifact_prefix|Test unit written' \
          "$log" | head -10 || true
        status=1
      fi
    done
    exit "$status"
    ;;
  long)
    seconds="${2:?usage: scripts/fuzz.sh long SECONDS}"
    build
    for target in "${TARGETS[@]}"; do
      start=$(date +%s)
      total=0
      crashes=0
      round=0
      while :; do
        left=$((seconds - ($(date +%s) - start)))
        [ "$left" -gt 0 ] || break
        round=$((round + 1))
        log="$BUILD/logs/$target-long-$round.log"
        if ! run_target "$target" "$left" >"$log" 2>&1; then
          crashes=$((crashes + 1))
          echo "$target: crash $crashes, see $log"
        fi
        count=$(executions "$log")
        total=$((total + ${count:-0}))
      done
      elapsed=$(($(date +%s) - start))
      echo "$target: $total executions in $elapsed s, $crashes crashes"
    done
    ;;
  run)
    target="${2:?usage: scripts/fuzz.sh run TARGET SECONDS [flags]}"
    seconds="${3:?usage: scripts/fuzz.sh run TARGET SECONDS [flags]}"
    shift 3
    build
    run_target "$target" "$seconds" "$@"
    ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
