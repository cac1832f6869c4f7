"""End-to-end bus throughput: EdgeX events → mosquitto → this service (decode → filter →
SetResponseData → publish) → mosquitto → a counting sink.

    python bench/bus_throughput.py                 # 4.x and 3.x envelopes, 20000 events each
    python bench/bus_throughput.py --events 50000 --skip-overload

It starts its own mosquitto on a free loopback port and runs the service in a child process
(so its peak RSS is its own). Runs, in one go:
  * relay baseline: a bare paho client republishing every message unchanged (transport floor);
  * the service with 4.x envelopes (object payload) and with 3.x envelopes (base64 payload);
  * a 10x overload: a pipeline with a 1 ms wait per event (standing for an export or a model
    call) is measured closed-loop, then offered 10x that capacity open-loop into a 2000-message
    queue, showing drops are counted (received = processed + dropped) and peak RSS stays flat.
The publisher keeps at most --window events in flight (closed loop), so the throughput runs
measure capacity without drops. Figures: events/s end to end (first publish → last output),
ratios against the relay baseline of the same run, and the service's peak RSS.
"""
from __future__ import annotations

import argparse
import json
import os
import logging
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

OUT_TOPIC = "edgex/rules-events"
_QUIET = logging.getLogger("bench.harness.paho")  # harness clients' disconnect noise stays quiet
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False
KINDS = [("Random-Integer-Device", "Int32", "Int32", "827208634"),
         ("Random-Float-Device", "Float64", "Float64", "1.0625056809966731e+308"),
         ("Random-Boolean-Device", "Bool", "Bool", "true"),
         ("Random-UnsignedInteger-Device", "Uint16", "Uint16", "47301")]
# 16 device sources, as a small site would have (the trigger spreads topics over its workers)
DEVICES = [(f"{kind}-{n:02d}", *rest) for n in range(4) for kind, *rest in KINDS]


# -- the service under test (child process) ------------------------------------------------------
def run_service(port: int, mode: str, queue_size: int, workers: int, work_ms: float) -> None:
    from app_service.bus import BusSettings, MessageBus
    from app_service.metrics import Metrics
    from app_service.pipeline import build_pipelines, register_function
    from app_service.pipeline.runtime import PipelineRuntime
    from app_service.trigger import MessageBusTrigger, TriggerSettings

    metrics = Metrics()
    bus = MessageBus(BusSettings(host="127.0.0.1", port=port, client_id=f"svc-{uuid.uuid4()}",
                                 max_queued_publishes=0), metrics)
    trigger = None
    if mode == "relay":
        received = metrics.counter("MessagesReceived")

        def relay(topic: str, raw: bytes) -> None:
            received.inc()
            bus.publish(OUT_TOPIC, raw)
        bus.subscribe("edgex/events/#", relay)
    else:
        @register_function("SimulatedWork")
        def simulated_work(params, app):
            """Stands for an export or model call that waits ``Milliseconds`` per event."""
            seconds = float(params["Milliseconds"]) / 1000

            def run(ctx, data):
                time.sleep(seconds)
                return True, data
            return run

        steps = "FilterByDeviceName, SimulatedWork, " if mode == "slow" else "FilterByDeviceName, "
        cfg = {"ExecutionOrder": steps + "SetResponseData",
               "Functions": {"FilterByDeviceName": {"Parameters": {
                   "DeviceNames": ", ".join(d[0] for d in DEVICES)}},
                   "SimulatedWork": {"Parameters": {"Milliseconds": str(work_ms)}}}}
        runtime = PipelineRuntime(build_pipelines(cfg, None), metrics)
        trigger = MessageBusTrigger(bus, runtime, TriggerSettings(
            publish_topic="rules-events", queue_size=queue_size, workers=workers), metrics)
        trigger.start()
    bus.start()
    if not bus.wait_connected(10):
        raise SystemExit("service could not connect")
    print("READY", flush=True)
    if os.environ.get("BENCH_WATCH"):
        def watch():
            while True:
                time.sleep(0.5)
                rss = open("/proc/self/statm").read().split()[1]
                print("watch rss_mib=%.1f queue=%d out_packets=%d" % (
                    int(rss) * 4096 / 2**20, trigger.queued if trigger else -1,
                    len(bus._client._out_packet)), file=sys.stderr, flush=True)
        threading.Thread(target=watch, daemon=True).start()
    sys.stdin.readline()

    if trigger is not None:
        trigger.stop(drain_timeout=30)
    snap = {name: metrics.value(name) for name in (
        "MessagesReceived", "InvalidMessagesReceived", "MessagesDropped",
        "PipelineMessagesProcessed-default-pipeline", "PipelineProcessingErrors-default-pipeline")}
    snap["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(snap), flush=True)
    bus.stop()


def peak_rss_mib() -> float:
    """VmHWM of this process image (``ru_maxrss`` would include the parent's RSS at fork)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- harness -------------------------------------------------------------------------------------
def make_events(count: int, major: int) -> list[bytes]:
    from app_service.edgex.envelope import encode_envelope
    base = time.time_ns()
    out = []
    for n in range(count):
        device, source, value_type, value = DEVICES[n % len(DEVICES)]
        origin = base + n
        request = {"apiVersion": "v3", "requestId": str(uuid.uuid4()), "event": {
            "apiVersion": "v3", "id": str(uuid.uuid4()), "deviceName": device,
            "profileName": device, "sourceName": source, "origin": origin,
            "readings": [{"id": str(uuid.uuid4()), "origin": origin, "deviceName": device,
                          "resourceName": source, "profileName": device,
                          "valueType": value_type, "value": value}]}}
        out.append(encode_envelope(request, edgex_major=major, correlation_id=str(uuid.uuid4())))
    return out


class Sink:
    def __init__(self, port: int):
        self.count = 0
        self.last = 0.0
        self.ready = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"sink-{uuid.uuid4()}")
        self.client.enable_logger(_QUIET)
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(OUT_TOPIC, 0)
        self.client.on_subscribe = lambda *a: self.ready.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.ready.wait(10)

    def _on_message(self, client, userdata, message) -> None:
        self.count += 1
        self.last = time.perf_counter()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def publisher(port: int) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4()}")
    client.enable_logger(_QUIET)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def run_case(port: int, label: str, mode: str, events: list[bytes], *, window: int,
             queue_size: int, workers: int, rate: float = 0.0, work_ms: float = 0.0) -> dict:
    """Publish ``events``: closed loop (at most ``window`` in flight), or open loop at ``rate``
    events/s (0 = as fast as the publisher goes)."""
    service = subprocess.Popen([sys.executable, __file__, "--role", "service", "--port",
                                str(port), "--mode", mode, "--queue-size", str(queue_size),
                                "--workers", str(workers), "--work-ms", str(work_ms)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert service.stdout.readline().strip() == "READY"
    sink = Sink(port)
    pub = publisher(port)
    time.sleep(0.3)
    topic = "edgex/events/device/device-virtual/{0}/{0}/{1}"
    topics = [topic.format(d[0], d[1]) for d in DEVICES]
    start = time.perf_counter()
    for n, raw in enumerate(events):
        if window:
            while n - sink.count >= window:
                time.sleep(0.0002)
        elif rate:
            ahead = start + n / rate - time.perf_counter()
            if ahead > 0.001:
                time.sleep(ahead)
        pub.publish(topics[n % len(topics)], raw, 0)
    published = time.perf_counter() - start
    expected = len(events) if window else None
    last_count, idle_since = -1, time.perf_counter()
    while time.perf_counter() - idle_since < 3.0:  # until the output stops moving
        if expected is not None and sink.count >= expected:
            break
        if sink.count != last_count:
            last_count, idle_since = sink.count, time.perf_counter()
        time.sleep(0.05)
    elapsed = (sink.last or time.perf_counter()) - start
    service.stdin.write("STOP\n")
    service.stdin.flush()
    stats = json.loads(service.stdout.readline())
    service.wait(30)
    sink.close()
    pub.disconnect()
    pub.loop_stop()
    result = {"case": label, "published": len(events), "output": sink.count,
              "publish_s": round(published, 3), "elapsed_s": round(elapsed, 3),
              "events_per_s": round(sink.count / elapsed) if elapsed > 0 else 0, **stats}
    print(json.dumps(result), flush=True)
    return result


def overload(port: int, args: argparse.Namespace) -> None:
    """A pipeline with a per-event wait (an export or model call), measured closed-loop, then
    offered 10x its capacity open-loop: drops must be counted and memory must stay flat."""
    slow = dict(queue_size=args.overload_queue_size, workers=args.workers,
                work_ms=args.overload_work_ms)
    base = run_case(port, "slow pipeline capacity", "slow", make_events(2000, 4), window=200,
                    **slow)
    capacity = base["events_per_s"]
    count = int(capacity * 10 * args.overload_seconds)
    over = run_case(port, "slow pipeline at 10x", "slow", make_events(count, 4), window=0,
                    rate=capacity * 10, **slow)
    offered = over["published"] / over["publish_s"]
    processed = over["PipelineMessagesProcessed-default-pipeline"]
    print(f"  overload: pipeline with a {args.overload_work_ms:g} ms wait per event, capacity "
          f"{capacity} events/s; offered {over['published']} events at {offered:.0f}/s "
          f"({offered / capacity:.1f} x capacity)")
    print(f"  overload: {over['MessagesReceived']} received = {processed} processed + "
          f"{over['MessagesDropped']} dropped (counted), queue bound "
          f"{args.overload_queue_size}; peak RSS {over['peak_rss_mib']:.1f} MiB vs "
          f"{base['peak_rss_mib']:.1f} MiB at capacity")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--window", type=int, default=2000)
    parser.add_argument("--queue-size", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)  # Trigger.Workers default
    parser.add_argument("--overload-queue-size", type=int, default=2000)
    parser.add_argument("--overload-work-ms", type=float, default=1.0,
                        help="per-event wait of the overload pipeline (an export or model call)")
    parser.add_argument("--overload-seconds", type=float, default=4.0)
    parser.add_argument("--work-ms", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-overload", action="store_true")
    parser.add_argument("--role", default="harness", choices=["harness", "service"])
    parser.add_argument("--mode", default="pipeline", choices=["pipeline", "relay", "slow"])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.role == "service":
        run_service(args.port, args.mode, args.queue_size, args.workers, args.work_ms)
        return 0

    from broker import Broker
    broker = Broker().start()
    try:
        v4, v3 = make_events(args.events, 4), make_events(args.events, 3)
        common = dict(window=args.window, queue_size=args.queue_size, workers=args.workers)
        cases = [("relay-baseline (4.x)", "relay", v4), ("service 4.x envelopes", "pipeline", v4),
                 ("service 3.x envelopes", "pipeline", v3)]
        runs: dict[str, list[dict]] = {label: [] for label, _, _ in cases}
        for _ in range(args.repeat):  # interleaved, so load changes hit every case alike
            for label, mode, events in cases:
                runs[label].append(run_case(broker.port, label, mode, events, **common))
        median = {label: statistics.median(r["events_per_s"] for r in results)
                  for label, results in runs.items()}
        rss = {label: max(r["peak_rss_mib"] for r in results) for label, results in runs.items()}
        relay = median["relay-baseline (4.x)"]
        print(f"\nmedian of {args.repeat} runs, {args.events} events each, "
              f"{args.workers} worker(s):")
        for label, _, _ in cases:
            print(f"  {label:24s} {median[label]:8.0f} events/s  "
                  f"{median[label] / relay:5.2f} x relay   peak RSS {rss[label]:6.1f} MiB  "
                  f"(runs: {', '.join(str(r['events_per_s']) for r in runs[label])})")
        if not args.skip_overload:
            overload(broker.port, args)
    finally:
        broker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
