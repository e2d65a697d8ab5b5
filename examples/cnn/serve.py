"""Serves the trained digits CNN over HTTP (Python's http.server, no framework).

usage: python3 serve.py --model MODEL_DIR [--port 8080] [--device auto|cpu|cuda]

  GET  /health   200 "ok" once the model is loaded
  POST /predict  {"id": "digit-0042", "pixels": [[8 floats in 0..1] × 8]}
                 -> {"id": …, "prediction": 3, "probabilities": [10 floats]}

A request that is not such a JSON object gets 400 with the reason. One
thread per connection; the network runs one request at a time (a lock), as
a single-worker model server does.
"""

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import torch

from common import load_model, pick_device


class Model:
    """The network and a lock: torch runs one request at a time."""

    def __init__(self, model_dir, device):
        self.net, _ = load_model(model_dir, device)
        self.device = device
        self.lock = threading.Lock()

    def predict(self, pixels):
        x = torch.tensor(pixels, dtype=torch.float32)
        if tuple(x.shape) != (8, 8):
            raise ValueError(f"pixels: shape {list(x.shape)}, expected 8 rows of 8 values")
        with self.lock, torch.no_grad():
            p = torch.softmax(self.net(x.reshape(1, 1, 8, 8).to(self.device)), dim=1)[0].cpu()
        return int(p.argmax()), [round(float(v), 6) for v in p]


def handler(model):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body are written apart: without TCP_NODELAY, Nagle's
        # algorithm and the client's delayed ACK add ~40 ms to each answer.
        disable_nagle_algorithm = True

        def reply(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/health":
                self.reply(200, "ok")
            else:
                self.reply(404, {"error": f"no {self.path}: GET /health, POST /predict"})

        def do_POST(self):
            if self.path != "/predict":
                self.reply(404, {"error": f"no {self.path}: POST /predict"})
                return
            try:
                req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                if not isinstance(req, dict) or "pixels" not in req:
                    raise ValueError('expected a JSON object with "pixels"')
                pred, proba = model.predict(req["pixels"])
            except (ValueError, TypeError, RuntimeError) as e:
                self.reply(400, {"error": str(e)})
                return
            self.reply(200, {"id": req.get("id"), "prediction": pred, "probabilities": proba})

        def log_message(self, fmt, *args):
            pass  # one line per request would drown the step's log

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--device", default="auto")
    args = ap.parse_args()

    device = pick_device(args.device)
    if device == "cpu":
        torch.set_num_threads(1)
    server = ThreadingHTTPServer(("0.0.0.0", args.port), handler(Model(args.model, device)))
    print(f"serving {args.model} on :{args.port} ({device})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
