"""Service start-up time, memory, and REST API throughput, each beside a baseline from the same run.

    python bench/service_startup.py [--runs 3] [--requests 2000]

1. Start-up: ``python -m app_service`` until its "has started" log line and first ``/api/v3/ping``
   200, against the bare interpreter (``python -c pass``) and ``import app_service.service``.
   Peak RSS when started and once the language model reports ready (if it loads).
2. REST: sequential keep-alive ``GET /api/v3/ping`` requests per second on our ``RestServer``
   against a bare ``http.server`` handler answering the same JSON.

No broker is needed: the bus connects in the background. Nothing is downloaded.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from app_service.metrics import Metrics  # noqa: E402
from app_service.rest import RestServer, go_unix_date, install_common_routes  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed_run(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - started


def service_start(workdir: str) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": ROOT, "SERVICE_HOST": "127.0.0.1",
           "SERVICE_PORT": str(port), "MESSAGEBUS_PORT": str(free_port()),
           "APPLICATIONSETTINGS_STOREANDFORWARDPATH": os.path.join(workdir, "s.sqlite"),
           "WRITABLE_LOGLEVEL": "INFO"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "app_service", "-cf",
                             os.path.join(ROOT, "configuration.toml")], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    figures: dict[str, float] = {}
    lines: list[str] = []

    def read() -> None:
        for line in proc.stderr:
            lines.append(line)
            now = time.perf_counter() - started
            if "has started" in line:
                figures.setdefault("started_s", now)
                figures["rss_started_mb"] = psutil.Process(proc.pid).memory_info().rss / 2**20
            if "language model" in line and "ready" in line:
                figures["model_ready_s"] = now
                figures["rss_model_mb"] = psutil.Process(proc.pid).memory_info().rss / 2**20
            if "language model unavailable" in line:
                figures["model_ready_s"] = float("nan")

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    while "first_ping_s" not in figures and time.monotonic() < deadline:
        if "started_s" in figures:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/api/v3/ping")
                if conn.getresponse().status == 200:
                    figures["first_ping_s"] = time.perf_counter() - started
                conn.close()
            except OSError:
                pass
        time.sleep(0.005)
    while "model_ready_s" not in figures and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.terminate()
    proc.wait(30)
    if "first_ping_s" not in figures:
        raise SystemExit("service did not start:\n" + "".join(lines[-20:]))
    return figures


class _BareHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as RestServer: otherwise both measure the delayed ACK

    def do_GET(self) -> None:
        body = json.dumps({"apiVersion": "v3", "timestamp": go_unix_date(),
                           "serviceName": "bare"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def requests_per_second(port: int, count: int) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    started = time.perf_counter()
    for _ in range(count):
        conn.request("GET", "/api/v3/ping")
        response = conn.getresponse()
        response.read()
        assert response.status == 200
    elapsed = time.perf_counter() - started
    conn.close()
    return count / elapsed


def rest_throughput(count: int) -> tuple[float, float]:
    bare = ThreadingHTTPServer(("127.0.0.1", 0), _BareHandler)
    bare.daemon_threads = True
    threading.Thread(target=bare.serve_forever, daemon=True).start()
    ours = RestServer("127.0.0.1", 0, 1 << 20)
    install_common_routes(ours, service_key="bench", version="0", config=dict,
                          metrics=Metrics(), model_health=dict)
    ours.start()
    try:
        requests_per_second(ours.port, 200)  # warm-up
        requests_per_second(bare.server_address[1], 200)
        rounds = [(requests_per_second(ours.port, count),
                   requests_per_second(bare.server_address[1], count)) for _ in range(3)]
        # interleaved rounds, best of each: the machine's load drifts during a run
        return max(r[0] for r in rounds), max(r[1] for r in rounds)
    finally:
        ours.stop()
        bare.shutdown()
        bare.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    bare_python = statistics.median(timed_run([sys.executable, "-c", "pass"])
                                    for _ in range(args.runs))
    imports = statistics.median(timed_run([sys.executable, "-c", "import app_service.service"])
                                for _ in range(args.runs))
    with tempfile.TemporaryDirectory() as workdir:
        runs = [service_start(workdir) for _ in range(args.runs)]

    def median(key: str) -> float:
        values = [r[key] for r in runs if key in r]
        return statistics.median(values) if values else float("nan")

    print(f"start-up (median of {args.runs}, 2-core machine figures are noisy)")
    print(f"  python -c pass                    {bare_python * 1000:8.0f} ms   (baseline)")
    print(f"  import app_service.service        {imports * 1000:8.0f} ms   "
          f"({imports / bare_python:.1f}x baseline)")
    print(f"  service 'has started' log line    {median('started_s') * 1000:8.0f} ms   "
          f"({median('started_s') / bare_python:.1f}x baseline)")
    print(f"  first /api/v3/ping 200            {median('first_ping_s') * 1000:8.0f} ms")
    print(f"  language model ready (background) {median('model_ready_s') * 1000:8.0f} ms")
    print(f"  RSS when started                  {median('rss_started_mb'):8.0f} MiB")
    print(f"  RSS with the model loaded         {median('rss_model_mb'):8.0f} MiB")
    ours, bare = rest_throughput(args.requests)
    print(f"REST GET /api/v3/ping, {args.requests} sequential keep-alive requests, best of 3")
    print(f"  bare http.server handler          {bare:8.0f} req/s (baseline)")
    print(f"  RestServer (routing, correlation) {ours:8.0f} req/s ({ours / bare:.2f}x baseline)")


if __name__ == "__main__":
    main()
