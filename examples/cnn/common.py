"""What the CNN example's scripts share: parameters, data, the network, the device."""

import json
import os

import numpy as np

PARAM_KEYS = {"seed", "epochs", "batch_size", "lr", "channels"}

# The image's python3-torch is Debian's CPU build; a GPU machine needs a
# CUDA build of PyTorch in its base image (see README.md).
GPU_ADVICE = (
    "this PyTorch cannot use a GPU (torch {version}, CUDA build: {cuda}); "
    "Debian's python3-torch is a CPU build: on a GPU machine use a CUDA base "
    "image such as pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime "
    "(dagger call --image … --gpus all …)"
)


def load_json(path, known):
    """Reads a JSON object and checks its keys against known."""
    with open(path) as f:
        try:
            obj = json.load(f)
        except json.JSONDecodeError as e:
            raise SystemExit(f"{path}: line {e.lineno}: {e.msg}")
    if not isinstance(obj, dict):
        raise SystemExit(f"{path}: expected a JSON object")
    unknown = set(obj) - known
    if unknown:
        raise SystemExit(f"{path}: unknown keys {sorted(unknown)} (expected {sorted(known)})")
    return obj


def load_params(path):
    """The training hyper-parameters, with every key required."""
    params = load_json(path, PARAM_KEYS)
    missing = PARAM_KEYS - set(params)
    if missing:
        raise SystemExit(f"{path}: missing keys {sorted(missing)}")
    return params


def load_split(data_dir, name):
    """Returns (X, y, ids) of the prepared split name ("train" or "test"):
    X float32 of shape (n, 1, 8, 8) in [0, 1], y int64, ids strings."""
    path = os.path.join(data_dir, name + ".npz")
    if not os.path.exists(path):
        raise SystemExit(f"{path}: no prepared data; run prepare.py --out {data_dir} first")
    with np.load(path) as z:
        return z["X"].astype(np.float32), z["y"].astype(np.int64), z["ids"].astype(str)


def make_net(channels):
    """A small CNN for 8×8 digits: two 3×3 convolutions, max-pool, linear."""
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(),
        nn.Conv2d(channels, 2 * channels, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(2 * channels * 4 * 4, 10),
    )


def load_model(model_dir, device="cpu"):
    """The trained network (weights.pt, a state_dict) in eval mode, and its
    parameters."""
    import torch

    params = load_params(os.path.join(model_dir, "params.json"))
    net = make_net(params["channels"])
    state = torch.load(os.path.join(model_dir, "weights.pt"), map_location=device)
    net.load_state_dict(state)
    net.to(device).eval()
    return net, params


def gpus_requested(env=None):
    """Whether the run was given GPUs: modelci's --gpus sets MODELCI_GPUS
    in the step's container; the NVIDIA runtime sets NVIDIA_VISIBLE_DEVICES."""
    env = os.environ if env is None else env
    v = env.get("MODELCI_GPUS") or env.get("NVIDIA_VISIBLE_DEVICES", "")
    return v not in ("", "none", "void")


def choose_device(requested, cuda_available, gpus, version="?", cuda_build=None):
    """Picks the device and says why.

    requested: "auto", "cpu" or "cuda"; cuda_available: torch.cuda.is_available();
    gpus: whether the run was given GPUs. Returns (device, message); raises
    SystemExit when "cuda" is asked for and cannot be had.
    """
    advice = GPU_ADVICE.format(version=version, cuda=cuda_build or "none")
    if requested not in ("auto", "cpu", "cuda"):
        raise SystemExit(f"--device {requested!r}: expected auto, cpu or cuda")
    if requested == "cpu":
        return "cpu", "device: cpu (asked for)"
    if cuda_available:
        return "cuda", "device: cuda (torch.cuda.is_available())"
    if requested == "cuda":
        raise SystemExit("--device cuda: torch.cuda.is_available() is False: " + advice)
    if gpus:
        return "cpu", "device: cpu — GPUs were given but " + advice + "; running on CPU"
    return "cpu", "device: cpu (no GPU given; torch.cuda.is_available() is False)"


def pick_device(requested):
    """choose_device with what this process sees; prints the message."""
    import torch

    device, msg = choose_device(requested, torch.cuda.is_available(), gpus_requested(),
                                torch.__version__, torch.version.cuda)
    print(msg, flush=True)
    return device
