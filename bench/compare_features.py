#!/usr/bin/env python3
"""Compares bench/walkforward.py's features with the project's export.

  npm run features -- --data FILE.csv --out /tmp/f.csv
  python3 bench/compare_features.py --data FILE.csv --project /tmp/f.csv

Prints a JSON summary: rows compared, values that differ bit for bit, max absolute and max relative difference,
per feature where any differs. The target column is compared too (c[t+H] / c[t] - 1, H from config).
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import walkforward as wf  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--project", required=True, help="CSV written by npm run features")
    ap.add_argument("--horizon", type=int, default=None)
    args = ap.parse_args()
    horizon = args.horizon or int(wf.read_yaml(os.path.join(wf.ROOT, "config", "config.yaml"))["training"]["prediction_horizon_minutes"])

    t, o, h, l, c, v = wf.read_bars(args.data)
    F = wf.compute_features(o, h, l, c, v)
    y = np.full(len(c), np.nan)
    y[:-horizon] = c[horizon:] / c[:-horizon] - 1

    with open(args.project) as fh:
        header = fh.readline().strip().split(",")
        rows = [line.rstrip("\n").split(",") for line in fh if line.strip()]
    assert header[1:20] == wf.FEATURE_NAMES, header
    times = np.array([int(r[0]) for r in rows], dtype=np.int64)
    proj = np.array([[float(x) for x in r[1:20]] for r in rows])
    proj_y = np.array([float(r[20]) if r[20] != "" else np.nan for r in rows])
    idx = (times - t[0]) // wf.MINUTE_MS
    assert np.all(t[idx] == times)
    mine = F[idx]

    diff = np.abs(mine - proj)
    scale = np.maximum(np.abs(proj), 1e-300)
    per_feature = {}
    for j, name in enumerate(wf.FEATURE_NAMES):
        nd = int(np.sum(mine[:, j] != proj[:, j]))
        if nd:
            per_feature[name] = {"differ": nd, "max_abs": float(diff[:, j].max()), "max_rel": float((diff[:, j] / scale[:, j]).max())}
    known = ~np.isnan(proj_y)
    summary = {
        "rows": len(rows),
        "values": int(mine.size),
        "differ": int(np.sum(mine != proj)),
        "nan": int(np.isnan(mine).sum()),
        "max_abs_diff": float(diff.max()),
        "max_rel_diff": float((diff / scale).max()),
        "per_feature": per_feature,
        "target_differ": int(np.sum(y[idx][known] != proj_y[known])),
        "target_unknown_rows": int((~known).sum()),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
