#!/usr/bin/env python3
"""Compares two trades.csv files row by row, ignoring model_version.

  python3 bench/compare_trades.py A/trades.csv B/trades.csv

A row matches when side, entry_time, exit_time and exit_reason are equal and entry_price, exit_price, qty, fees,
net_pnl (and funding, when both files have it) agree within 1e-9 relative. Prints one JSON object:
{same, count_a, count_b, identical, first_difference, max_rel_diff, model_train_end_mismatches}. Always exits 0.
model_train_end_mismatches is informative only: when both model_version values look like SYMBOL-YYYYMMDDTHHMM-...,
it counts matched rows whose models were trained at different times.
"""
import csv
import json
import sys

EXACT = ["side", "entry_time", "exit_time", "exit_reason"]
NUMERIC = ["entry_price", "exit_price", "qty", "fees", "net_pnl", "funding"]
REL_TOL = 1e-9


def read(path):
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def rel_diff(a, b):
    a, b = float(a), float(b)
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def train_end(version):
    parts = (version or "").split("-")
    return parts[1] if len(parts) >= 2 and len(parts[1]) == 13 and parts[1][8] == "T" else None


def compare(a_rows, b_rows):
    numeric = [c for c in NUMERIC if a_rows and b_rows and c in a_rows[0] and c in b_rows[0]] if a_rows and b_rows else []
    identical, first, max_rel, model_mismatch = 0, None, 0.0, 0
    for i, (a, b) in enumerate(zip(a_rows, b_rows)):
        bad = [c for c in EXACT if a.get(c) != b.get(c)]
        rels = {c: rel_diff(a[c], b[c]) for c in numeric}
        bad += [c for c, r in rels.items() if r > REL_TOL]
        if bad:
            if first is None:
                first = {"index": i, "fields": bad, "a": a, "b": b}
            continue
        identical += 1
        max_rel = max([max_rel, *rels.values()])
        ta, tb = train_end(a.get("model_version")), train_end(b.get("model_version"))
        if ta is not None and tb is not None and ta != tb:
            model_mismatch += 1
    if first is None and len(a_rows) != len(b_rows):
        i = min(len(a_rows), len(b_rows))
        first = {"index": i, "fields": ["missing"], "a": a_rows[i] if i < len(a_rows) else None, "b": b_rows[i] if i < len(b_rows) else None}
    return {
        "same": first is None,
        "count_a": len(a_rows),
        "count_b": len(b_rows),
        "identical": identical,
        "first_difference": first,
        "max_rel_diff": max_rel,
        "model_train_end_mismatches": model_mismatch,
    }


def main():
    if len(sys.argv) != 3:
        print(json.dumps({"same": False, "error": "usage: compare_trades.py A/trades.csv B/trades.csv"}))
        return 0
    try:
        result = compare(read(sys.argv[1]), read(sys.argv[2]))
    except (OSError, KeyError, ValueError) as err:
        result = {"same": False, "error": f"{type(err).__name__}: {err}"}
    result["a"], result["b"] = sys.argv[1], sys.argv[2]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
