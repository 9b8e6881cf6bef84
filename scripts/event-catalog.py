#!/usr/bin/env python3
"""Writes Sources/Council/Council.docc/EventCatalog.md from the event types' sources.

Every `public struct X: CouncilEvent` is listed with its doc comment, its fields (name, type and
doc comment), its JSON interchange form, and the seed rule its file cites. Run it again after
changing an event: `python3 scripts/event-catalog.py`.
"""
import pathlib, re

root = pathlib.Path(__file__).resolve().parent.parent
sources = sorted(list((root / "Sources/Council").rglob("*Events.swift")) + [root / "Sources/Council/Subscriptions/MailingLists.swift", root / "Sources/Council/Settings/CouncilSettings.swift"])
json_example = {"String": '"…"', "Int": "0", "Bool": "false", "Day": '"2018-05-18"', "[String]": '["…"]', "[Int]": "[5, 4]"}

out = ["# Event Catalog", "", "Every event the council records: its fields, its JSON interchange form, and the rule of the seeds it records.", "",
       "## Overview", "",
       "Each event is stored in the binary form its type writes (fields in the order listed) and exchanged as JSON with these keys, sorted, inside the `data` of a line of the interchange form (see `Interchange`). Identifiers are strings; days are `YYYY-MM-DD`; amounts are whole cents. This page is generated from the sources by `scripts/event-catalog.py`.", ""]
# The personal fields, as CouncilCatalog.personalFields declares them.
declared = (root / "Sources/Council/PersonalData/PersonalFields.swift").read_text()
personal = {}
for entry in re.finditer(r'"(\w+)": \[(.*?)\]', declared, re.S):
    personal[entry.group(1)] = re.findall(r'\.init\("([\w.]+)", \.(\w+)\)', entry.group(2))
kinds = {"account": "an account's holder", "subscriber": "a subscriber", "participant": "a participant",
         "respondent": "an evaluation's author", "applicant": "a fund applicant", "contact": "a member's contact person"}

for path in sources:
    text = path.read_text()
    header = [l[3:] for l in text.splitlines() if l.startswith("// ") and "generated once" not in l and "maintained by hand" not in l]
    area = path.parent.name
    out += [f"## {re.sub(r'(?<!^)(?=[A-Z])', ' ', area)}", ""]
    if header:
        out += [" ".join(header).replace("  ", " "), ""]
    for match in re.finditer(r"((?:  *///[^\n]*\n|///[^\n]*\n)*)(?:@\w+(?:\([^)\n]*\))?\n)*public struct (\w+): CouncilEvent \{(.*?)\n\}", text, re.S):
        doc, name, body = match.groups()
        summary = " ".join(l.strip()[4:] for l in doc.strip().splitlines())
        out += [f"### {name}", "", summary, ""]
        fields = re.findall(r"/// ([^\n]*)\n  public var (\w+): ([^\n]+)", body)
        if fields:
            out += ["| field | type | meaning |", "| --- | --- | --- |"]
            for fdoc, fname, ftype in fields:
                out.append(f"| `{fname}` | `{ftype.strip()}` | {fdoc.strip()} |")
            out.append("")
            def example(t):
                t = t.strip().rstrip("?")
                if t in json_example: return json_example[t]
                if t.endswith("ID") or t in ("AccountRole", "ListAudience", "GatheringKind", "Rate", "SessionKind", "OutcomeCategory"): return '"…"'
                return "[…]" if t.startswith("[") else "{…}"
            sample = ", ".join(f'"{f}": {example(t)}' for _, f, t in sorted(fields, key=lambda x: x[1]))
            out += ["```json", "{" + sample + "}", "```", ""]
        if name in personal:
            listed = "; ".join(f"`{p}` of {kinds.get(k, k)} (`{k}`)" for p, k in personal[name])
            out += [f"Personal data, sealed for its subject and erased when they are forgotten (see <doc:PersonalData>): {listed}.", ""]
(root / "Sources/Council/Council.docc/EventCatalog.md").write_text("\n".join(out) + "\n")
print("wrote", len(out), "lines")
