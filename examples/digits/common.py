"""Shared data loading for the digits example: the split both scripts use."""

import csv
import json
import os

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def load_params(path):
    """Reads the hyper-parameters file (JSON) and checks its keys."""
    with open(path) as f:
        params = json.load(f)
    known = {"C", "max_iter", "test_size", "seed"}
    unknown = set(params) - known
    if unknown:
        raise SystemExit(f"{path}: unknown keys {sorted(unknown)} (expected {sorted(known)})")
    return params


def load_data(data_dir=None):
    """Returns (X, y, ids) for all 1,797 digits.

    scikit-learn ships the digits data set inside the package, so nothing is
    downloaded. A data directory holding digits.csv (64 pixel columns, then
    the label) replaces it.
    """
    path = os.path.join(data_dir, "digits.csv") if data_dir else None
    if path and os.path.exists(path):
        with open(path) as f:
            rows = [r for r in csv.reader(f) if r]
        X = np.array([[float(v) for v in r[:-1]] for r in rows])
        y = np.array([int(r[-1]) for r in rows])
    else:
        X, y = load_digits(return_X_y=True)
    ids = np.array([f"digit-{i:04d}" for i in range(len(y))])
    return X, y, ids


def split(params, data_dir=None):
    """The train/test split, fixed by the parameters' seed."""
    X, y, ids = load_data(data_dir)
    return train_test_split(
        X, y, ids,
        test_size=params.get("test_size", 0.25),
        random_state=params.get("seed", 0),
        stratify=y,
    )
