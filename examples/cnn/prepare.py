"""Prepares the digits for the CNN: normalisation, images, a stratified split.

usage: python3 prepare.py --out PREPARED_DIR [--data RAW_DIR] [--config prepare.json]

Reads scikit-learn's bundled 8×8 digits (nothing is downloaded), or
RAW_DIR/digits.csv when given (64 pixel columns, then the label), scales the
pixels from 0..16 to 0..1, shapes them as 1×8×8 images and splits them
(stratified, seeded by prepare.json). Writes PREPARED_DIR/train.npz and
test.npz (X, y, ids), requests.jsonl (one prediction request per test digit:
{"id": …, "pixels": 8×8 rows}, what the load test sends to the served
model) and prepare.json (what was done, with counts).
"""

import argparse
import csv
import json
import os

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

# prepare.py imports nothing of the example's other files: modelci's
# prepare step sees only prepare.py and prepare.json, so that an edit to
# the model (common.py, train.py, params.json) does not prepare again.
KEYS = {"test_size", "seed"}


def load_config(path):
    """prepare.json: the split's test share and seed."""
    with open(path) as f:
        try:
            cfg = json.load(f)
        except json.JSONDecodeError as e:
            raise SystemExit(f"{path}: line {e.lineno}: {e.msg}")
    if not isinstance(cfg, dict) or set(cfg) - KEYS:
        raise SystemExit(f"{path}: expected a JSON object with keys among {sorted(KEYS)}")
    return cfg


def raw_digits(data_dir):
    """(X, y): the data directory's digits.csv, else the bundled digits."""
    path = os.path.join(data_dir, "digits.csv") if data_dir else None
    if path and os.path.exists(path):
        with open(path) as f:
            rows = [r for r in csv.reader(f) if r]
        for n, r in enumerate(rows, 1):
            if len(r) != 65:
                raise SystemExit(f"{path}: line {n}: {len(r)} columns, expected 64 pixels and a label")
        return np.array([[float(v) for v in r[:-1]] for r in rows]), np.array([int(r[-1]) for r in rows])
    return load_digits(return_X_y=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data")
    ap.add_argument("--config", default="prepare.json")
    args = ap.parse_args()

    cfg = load_config(args.config)
    X, y = raw_digits(args.data)
    X = (np.asarray(X, dtype=np.float32) / 16.0).reshape(-1, 1, 8, 8)
    ids = np.array([f"digit-{i:04d}" for i in range(len(y))])
    X_tr, X_te, y_tr, y_te, id_tr, id_te = train_test_split(
        X, y, ids, test_size=cfg.get("test_size", 0.25), random_state=cfg.get("seed", 0), stratify=y)

    os.makedirs(args.out, exist_ok=True)
    np.savez(os.path.join(args.out, "train.npz"), X=X_tr, y=y_tr, ids=id_tr)
    np.savez(os.path.join(args.out, "test.npz"), X=X_te, y=y_te, ids=id_te)
    with open(os.path.join(args.out, "requests.jsonl"), "w") as f:
        for x, id_ in zip(X_te, id_te):
            f.write(json.dumps({"id": str(id_), "pixels": np.round(x[0], 4).tolist()}) + "\n")
    summary = dict(cfg, train=len(y_tr), test=len(y_te), scale="pixels / 16", shape=[1, 8, 8])
    with open(os.path.join(args.out, "prepare.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"prepared {len(y_tr)} training and {len(y_te)} test digits -> {args.out}")


if __name__ == "__main__":
    main()
