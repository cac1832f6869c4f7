"""LLM runtime benchmark: CTranslate2 per compute type vs llama.cpp on the same GGUF and threads.

    python bench/llm_bench.py [--model smollm2-135m-instruct] [--threads 2]
                              [--compute-types float32,int8,int8_float32] [--no-llamacpp]

Each engine and compute type runs in its own child process (so peak RSS and load time are its
own). Printed per run: load time, RSS after load and peak, prompt (prefill) tokens/s, decode
tokens/s at batch 1 and 8, time to first token, score_batch throughput, choose() latency and
accuracy on closed command choices (English and Chinese), the memory bandwidth measured in the
same run and batch-1 decode as a fraction of the bandwidth bound (weight bytes read per token ÷
bandwidth), and the ratios against llama.cpp (llama-cpp-python, optional: pip install
llama-cpp-python, a ~10 minute source build). Figures vary ±10-20 % run to run on a shared
machine; compare ratios from one run.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PASSAGE = (
    "EdgeX Foundry is an open source, vendor neutral platform for the edge of the network. It "
    "interoperates between devices and applications at the IoT edge, with a message bus that "
    "carries events from device services to application services. Each event holds readings: a "
    "temperature from a thermostat, the state of a door lock, the level of a water tank, the "
    "speed of a fan. Application services filter, transform and export those events, and they "
    "can send commands back to devices through the core command service, which checks the "
    "device profile before it forwards a request. A device profile describes the resources of "
    "a kind of device, their value types, units, minimum and maximum values, and which of them "
    "can be read or written. Operators want to say what they need in plain words and have the "
    "right device do it safely, and they want anomalies explained in one sentence rather than "
    "a wall of numbers. Small language models running next to the devices can help with both "
    "tasks when they are fast, predictable and constrained to valid outputs.")
NEW_TOKENS = 64
BATCH = 8
SCORE_LEN = 128

SYSTEM = ("You turn smart-home requests into one action. Devices: kitchen light (厨房灯), "
          "living room light (客厅灯), bedroom fan (卧室风扇), front door lock (前门锁), "
          "garage door (车库门), hallway thermostat (走廊温控器). Answer with the action only.")
OPTIONS = ["kitchen light on", "kitchen light off", "living room light on",
           "living room light off", "bedroom fan on", "bedroom fan off", "front door lock",
           "front door unlock", "garage door open", "garage door close"]
PROBES = [
    ("Turn on the kitchen light", "kitchen light on"),
    ("Switch the living room light off", "living room light off"),
    ("It's hot in the bedroom, start the fan", "bedroom fan on"),
    ("Lock the front door please", "front door lock"),
    ("Open the garage", "garage door open"),
    ("Close the garage door", "garage door close"),
    ("Kitchen lights off", "kitchen light off"),
    ("打开厨房灯", "kitchen light on"),
    ("关掉客厅灯", "living room light off"),
    ("把前门锁上", "front door lock"),
    ("打开车库门", "garage door open"),
    ("关闭卧室风扇", "bedroom fan off"),
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def best(fn, repeats=3):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def memory_bandwidth_gbs(threads: int) -> dict:
    """Read bandwidth as decoding uses it: matrix-vector products over 1 GiB matrices (BLAS;
    every byte read once, as a decode step reads every weight once), in float64 and in float32
    (the access of a float32 decode step), best of 5 each; the faster is the bound's bandwidth,
    so a slow BLAS path cannot flatter the ratio. Also the single-thread copy bandwidth (read +
    write) for reference."""
    import numpy as np

    read = {}
    for dtype in (np.float64, np.float32):
        matrix = np.ones((2**30 // np.dtype(dtype).itemsize // 1024, 1024), dtype=dtype)
        vector = np.ones(1024, dtype=dtype)
        read[np.dtype(dtype).name] = matrix.nbytes / best(lambda: matrix @ vector, 5) / 1e9
        del matrix
    matrix = np.ones((2**30 // 8 // 1024, 1024))
    target = np.empty_like(matrix)
    copy = best(lambda: np.copyto(target, matrix), 5)
    return {"read_gbs": max(read.values()), "read_float64_gbs": read["float64"],
            "read_float32_gbs": read["float32"], "copy_gbs": 2 * matrix.nbytes / copy / 1e9}


# ---- CTranslate2 worker -----------------------------------------------------------------
def prefill_and_decode(generator, tokens: list, batch: int, repeats: int) -> tuple[float, float]:
    """(prefill, decode) tokens/s of a CTranslate2 generator for ``batch`` copies of the prompt:
    a forced 1-token generation times the prefill, a forced NEW_TOKENS one adds the decode
    (forced lengths: raw timings the public API never needs). Best of ``repeats``."""
    def run(new):
        return generator.generate_batch([tokens] * batch, max_length=new, min_length=new,
                                        include_prompt_in_result=False, sampling_topk=1)

    run(2)  # warm-up
    prefill = best(lambda: run(1), repeats)
    full = best(lambda: run(NEW_TOKENS), repeats)
    return batch * len(tokens) / prefill, batch * (NEW_TOKENS - 1) / (full - prefill)


def ct2_worker(args) -> dict:
    from app_service.llm import LanguageModel

    started = time.perf_counter()
    model = LanguageModel(args.model_dir, compute_type=args.compute_type, threads=args.threads)
    load_s = time.perf_counter() - started
    result = {"engine": "ctranslate2", "compute_type": args.compute_type, "load_s": load_s,
              "rss_after_load_mb": rss_mb()}
    generator = model._generator  # raw timings: forced lengths that the public API never needs
    tokens = model.tokenizer.encode_plain(PASSAGE)
    result["prompt_tokens"] = len(tokens)

    repeats = args.repeats
    result["prefill_tok_s"], result["decode_bs1_tok_s"] = prefill_and_decode(
        generator, tokens, 1, repeats)

    def first_token():
        started = time.perf_counter()
        for _ in generator.generate_tokens(tokens, max_length=NEW_TOKENS, sampling_topk=1):
            return time.perf_counter() - started

    result["ttft_s"] = min(first_token() for _ in range(repeats))
    result.update(choice_accuracy(model))
    # What the service holds while it generates and chooses (it never scores 8 x 128 at once).
    result["peak_rss_serving_mb"] = peak_rss_mb()
    result["prefill_bs8_tok_s"], result["decode_bs8_tok_s"] = prefill_and_decode(
        generator, tokens, BATCH, repeats)
    sequences = [(tokens * 2)[i:i + SCORE_LEN] for i in range(BATCH)]
    score_s = best(lambda: generator.score_batch(sequences), repeats)
    result["score_tok_s"] = BATCH * SCORE_LEN / score_s
    result["peak_rss_mb"] = peak_rss_mb()
    weights = os.path.getsize(os.path.join(args.model_dir, "model.bin"))
    bytes_per_weight = 1 if args.compute_type.startswith("int8") else 4
    stored = 4 if model.metadata.get("storage", "float32") == "float32" else 1
    result["weight_bytes_per_token"] = weights / stored * bytes_per_weight
    return result


def choice_accuracy(model) -> dict:
    """choose() on closed command probes (EN + ZH): accuracy and latency per request."""
    latencies, correct = [], 0
    # JSON-shaped options score far better than bare phrases with small models (docs/llm.md).
    options = [json.dumps({"device": o.rsplit(" ", 1)[0], "action": o.rsplit(" ", 1)[1]})
               for o in OPTIONS]
    for utterance, expected in PROBES:
        started = time.perf_counter()
        choice = model.choose([("system", SYSTEM), ("user", utterance)], options)
        choice = OPTIONS[choice.index]
        latencies.append(time.perf_counter() - started)
        correct += choice == expected
    steady = latencies[1:]  # the first request also computes the content-free prior
    return {"choose_accuracy": correct / len(PROBES), "choose_p50_s": statistics.median(steady),
            "choose_max_s": max(steady)}


# ---- llama.cpp worker -------------------------------------------------------------------
def llamacpp_worker(args) -> dict:
    import numpy as np
    from llama_cpp import Llama

    started = time.perf_counter()
    llm = Llama(model_path=args.gguf, n_ctx=1024, n_threads=args.threads, n_batch=512,
                verbose=False)
    result = {"engine": "llama.cpp", "compute_type": "gguf", "load_s": time.perf_counter() - started,
              "rss_after_load_mb": rss_mb()}
    tokens = llm.tokenize(PASSAGE.encode("utf-8"), add_bos=False)
    result["prompt_tokens"] = len(tokens)

    def prefill():
        llm.reset()
        llm.eval(tokens)

    prefill()
    prefill_s = best(prefill, args.repeats)
    result["prefill_tok_s"] = len(tokens) / prefill_s

    def decode():
        stamps = []
        llm.reset()  # otherwise generate() reuses the cached prompt and skips the prefill
        started = time.perf_counter()
        for _ in llm.generate(tokens, top_k=1, temp=0.0, reset=True):
            stamps.append(time.perf_counter() - started)
            if len(stamps) == NEW_TOKENS:
                break
        return stamps

    runs = [decode() for _ in range(args.repeats)]
    result["peak_rss_serving_mb"] = peak_rss_mb()
    result["ttft_s"] = min(r[0] for r in runs)
    result["decode_bs1_tok_s"] = max((NEW_TOKENS - 1) / (r[-1] - r[0]) for r in runs)
    del llm
    scorer = Llama(model_path=args.gguf, n_ctx=1024, n_threads=args.threads, n_batch=512,
                   logits_all=True, verbose=False)
    sequences = [(tokens * 2)[i:i + SCORE_LEN] for i in range(BATCH)]

    def score():
        for seq in sequences:
            scorer.reset()
            scorer.eval(seq)
            logits = np.asarray(scorer.scores[:len(seq)], dtype=np.float32)
            logits -= logits.max(axis=1, keepdims=True)
            logprobs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
            _ = logprobs[np.arange(len(seq) - 1), seq[1:]].sum()

    score()
    result["score_tok_s"] = BATCH * SCORE_LEN / best(score, args.repeats)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


# ---- parent -----------------------------------------------------------------------------
def child(args, extra) -> dict:
    command = [sys.executable, os.path.abspath(__file__), "--threads", str(args.threads),
               "--repeats", str(args.repeats)] + extra
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:]}
    return json.loads(lines[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--model-dir", help="an already converted model (skips install)")
    parser.add_argument("--int8-model-dir", help="an int8-stored folder for int8 compute types")
    parser.add_argument("--gguf", help="the GGUF for llama.cpp (default: the model's package)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compute-types", default="float32,int8,int8_float32")
    parser.add_argument("--no-llamacpp", action="store_true")
    parser.add_argument("--repeats", type=int, default=5, help="timings are the best of N")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--worker", choices=["ct2", "llamacpp", "bandwidth"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--compute-type", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "ct2":
        print(json.dumps(ct2_worker(args)))
        return 0
    if args.worker == "bandwidth":
        print(json.dumps(memory_bandwidth_gbs(args.threads)))
        return 0
    if args.worker == "llamacpp":
        print(json.dumps(llamacpp_worker(args)))
        return 0

    from app_service.llm import catalog
    from app_service.llm.options import cpu_flags, default_cache_dir, resolve_compute_type

    folder = os.environ.get("LLM_CACHEDIR") or default_cache_dir()
    model_dir = args.model_dir or catalog.install(args.model, folder)
    # int8 compute reads an int8-stored folder (what the service loads; far less RSS).
    int8_dir = args.int8_model_dir or (None if args.model_dir else
                                      catalog.install(args.model, folder, storage="int8"))
    source = catalog.known(args.model)
    gguf = args.gguf or source.locate(source.module, folder)
    flags = cpu_flags()
    wait = os.environ.get("GOMP_SPINCOUNT") and f"GOMP_SPINCOUNT={os.environ['GOMP_SPINCOUNT']}"
    print(f"model {args.model} ({model_dir}), threads {args.threads}, "
          f"GGUF {os.path.basename(gguf)}, OpenMP wait: {wait or 'OMP_WAIT_POLICY=' + os.environ.get('OMP_WAIT_POLICY', 'PASSIVE')}")
    print(f"CPU int8 flags: {sorted(f for f in flags if 'vnni' in f or f == 'avx512f')} -> "
          f"ComputeType=auto picks {resolve_compute_type('cpu', 'auto', flags)}")
    # In a child: Linux carries a parent's peak RSS into children across exec (ru_maxrss).
    bandwidth = child(args, ["--worker", "bandwidth"])
    print(f"memory bandwidth: read {bandwidth['read_gbs']:.1f} GB/s (GEMV float64 "
          f"{bandwidth['read_float64_gbs']:.1f}, float32 {bandwidth['read_float32_gbs']:.1f}), "
          f"copy {bandwidth['copy_gbs']:.1f} GB/s")
    results = []
    for compute_type in args.compute_types.split(","):
        folder_used = int8_dir if compute_type.startswith("int8") and int8_dir else model_dir
        results.append(child(args, ["--worker", "ct2", "--model-dir", folder_used,
                                    "--compute-type", compute_type]))
    if not args.no_llamacpp:
        results.append(child(args, ["--worker", "llamacpp", "--gguf", gguf]))
    report(results, bandwidth)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"model": args.model, "threads": args.threads, "bandwidth": bandwidth,
                       "results": results}, handle, indent=2)
    return 0


def report(results, bandwidth) -> None:
    rows = [("load s", "load_s", "{:.2f}"), ("RSS after load MB", "rss_after_load_mb", "{:.0f}"),
            ("peak RSS serving MB (generate + choose)", "peak_rss_serving_mb", "{:.0f}"),
            ("peak RSS MB (incl. bs8 and score_batch 8x128)", "peak_rss_mb", "{:.0f}"), ("prefill tok/s", "prefill_tok_s", "{:.0f}"),
            ("decode bs1 tok/s", "decode_bs1_tok_s", "{:.1f}"),
            ("decode bs8 tok/s (aggregate)", "decode_bs8_tok_s", "{:.1f}"),
            ("time to first token s", "ttft_s", "{:.3f}"),
            ("score tok/s", "score_tok_s", "{:.0f}"),
            ("choose accuracy (12 EN+ZH)", "choose_accuracy", "{:.2f}"),
            ("choose p50 s", "choose_p50_s", "{:.3f}"), ("choose max s", "choose_max_s", "{:.3f}")]
    names = [f"{r.get('engine', '?')} {r.get('compute_type', '')}" for r in results]
    print()
    print("| metric | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for label, key, fmt in rows:
        cells = [fmt.format(r[key]) if key in r else "-" for r in results]
        print(f"| {label} | " + " | ".join(cells) + " |")
    for r in results:
        if "error" in r:
            print(f"error in a run: {r['error']}")
    llama = next((r for r in results if r.get("engine") == "llama.cpp" and "error" not in r), None)
    print()
    for r in results:
        if r.get("engine") != "ctranslate2" or "error" in r:
            continue
        bound = bandwidth["read_gbs"] * 1e9 / r["weight_bytes_per_token"]
        line = (f"{r['compute_type']}: decode bs1 {r['decode_bs1_tok_s']:.1f} tok/s = "
                f"{r['decode_bs1_tok_s'] / bound:.0%} of the bandwidth bound {bound:.1f} tok/s "
                f"({r['weight_bytes_per_token'] / 1e6:.0f} MB/token)")
        if llama:
            line += (f"; vs llama.cpp: prefill {r['prefill_tok_s'] / llama['prefill_tok_s']:.2f}x, "
                     f"score {r['score_tok_s'] / llama['score_tok_s']:.2f}x, decode "
                     f"{r['decode_bs1_tok_s'] / llama['decode_bs1_tok_s']:.2f}x, TTFT "
                     f"{llama['ttft_s'] / r['ttft_s']:.2f}x faster")
        print(line)


if __name__ == "__main__":
    sys.exit(main())
