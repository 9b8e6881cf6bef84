#!/usr/bin/env python3
"""Times what a user runs, as a user runs it: the `council` command (both cores, unlike the
benchmark harness, which runs a benchmark's tasks on one thread here), on the kept generated logs
that scripts/bench-generated.sh measures.

    python3 scripts/bench-commands.py COUNCIL LOGS SIZES ROUNDS RESULTS [COMMANDS]

COUNCIL is a release build of the `council` command, LOGS the directory of the kept logs
(`councillog-generated-SIZE-seed3`), SIZES a comma-separated list, ROUNDS how many times each
command runs (the commands of a round in turn, so that a slow spell of the machine falls on all
of them), RESULTS a JSON Lines file that gets one line per run: {"what", "events", "seconds",
"peakKiB", "round"}. scripts/bench-commands.sh runs it with the defaults. Each log is copied
first, so that the read models the queries keep are not written into the harness's log.
A table of medians and ranges is printed at the end, in Markdown. COMMANDS, a comma-separated
list of first (the first questions, which build the kept read models), verify, replay, export,
import (which exports first), directory and registrations, runs only those (all by default).
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run(what, events, command, results, round_number, size, out=subprocess.DEVNULL):
    """Runs `command`, records its wall time and peak resident memory, returns its output."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    errors = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if status != 0:
        sys.exit(f"{what} failed ({' '.join(command)}): {errors.strip()}")
    row = {
        "what": what,
        "events": events,
        "size": size,
        "seconds": round(seconds, 4),
        "peakKiB": usage.ru_maxrss,
        "round": round_number,
    }
    with open(results, "a") as file:
        file.write(json.dumps(row, sort_keys=True) + "\n")
    print(f"  {what}: {seconds:.3f} s, {usage.ru_maxrss // 1024} MiB", flush=True)
    return row


def output(command):
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def measure(council, source, size, rounds, results, work, commands):
    log = os.path.join(work, "log")
    shutil.rmtree(log, ignore_errors=True)
    shutil.copytree(source, log)
    verified = output([council, "verify", log])
    match = re.search(r"OK: (\d+) events", verified)
    if not match:
        sys.exit(f"council verify {log} said: {verified}")
    events = int(match.group(1))
    storage = output([council, "storage", log])
    size_match = re.search(r"data\.mdb: (\d+) bytes", storage)
    if size_match:
        row = {
            "what": "bytes on disk per event",
            "events": events,
            "size": int(size),
            "bytes": round(int(size_match.group(1)) / events, 1),
            "round": 0,
        }
        with open(results, "a") as file:
            file.write(json.dumps(row, sort_keys=True) + "\n")
    print(f"{size}: {events} events", flush=True)
    exported = os.path.join(work, "export.jsonl")
    imported = os.path.join(work, "imported")

    def timed(what, command, number):
        run(what, events, command, results, number, int(size))

    # The first questions build the kept read models, once.
    if "first" in commands:
        timed("directory, first question (builds the kept models)",
              [council, "directory", log, "--region", "Quebec"], 0)
        timed("registrations, first question", [council, "registrations", log], 0)
    for number in range(1, rounds + 1):
        if "verify" in commands:
            timed("council verify", [council, "verify", log], number)
        if "replay" in commands:
            timed("council replay", [council, "replay", log], number)
        if "export" in commands or "import" in commands:
            if os.path.exists(exported):
                os.remove(exported)
            timed("council export", [council, "export", log, "--to", exported], number)
        if "import" in commands:
            shutil.rmtree(imported, ignore_errors=True)
            timed("council import", [council, "import", exported, imported], number)
            shutil.rmtree(imported, ignore_errors=True)
        if "directory" in commands:
            timed("council directory --region Quebec (kept)",
                  [council, "directory", log, "--region", "Quebec"], number)
        if "registrations" in commands:
            timed("council registrations (kept)", [council, "registrations", log], number)
    if os.path.exists(exported):
        os.remove(exported)
    shutil.rmtree(log, ignore_errors=True)


# The commands whose time is a rate of events (the others answer a question).
RATED = {"council verify", "council replay", "council export", "council import"}


def table(results):
    rows = [json.loads(line) for line in open(results)]
    sizes = sorted({row["events"] for row in rows})
    whats = []
    for row in rows:
        if row["what"] not in whats:
            whats.append(row["what"])
    print("\n| command | " + " | ".join(f"{size:,} events".replace(",", " ") for size in sizes)
          + " |")
    print("| --- |" + " --- |" * len(sizes))
    for what in whats:
        cells = []
        for size in sizes:
            runs = [row for row in rows if row["what"] == what and row["events"] == size]
            if not runs:
                cells.append("")
            elif "bytes" in runs[0]:
                cells.append(f"{runs[0]['bytes']}")
            else:
                seconds = [row["seconds"] for row in runs]
                median = statistics.median(seconds)
                peak = max(row["peakKiB"] for row in runs) // 1024
                spread = f" ({min(seconds):.2f}–{max(seconds):.2f})" if len(runs) > 1 else ""
                rate = ""
                if what in RATED and median > 0:
                    rate = f": {size / median / 1000:,.0f} k/s"
                cells.append(f"{median:.2f} s{spread}{rate}, {peak} MiB")
        print(f"| {what} | " + " | ".join(cells) + " |")


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    council, logs, sizes, rounds, results = sys.argv[1:6]
    every = {"first", "verify", "replay", "export", "import", "directory", "registrations"}
    commands = set(sys.argv[6].split(",")) if len(sys.argv) == 7 else every
    if not commands <= every:
        sys.exit(f"unknown commands {', '.join(sorted(commands - every))}: choose among "
                 f"{', '.join(sorted(every))}")
    open(results, "w").close()
    with tempfile.TemporaryDirectory(prefix="council-bench-") as work:
        for size in sizes.split(","):
            source = os.path.join(logs, f"councillog-generated-{size.strip()}-seed3")
            if not os.path.exists(os.path.join(source, "data.mdb")):
                sys.exit(f"no kept log at {source}: run scripts/bench-generated.sh {sizes} first, "
                         f"or `council generate {source} --events {size} --seed 3`")
            measure(council, source, size.strip(), int(rounds), results, work, commands)
    table(results)


if __name__ == "__main__":
    main()
