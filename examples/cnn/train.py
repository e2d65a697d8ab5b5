"""Trains the digits CNN, resuming from its last checkpoint.

usage: python3 train.py --out MODEL_DIR --data PREPARED_DIR [--params params.json]
                        [--checkpoints DIR] [--device auto|cpu|cuda]

Writes MODEL_DIR/weights.pt (the network's state_dict, read with
torch.load), params.json and train.json (device, epochs run, where it
resumed, loss per epoch). After every epoch it saves a checkpoint (weights,
optimiser and random-number state) under DIR/<key>/ (default
$MODELCI_CHECKPOINTS, which modelci's train step mounts on a cache volume).
The key hashes everything training depends on but the number of epochs:
the source files, the other hyper-parameters and the training data. So an
interrupted run resumes at its last finished epoch, and a run with more
epochs continues from the last one, with the same weights as a run
straight through.
"""

import argparse
import hashlib
import json
import os
import re
import time

import torch
from torch import nn

from common import load_params, load_split, make_net, pick_device


def source_digest(root="."):
    """Hashes the source files training sees, but params.json (whose epochs
    may change without a new key) and caches."""
    h = hashlib.sha256()
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("__pycache__", ".git"))
        for name in sorted(files):
            path = os.path.join(d, name)
            if os.path.relpath(path, root) == "params.json":
                continue
            h.update(os.path.relpath(path, root).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def run_key(params, data_dir):
    """The checkpoint key: source, hyper-parameters but epochs, data."""
    h = hashlib.sha256(source_digest().encode())
    h.update(json.dumps({k: v for k, v in params.items() if k != "epochs"}, sort_keys=True).encode())
    with open(os.path.join(data_dir, "train.npz"), "rb") as f:
        h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()[:24]


def latest_checkpoint(ckdir, max_epoch):
    """(epoch, path) of the last checkpoint at or before max_epoch, or (0, None)."""
    best = (0, None)
    if ckdir and os.path.isdir(ckdir):
        for name in os.listdir(ckdir):
            m = re.fullmatch(r"epoch-(\d+)\.pt", name)
            if m and best[0] < int(m.group(1)) <= max_epoch:
                best = (int(m.group(1)), os.path.join(ckdir, name))
    return best


def save_atomic(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--params", default="params.json")
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", required=True, help="the prepared data (prepare.py's output)")
    ap.add_argument("--checkpoints", default=os.environ.get("MODELCI_CHECKPOINTS"))
    ap.add_argument("--device", default="auto")
    args = ap.parse_args()

    params = load_params(args.params)
    device = pick_device(args.device)
    if device == "cpu":
        torch.set_num_threads(1)  # the same sums in the same order on any machine
    torch.manual_seed(params["seed"])
    X, y, _ = load_split(args.data, "train")
    X, y = torch.from_numpy(X).to(device), torch.from_numpy(y).to(device)

    net = make_net(params["channels"]).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=params["lr"])
    shuffle = torch.Generator().manual_seed(params["seed"])
    ckdir = os.path.join(args.checkpoints, run_key(params, args.data)) if args.checkpoints else None
    start, ck = latest_checkpoint(ckdir, params["epochs"])
    losses = []
    if ck:
        state = torch.load(ck, map_location=device)
        net.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        shuffle.set_state(state["shuffle"])
        torch.set_rng_state(state["rng"])
        losses = state["losses"]
        print(f"resumed from epoch {start} ({ck})", flush=True)

    t0 = time.perf_counter()
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(start + 1, params["epochs"] + 1):
        net.train()
        order = torch.randperm(len(y), generator=shuffle).to(device)
        total = 0.0
        for i in range(0, len(y), params["batch_size"]):
            idx = order[i:i + params["batch_size"]]
            opt.zero_grad()
            loss = loss_fn(net(X[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        losses.append(round(total / len(y), 6))
        print(f"epoch {epoch}/{params['epochs']}: loss {losses[-1]:.4f}", flush=True)
        if ckdir:
            os.makedirs(ckdir, exist_ok=True)
            save_atomic({"model": net.state_dict(), "optimizer": opt.state_dict(), "shuffle": shuffle.get_state(),
                         "rng": torch.get_rng_state(), "losses": losses}, os.path.join(ckdir, f"epoch-{epoch:03d}.pt"))

    os.makedirs(args.out, exist_ok=True)
    torch.save({k: v.cpu() for k, v in net.state_dict().items()}, os.path.join(args.out, "weights.pt"))
    with open(os.path.join(args.out, "params.json"), "w") as f:
        json.dump(params, f, indent=2, sort_keys=True)
    with open(os.path.join(args.out, "train.json"), "w") as f:
        json.dump({"device": device, "epochs": params["epochs"], "resumed_from_epoch": start,
                   "epochs_run": params["epochs"] - start, "seconds": round(time.perf_counter() - t0, 3),
                   "losses": losses, "torch": torch.__version__}, f, indent=2, sort_keys=True)
    print(f"trained {params['epochs']} epochs ({params['epochs'] - start} run here) on {len(y)} digits "
          f"on {device} in {time.perf_counter() - t0:.2f}s -> {args.out}")


if __name__ == "__main__":
    main()
