#!/usr/bin/env python3
"""Draws the generated-log benchmarks' results as an SVG chart.

Reads the JSON Lines that the "Generated log" benchmarks append to COUNCILLOG_BENCH_RESULTS
(one line per measured iteration: what, events, seconds, eventsPerSecond) and writes, for each
path (rebuild, raw scan, verify, export, import), the median rate at each log size, on
logarithmic axes, beside the goals of issue 14. Also writes the medians as JSON, for the table.
Given the runs of scripts/bench-commands.py too (COMMANDS.jsonl: what, events, seconds), it
draws the `council` commands' rates beside them, dotted, in the same colours: the figures with
both cores, which the harness does not give here.

    python3 scripts/bench-chart.py RESULTS.jsonl CHART.svg MEDIANS.json [COMMANDS.jsonl]

Standard library only.
"""
import json
import math
import statistics
import sys
from collections import defaultdict

# What is drawn, in the legend's order, with its colour and its goal in events a second.
SERIES = [
    ("raw scan", "#7f7f7f", None, ""),
    ("rebuild", "#1f77b4", 2_000_000, ""),
    ("verify", "#2ca02c", 500_000, "6,3"),
    ("export", "#ff7f0e", 500_000, ""),
    ("import", "#d62728", 300_000, ""),
]

# The `council` commands (scripts/bench-commands.py), each beside its path, dotted.
COMMANDS = [
    ("council replay", "#1f77b4", None, "2,3"),
    ("council verify", "#2ca02c", None, "2,3"),
    ("council export", "#ff7f0e", None, "2,3"),
    ("council import", "#d62728", None, "2,3"),
]


def rate_label(rate):
    return f"{rate / 1e6:.2g} M/s" if rate >= 1e6 else f"{rate / 1e3:.3g} k/s"


def results(path):
    """The results of a JSON Lines file, one a line (blank lines skipped)."""
    with open(path) as lines:
        return [json.loads(line) for line in lines if line.strip()]


def medians(path):
    runs = defaultdict(list)
    extra = defaultdict(list)
    for result in results(path):
        key = (result["what"], int(result["events"]))
        if "eventsPerSecond" in result:
            runs[key].append(result["eventsPerSecond"])
        if "seconds" in result and result["seconds"] > 0:
            extra[key + ("seconds",)].append(result["seconds"])
        if "bytes" in result:
            extra[key + ("bytes",)].append(result["bytes"])
    table = {}
    for (what, events), rates in runs.items():
        table.setdefault(what, {})[events] = {
            "eventsPerSecond": statistics.median(rates),
            "seconds": statistics.median(extra[(what, events, "seconds")]),
            "iterations": len(rates),
        }
    for (what, events, field), values in extra.items():
        if field == "bytes":
            table.setdefault(what, {})[events] = {"bytes": statistics.median(values)}
    return table


def command_medians(path):
    """The median rate of each command at each size, from scripts/bench-commands.py's runs."""
    runs = defaultdict(list)
    for result in results(path):
        if result.get("seconds", 0) > 0:
            # Drawn at the size the log was generated for, beside the harness's points.
            size = int(result.get("size", result["events"]))
            runs[(result["what"], size, int(result["events"]))].append(result["seconds"])
    table = {}
    for (what, size, events), seconds in runs.items():
        median = statistics.median(seconds)
        table.setdefault(what, {})[size] = {
            "events": events,
            "eventsPerSecond": events / median,
            "seconds": median,
            "runs": len(seconds),
        }
    return table


def svg(table):
    series = SERIES + [entry for entry in COMMANDS if entry[0] in table]
    width, height = 840, 500
    left, right, top, bottom = 90, 260, 40, 60
    sizes = sorted({events for what, _, _, _ in series for events in table.get(what, {})})
    rates = [
        point["eventsPerSecond"]
        for what, _, _, _ in series
        for point in table.get(what, {}).values()
        if "eventsPerSecond" in point
    ] + [goal for _, _, goal, _ in series if goal]
    if not sizes or not rates:
        raise SystemExit("no results to draw")
    x_low, x_high = math.log10(min(sizes)) - 0.3, math.log10(max(sizes)) + 0.3
    y_low = math.floor(math.log10(min(rates)))
    y_high = math.ceil(math.log10(max(rates)))

    def x(events):
        return left + (math.log10(events) - x_low) / (x_high - x_low) * (width - left - right)

    def y(rate):
        return top + (y_high - math.log10(rate)) / (y_high - y_low) * (height - top - bottom)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">'
        "Events a second against log size: the log council generate makes (seed 3)</text>",
    ]
    for power in range(y_low, y_high + 1):
        rate = 10**power
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(rate):.1f}" y2="{y(rate):.1f}" '
            'stroke="#ddd"/>'
        )
        label = f"{rate / 1e6:g} M" if rate >= 1e6 else f"{rate / 1e3:g} k"
        out.append(
            f'<text x="{left - 8}" y="{y(rate) + 4:.1f}" text-anchor="end">{label}</text>'
        )
    for events in sizes:
        out.append(
            f'<line x1="{x(events):.1f}" x2="{x(events):.1f}" y1="{top}" '
            f'y2="{height - bottom}" stroke="#eee"/>'
        )
        label = f"{events / 1e6:g} M" if events >= 1e6 else f"{events / 1e3:g} k"
        out.append(
            f'<text x="{x(events):.1f}" y="{height - bottom + 18}" '
            f'text-anchor="middle">{label} events</text>'
        )
    out.append(
        f'<text x="{(left + width - right) / 2}" y="{height - 14}" text-anchor="middle">'
        "log size (logarithmic)</text>"
    )
    out.append(
        f'<text transform="translate(20 {(top + height - bottom) / 2}) rotate(-90)" '
        'text-anchor="middle">events a second (logarithmic)</text>'
    )
    legend_y = top + 10
    for what, colour, goal, dashes in series:
        points = sorted(table.get(what, {}).items())
        points = [(events, p["eventsPerSecond"]) for events, p in points if "eventsPerSecond" in p]
        if not points:
            continue
        path = " ".join(f"{x(e):.1f},{y(r):.1f}" for e, r in points)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
            f'stroke-dasharray="{dashes}"/>'
        )
        for events, rate in points:
            out.append(
                f'<circle cx="{x(events):.1f}" cy="{y(rate):.1f}" r="4" fill="{colour}">'
                f"<title>{what}, {events} events: {rate:,.0f} events/s</title></circle>"
            )
        if goal:
            out.append(
                f'<line x1="{left}" x2="{width - right}" y1="{y(goal):.1f}" y2="{y(goal):.1f}" '
                f'stroke="{colour}" stroke-dasharray="5,4" stroke-width="1"/>'
            )
        out.append(
            f'<line x1="{width - right + 14}" x2="{width - right + 38}" y1="{legend_y}" '
            f'y2="{legend_y}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dashes}"/>'
        )
        _, rate = points[-1]
        name = what + (" (two cores)" if what.startswith("council ") else "")
        out.append(
            f'<text x="{width - right + 44}" y="{legend_y + 4}">{name}: {rate_label(rate)}</text>'
        )
        legend_y += 20
    out.append(
        f'<text x="{width - right + 14}" y="{legend_y + 10}" fill="#555">'
        "rates at the largest size;</text>"
    )
    out.append(
        f'<text x="{width - right + 14}" y="{legend_y + 26}" fill="#555">'
        "thin dashed lines: the goals</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) not in (4, 5):
        raise SystemExit(__doc__)
    table = medians(sys.argv[1])
    if len(sys.argv) == 5:
        table.update(command_medians(sys.argv[4]))
    with open(sys.argv[2], "w") as chart:
        chart.write(svg(table))
    with open(sys.argv[3], "w") as summary:
        json.dump(table, summary, indent=2, sort_keys=True)
        summary.write("\n")


if __name__ == "__main__":
    main()
