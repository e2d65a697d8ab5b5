"""modelci's load test: bounded concurrent requests to a served model.

usage: python3 loadtest.py --url http://model:8080 --requests FILE --out DIR
                           [--path /predict] [--concurrency 4] [--repeats 3]
                           [--warmup 20] [--timeout 10]

FILE holds one JSON object per line, each with an "id"; each line is POSTed
as it is to URL+PATH, --repeats times, by --concurrency workers, each with
its own keep-alive connection, after --warmup requests that are not counted.
A request fails on a connection error, a timeout or a status other than 200.

Writes DIR/examples.jsonl, one line per id: serve_latency_ms (the median
of its successful requests, so that a stall of the machine during one of
them does not count; null when all failed) and serve_error (the share of
its requests that failed), so latency pairs by id with the other side's;
and DIR/metrics.json: serve.requests, serve.errors, serve.error_rate,
serve.throughput_rps (successful requests per second of wall time) and
serve.latency_p50_ms / p95 / p99, the percentiles of serve_latency_ms over
the ids (what an aggregate of that column declares).

Only the Python standard library: it runs in any image with python3.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor


def read_requests(path):
    """[(id, body bytes)] of the requests file; exits naming a bad line."""
    out = []
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                sys.exit(f"{path}: line {n}: not JSON: {e}")
            if not isinstance(obj, dict) or obj.get("id") is None:
                sys.exit(f'{path}: line {n}: expected a JSON object with an "id"')
            out.append((str(obj["id"]), line.strip()))
    if not out:
        sys.exit(f"{path}: no requests")
    return out


class Client:
    """One keep-alive connection per worker thread."""

    def __init__(self, url, path, timeout):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.path, self.timeout = path, timeout
        self.local = threading.local()

    def post(self, body):
        """Sends one request; returns (milliseconds, error or None)."""
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        t0 = time.perf_counter()
        try:
            conn.request("POST", self.path, body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            ms = round((time.perf_counter() - t0) * 1000.0, 4)
            return ms, None if resp.status == 200 else f"HTTP {resp.status}"
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            self.local.conn = None
            return round((time.perf_counter() - t0) * 1000.0, 4), f"{type(e).__name__}: {e}"


def wait_healthy(url, timeout):
    """Waits until GET /health answers 200, up to timeout seconds."""
    u = urllib.parse.urlsplit(url)
    deadline, last = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=5)
            c.request("GET", "/health")
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return
            last = f"HTTP {r.status}"
        except (OSError, http.client.HTTPException) as e:
            last = str(e)
        time.sleep(0.2)
    sys.exit(f"{url}/health did not answer 200 within {timeout}s: {last}")


def percentile(values, p):
    """Linear-interpolated percentile, as numpy's default."""
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def run(client, requests, concurrency, repeats):
    """Sends every request repeats times; returns ([(id, ms, error)], seconds)."""
    jobs = [r for _ in range(repeats) for r in requests]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda r: (r[0],) + client.post(r[1]), jobs))
    return results, time.perf_counter() - t0


def write(out, results, seconds):
    ok = [ms for _, ms, err in results if err is None]
    errors = [err for _, _, err in results if err is not None]
    by_id = {}
    for id_, ms, err in results:
        by_id.setdefault(id_, []).append((ms, err))
    medians = [statistics.median(g) for g in ([ms for ms, err in rs if err is None] for rs in by_id.values()) if g]
    metrics = {
        "serve.requests": len(results),
        "serve.errors": len(errors),
        "serve.error_rate": len(errors) / len(results),
        "serve.throughput_rps": len(ok) / seconds if seconds > 0 else 0.0,
    }
    if medians:
        for p in (50, 95, 99):
            metrics[f"serve.latency_p{p}_ms"] = percentile(medians, p)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(out, "examples.jsonl"), "w") as f:
        for id_, rs in by_id.items():
            good = [ms for ms, err in rs if err is None]
            f.write(json.dumps({
                "id": id_,
                "serve_latency_ms": statistics.median(good) if good else None,
                "serve_error": round(1 - len(good) / len(rs), 6),
            }) + "\n")
    if errors:
        print(f"{len(errors)} of {len(results)} requests failed; first: {errors[0]}", file=sys.stderr)
    print(json.dumps(metrics, sort_keys=True))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--requests", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--path", default="/predict")
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()
    if not 1 <= args.concurrency <= 256 or not 1 <= args.repeats <= 100 or args.warmup < 0:
        sys.exit("--concurrency must be 1 to 256, --repeats 1 to 100, --warmup 0 or more")

    requests = read_requests(args.requests)
    wait_healthy(args.url, 60)
    client = Client(args.url, args.path, args.timeout)
    run(client, requests[:args.warmup], args.concurrency, 1)
    results, seconds = run(client, requests, args.concurrency, args.repeats)
    write(args.out, results, seconds)


if __name__ == "__main__":
    main()
