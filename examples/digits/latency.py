"""Times the base and the head digits models side by side, interleaved.

usage: python3 latency.py --base BASE_MODEL_DIR --head HEAD_MODEL_DIR --out OUT_DIR
                          [--data DATA_DIR] [--repeats N]

Both models are loaded into this one process and timed on the same test
digits in turn: after a warm-up, each digit is predicted by base then head,
or head then base, --repeats times (even: each order, and each order of
loading the models, counts equally), and the median of each model's times
is kept. Both models thus see the same machine load, and their latencies
pair by digit and in time. Timing each model in its own evaluation, in parallel on a
loaded machine, measures the load rather than the model.

Writes OUT_DIR/base and OUT_DIR/head, each with examples.jsonl (one line per
digit: its id and latency_ms) and metrics.json (latency_p50_ms and
latency_p95_ms), which replace the evaluations' latency metrics.
"""

import argparse
import json
import os
import pickle
import time

import numpy as np

from common import load_params, split


def load(model_dir):
    with open(os.path.join(model_dir, "model.pkl"), "rb") as f:
        return pickle.load(f), load_params(os.path.join(model_dir, "params.json"))


def predict_ms(model, row):
    t0 = time.perf_counter()
    model.predict_proba(row)
    return (time.perf_counter() - t0) * 1000.0


def interleaved(model_dirs, rows, repeats):
    """Returns each model's median time per row over the repeats.

    Each repeat loads the models afresh, in turns (base first, then head
    first), and times every row on both, in turns (base then head, then head
    then base). With an even number of repeats every row sees each model
    first and second equally often, so neither the order of the calls nor
    the order of loading favours a model.
    """
    times = np.empty((len(model_dirs), len(rows), repeats))
    for r in range(repeats):
        load_order = list(range(len(model_dirs)))
        if r % 2:
            load_order.reverse()
        models = {m: load(model_dirs[m])[0] for m in load_order}
        for m in load_order:  # warm-up
            for row in rows[:20]:
                models[m].predict_proba(row)
        for i, row in enumerate(rows):
            order = load_order if (i + r // 2) % 2 == 0 else load_order[::-1]
            for m in order:
                times[m, i, r] = predict_ms(models[m], row)
    return np.median(times, axis=2)


def write(out, ids, latencies):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "examples.jsonl"), "w") as f:
        for id_, ms in zip(ids, latencies):
            f.write(json.dumps({"id": str(id_), "latency_ms": round(float(ms), 4)}) + "\n")
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump({
            "latency_p50_ms": float(np.percentile(latencies, 50)),
            "latency_p95_ms": float(np.percentile(latencies, 95)),
        }, f, indent=2, sort_keys=True)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True)
    ap.add_argument("--head", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data")
    ap.add_argument("--repeats", type=int, default=4)
    args = ap.parse_args()

    if args.repeats < 2 or args.repeats % 2:
        ap.error("--repeats must be even (2 or more), so both orders count equally")
    # The head's split: the digits both evaluations paired by id.
    _, params = load(args.head)
    _, X_test, _, _, _, ids = split(params, args.data)
    rows = [x.reshape(1, -1) for x in X_test]
    times = interleaved([args.base, args.head], rows, args.repeats)
    write(os.path.join(args.out, "base"), ids, times[0])
    write(os.path.join(args.out, "head"), ids, times[1])


if __name__ == "__main__":
    main()
