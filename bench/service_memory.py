"""Peak RSS of the whole service with the default model, per compute type, against the targets.

    python bench/service_memory.py [--compute-types float32,int8] [--rounds 2]

For each compute type (``LLM_COMPUTETYPE``) a fresh child process builds and starts the real
service (``build_app`` from configuration.toml, every feature installed, the message bus on a
real mosquitto, the EdgeX stand-in answering core-metadata/core-command and publishing its
devices' events) and, once the model is ready, drives the model workloads the service runs,
through the service's own objects and its ModelHandle (executor thread, micro-batching):

- anomaly triage (app.anomaly's Triager): severity, explanation and action choices, for limit,
  range, stuck, surprise and silence findings;
- String-reading classification (TextClassifier, calibrated 2-way choice);
- the commands tie-break (the interpreter's raw-text prompt, two or three setting names);
- generate calls (four concurrent, micro-batched, and one alone);
- then, apart, a stress request the service itself never makes: a 10-option JSON command choice
  after a ~100-token system prompt (the bench/llm_bench.py probe).

Printed per compute type: RSS after the model loaded (the baseline of the same run), peak RSS
(the kernel's high-water mark of the service process) after the service workloads and after the
stress request, the working memory above the baseline, and the targets of issue 3.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

TARGETS_MB = {"float32": 700, "int8": 350}
PROFILES = os.path.join(ROOT, "profiles")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    import psutil
    return psutil.Process().memory_info().rss / 2**20


# ---- the service (child process) --------------------------------------------------------
def facts(kind, value, **kw):
    from app_service.anomaly.records import AnomalyFacts
    base = dict(device="lounge-thermostat", resource="Temperature", profile="Room-Thermostat",
                score=0.9, origin_ns=0, units="C", description="Room temperature",
                minimum=-20.0, maximum=60.0, recent=(21.0, 21.2, 21.1, 21.3, 21.0, 21.2))
    base.update(kw)
    return AnomalyFacts(kind=kind, value=value, **base)


def service_workloads(app) -> dict:
    from app_service.anomaly.text import TextClassifier

    timings: dict[str, list[float]] = {}

    peaks: dict[str, float] = {}

    def timed(name, call):
        started = time.perf_counter()
        result = call()
        timings.setdefault(name, []).append(time.perf_counter() - started)
        peaks[name] = peak_mb()
        return result

    triager = app.anomaly.queue.triager
    cases = [facts("limit", 75.0), facts("range", 55.0), facts("stuck", 21.0, recent=(21.0,) * 10),
             facts("surprise", 27.5), facts("silence", None)]
    records = [timed("triage", lambda c=c: triager.triage(c)) for c in cases]
    classifier = TextClassifier(app.model)
    for text in ("JAMMED", "overheat warning", "standby"):
        timed("classify", lambda t=text: classifier.classify(
            facts("text", t, device="back-door-lock", resource="LockState", profile="",
                  units="", description="", minimum=None, maximum=None,
                  recent=("LOCKED", "UNLOCKED"))))
    # commands: Interpreter._model_pick's prompt shape, raw text, uncalibrated
    for device, request, names in [
            ("lounge-thermostat", "make it warmer", ["Setpoint", "FanLevel"]),
            ("lounge-lamp", "a bit warmer light please", ["Brightness", "ColorTemperature"]),
            ("rinse-pump", "push harder", ["TargetPressure", "FlowRate", "Running"])]:
        prompt = (f"Device {device}. Request: \"{request}\". "
                  f"Which setting does the request change? Answer:")
        timed("command tie-break", lambda p=prompt, n=names: app.model.choose(
            p, [" " + x for x in n]))
    system = ("system", "You write one short sentence for an operator about an IoT anomaly.")
    users = [f"The {c.device} {c.resource} reading {c.value} was flagged ({c.kind})."
             for c in cases]
    threads = [threading.Thread(target=lambda u=u: timed("generate (4 concurrent)", lambda: (
        app.model.generate([system, ("user", u)], max_tokens=32)))) for u in users[:4]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timed("generate", lambda: app.model.generate([system, ("user", users[4])], max_tokens=32))
    return {"triaged_by_model": sum(r.triaged_by == "model" for r in records),
            "timings_s": {k: round(max(v), 3) for k, v in timings.items()},
            "peak_after_mb": {k: round(v) for k, v in peaks.items()}}


def stress_choose(app) -> float:
    from llm_bench import OPTIONS, PROBES, SYSTEM
    options = [json.dumps({"device": o.rsplit(" ", 1)[0], "action": o.rsplit(" ", 1)[1]})
               for o in OPTIONS]
    started = time.perf_counter()
    for utterance, _ in PROBES[:3]:
        app.model.choose([("system", SYSTEM), ("user", utterance)], options)
    return round((time.perf_counter() - started) / 3, 3)


def child(rounds: int) -> dict:
    from app_service.config import ServiceSettings, load_configuration
    from app_service.service import build_app

    env = dict(os.environ)
    cfg = load_configuration(os.path.join(ROOT, "configuration.toml"), env=env)
    settings = ServiceSettings.from_config(cfg, env=env)
    app = build_app(cfg, settings, env=env)
    started = time.perf_counter()
    app.start()
    try:
        while app.model.state == "loading" and time.perf_counter() - started < 300:
            time.sleep(0.05)
        health = app.model.health()
        if health["state"] != "ready":
            raise SystemExit(f"model not ready: {health}")
        out = {"compute_type": health["computeType"], "model_dir": health["modelDir"],
               "rss_after_load_mb": rss_mb(), "peak_after_load_mb": peak_mb()}
        for _ in range(rounds):
            out["service"] = service_workloads(app)
        out["rss_after_service_mb"] = rss_mb()
        out["peak_service_mb"] = peak_mb()
        out["stress_choose_s"] = stress_choose(app)
        out["peak_with_stress_mb"] = peak_mb()
        out["rss_end_mb"] = rss_mb()
        return out
    finally:
        app.stop()


# ---- the driver (parent process: broker, stand-in, one child per compute type) ----------
def run_child(compute_type: str, broker, standin, workdir: str, rounds: int) -> dict:
    from broker import free_port
    ports = {name: url.rsplit(":", 1)[1] for name, url in standin.urls.items()}
    path = os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "LLM_COMPUTETYPE": compute_type,
           "MESSAGEBUS_HOST": "127.0.0.1", "MESSAGEBUS_PORT": str(broker.port),
           "MESSAGEBUS_OPTIONAL_CLIENTID": f"memory-bench-{free_port()}",
           "SERVICE_HOST": "127.0.0.1", "SERVICE_PORT": str(free_port()),
           "REGISTRY_HOST": "127.0.0.1", "REGISTRY_PORT": ports["registry"],
           "APPLICATIONSETTINGS_STOREANDFORWARDPATH": os.path.join(workdir, "store.sqlite"),
           "APPLICATIONSETTINGS_PROFILESDIR": PROFILES,
           "ANOMALYDETECTION_SNAPSHOTPATH": "", "WRITABLE_LOGLEVEL": "WARN"}
    for name in ("core-command", "core-metadata", "core-data", "support-notifications"):
        key = name.upper().replace("-", "_")
        env[f"CLIENTS_{key}_HOST"], env[f"CLIENTS_{key}_PORT"] = "127.0.0.1", ports[name]
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--child",
                           "--rounds", str(rounds)], env=env, cwd=workdir, capture_output=True,
                          text=True, timeout=900)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"service child ({compute_type}) failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def report(results: list[dict]) -> None:
    print(f"{'':34}" + "".join(f"{r['requested']:>12}" for r in results))
    rows = [("compute type in use", "compute_type", "{}"),
            ("RSS after model load MB", "rss_after_load_mb", "{:.0f}"),
            ("peak RSS while loading MB", "peak_after_load_mb", "{:.0f}"),
            ("peak RSS, service workloads MB", "peak_service_mb", "{:.0f}"),
            ("RSS after service workloads MB", "rss_after_service_mb", "{:.0f}"),
            ("peak RSS incl. 10-option stress MB", "peak_with_stress_mb", "{:.0f}"),
            ("10-option stress choose s", "stress_choose_s", "{:.2f}")]
    for label, key, fmt in rows:
        print(f"{label:34}" + "".join(f"{fmt.format(r[key]):>12}" for r in results))
    print(f"{'working memory above load MB':34}" + "".join(
        f"{r['peak_service_mb'] - r['rss_after_load_mb']:>12.0f}" for r in results))
    print(f"{'target MB':34}" + "".join(f"{TARGETS_MB[r['requested']]:>12}" for r in results))
    print(f"{'service peak within target':34}" + "".join(
        f"{str(r['peak_service_mb'] <= TARGETS_MB[r['requested']]):>12}" for r in results))
    for r in results:
        print(f"{r['requested']}: {r['service']['triaged_by_model']}/5 triaged by the model; "
              f"slowest call per workload (s): {json.dumps(r['service']['timings_s'])}; "
              f"peak RSS after each (MB): {json.dumps(r['service']['peak_after_mb'])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compute-types", default="float32,int8")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the service workloads")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.rounds)), flush=True)
        return 0
    from broker import Broker
    from app_service.standin import StandIn
    results = []
    with tempfile.TemporaryDirectory(prefix="service-memory-") as workdir:
        broker = Broker().start()
        try:
            with StandIn(PROFILES, broker=("127.0.0.1", broker.port)) as standin:
                for compute_type in args.compute_types.split(","):
                    result = run_child(compute_type, broker, standin, workdir, args.rounds)
                    result["requested"] = compute_type
                    results.append(result)
        finally:
            broker.stop()
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
