"""Evaluates a trained digits model.

usage: python3 evaluate.py --model MODEL_DIR --out EVAL_DIR [--data DATA_DIR]

Writes EVAL_DIR/metrics.json (aggregates: accuracy, macro F1, log loss,
latency p50/p95, model size, peak memory) and EVAL_DIR/examples.jsonl (one
line per test digit: its id, its true class (label), the predicted class
(prediction), the probability the model gave the true class (p_true),
whether it was classified correctly, its log loss and its prediction
latency), the files modelci compares. The policy (.modelci.yaml) declares
accuracy, macro F1, log loss and the latency percentiles as aggregates of
these columns, so each gets a paired confidence interval.
"""

import argparse
import json
import os
import pickle
import resource
import time

import numpy as np
from sklearn.metrics import f1_score

from common import split


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data")
    args = ap.parse_args()

    with open(os.path.join(args.model, "params.json")) as f:
        params = json.load(f)
    model_path = os.path.join(args.model, "model.pkl")
    with open(model_path, "rb") as f:
        model = pickle.load(f)
    _, X_test, _, y_test, _, ids = split(params, args.data)

    proba = model.predict_proba(X_test)
    pred = model.classes_[proba.argmax(axis=1)]
    col = {c: i for i, c in enumerate(model.classes_)}
    p_true = np.clip(proba[np.arange(len(y_test)), [col[c] for c in y_test]], 1e-15, 1.0)
    losses = -np.log(p_true)

    # Latency of one prediction, as a service would see it.
    model.predict_proba(X_test[:1])  # warm up
    latencies = []
    for row in X_test:
        t0 = time.perf_counter()
        model.predict_proba(row.reshape(1, -1))
        latencies.append((time.perf_counter() - t0) * 1000.0)
    latencies = np.array(latencies)

    os.makedirs(args.out, exist_ok=True)
    metrics = {
        "accuracy": float((pred == y_test).mean()),
        "macro_f1": float(f1_score(y_test, pred, average="macro")),
        "log_loss": float(losses.mean()),
        "latency_p50_ms": float(np.percentile(latencies, 50)),
        "latency_p95_ms": float(np.percentile(latencies, 95)),
        "model_size_bytes": os.path.getsize(model_path),
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(args.out, "examples.jsonl"), "w") as f:
        for i, id_ in enumerate(ids):
            f.write(json.dumps({
                "id": str(id_),
                "label": int(y_test[i]),
                "prediction": int(pred[i]),
                "p_true": float(p_true[i]),
                "accuracy": int(pred[i] == y_test[i]),
                "log_loss": round(float(losses[i]), 6),
                "latency_ms": round(float(latencies[i]), 4),
            }) + "\n")
    print(json.dumps(metrics, sort_keys=True))


if __name__ == "__main__":
    main()
