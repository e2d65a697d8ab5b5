"""Trains a logistic-regression classifier on scikit-learn's digits.

usage: python3 train.py --params params.json --out MODEL_DIR [--data DATA_DIR]
"""

import argparse
import json
import os
import pickle

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from common import load_params, split


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--params", default="params.json")
    ap.add_argument("--out", required=True)
    ap.add_argument("--data")
    args = ap.parse_args()

    params = load_params(args.params)
    X_train, _, y_train, _, _, _ = split(params, args.data)
    model = make_pipeline(
        StandardScaler(),
        LogisticRegression(C=params["C"], max_iter=params.get("max_iter", 1000)),
    )
    model.fit(X_train, y_train)

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "model.pkl"), "wb") as f:
        pickle.dump(model, f)
    with open(os.path.join(args.out, "params.json"), "w") as f:
        json.dump(params, f, indent=2, sort_keys=True)
    print(f"trained on {len(y_train)} digits with {params} -> {args.out}")


if __name__ == "__main__":
    main()
