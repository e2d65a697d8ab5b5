"""Evaluates the trained digits CNN on the prepared test digits.

usage: python3 evaluate.py --model MODEL_DIR --out EVAL_DIR --data PREPARED_DIR [--device auto|cpu|cuda]

Writes EVAL_DIR/metrics.json (accuracy, macro F1, log loss, latency p50/p95
of one prediction in process, model size, peak memory) and
EVAL_DIR/examples.jsonl, one line per test digit: its id, its true class
(label), the predicted class (prediction), the probability the network gave
the true class (p_true), whether it was right (accuracy), its log loss and
its prediction latency (latency_ms). .modelci.yaml declares the metrics as
aggregates of these columns, so each gets a paired confidence interval.
"""

import argparse
import json
import os
import resource
import time

import numpy as np
import torch
from sklearn.metrics import f1_score

from common import load_model, load_split, pick_device


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", required=True, help="the prepared data (prepare.py's output)")
    ap.add_argument("--device", default="auto")
    args = ap.parse_args()

    device = pick_device(args.device)
    if device == "cpu":
        torch.set_num_threads(1)
    net, _ = load_model(args.model, device)
    X, y, ids = load_split(args.data, "test")
    X = torch.from_numpy(X).to(device)
    with torch.no_grad():
        proba = torch.softmax(net(X), dim=1).cpu().numpy()
        pred = proba.argmax(axis=1)
        p_true = np.clip(proba[np.arange(len(y)), y], 1e-15, 1.0)
        losses = -np.log(p_true)
        # Latency of one prediction in process, after a warm-up.
        for i in range(20):
            net(X[i:i + 1])
        latencies = []
        for i in range(len(y)):
            t0 = time.perf_counter()
            net(X[i:i + 1])
            if device == "cuda":
                torch.cuda.synchronize()
            latencies.append((time.perf_counter() - t0) * 1000.0)
    # Rounded as examples.jsonl writes them, so that the percentiles here
    # and those .modelci.yaml declares from the column agree.
    latencies = np.round(np.array(latencies), 4)

    weights = os.path.join(args.model, "weights.pt")
    metrics = {
        "accuracy": float((pred == y).mean()),
        "macro_f1": float(f1_score(y, pred, average="macro")),
        "log_loss": float(losses.mean()),
        "latency_p50_ms": float(np.percentile(latencies, 50)),
        "latency_p95_ms": float(np.percentile(latencies, 95)),
        "model_size_bytes": os.path.getsize(weights),
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(args.out, "examples.jsonl"), "w") as f:
        for i, id_ in enumerate(ids):
            f.write(json.dumps({
                "id": str(id_),
                "label": int(y[i]),
                "prediction": int(pred[i]),
                "p_true": float(p_true[i]),
                "accuracy": int(pred[i] == y[i]),
                "log_loss": round(float(losses[i]), 6),
                "latency_ms": float(latencies[i]),
            }) + "\n")
    print(json.dumps(metrics, sort_keys=True))


if __name__ == "__main__":
    main()
