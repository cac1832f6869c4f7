"""How CTranslate2's OpenMP threads should wait between parallel regions, idle and contended.

CTranslate2's CPU kernels run in GNU OpenMP parallel regions, hundreds per decoded token. Between
two regions a worker thread either spins (burns its core, wakes in nanoseconds) or sleeps on a futex
(frees its core, wakes in tens of microseconds -- more on a virtual machine, whose idle vCPU halts).
`OMP_WAIT_POLICY=PASSIVE` never spins (the service's default, set by app_service.llm unless the
environment says otherwise), `ACTIVE` always spins, and `GOMP_SPINCOUNT=N` spins N iterations
before sleeping (libgomp's own default is 300k). This prints prefill and batch-1 decode tokens/s for each policy, on an
otherwise idle machine and again with `--busy` processes competing for the cores (busy-loop
processes started by this script), policies interleaved round by round so drift hits them alike.

    python bench/omp_wait.py                       # default model, float32 and int8
    python bench/omp_wait.py --busy 2 --rounds 3
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys

from llm_bench import PASSAGE, prefill_and_decode  # the same prompt and timing as llm_bench

POLICIES = {
    "passive": {"OMP_WAIT_POLICY": "PASSIVE"},
    "spin 3k": {"GOMP_SPINCOUNT": "3000"},
    "spin 10k": {"GOMP_SPINCOUNT": "10000"},
    "spin 300k": {"GOMP_SPINCOUNT": "300000"},   # libgomp's own default when nothing is set
}


def child(model_dir: str, compute_type: str, threads: int) -> dict:
    from app_service.llm import LanguageModel

    model = LanguageModel(model_dir, compute_type=compute_type, threads=threads)
    tokens = model.tokenizer.encode_plain(PASSAGE)
    prefill, decode = prefill_and_decode(model._generator, tokens, 1, 3)
    return {"prefill_tok_s": prefill, "decode_tok_s": decode}


def spin_forever() -> None:
    while True:
        pass


def measure(policy_env: dict, args, compute_type: str, model_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    env.update(policy_env)
    out = subprocess.run([sys.executable, __file__, "--child", model_dir, compute_type,
                          str(args.threads)], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, metavar=("MODEL_DIR", "COMPUTE_TYPE", "THREADS"))
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--compute-types", default="float32,int8")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--busy", type=int, default=2, help="busy-loop processes for the contended runs (0: idle runs only)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--policies", default=",".join(POLICIES),
                        help=f"comma-separated subset of: {', '.join(POLICIES)}")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], int(args.child[2]))))
        return 0

    from app_service.llm.options import default_cache_dir

    base = os.path.join(default_cache_dir(), args.model)
    rows = []
    conditions = [("idle", 0)] + ([(f"{args.busy} busy", args.busy)] if args.busy else [])
    for condition, busy in conditions:
        spinners = [multiprocessing.Process(target=spin_forever, daemon=True) for _ in range(busy)]
        for process in spinners:
            process.start()
        try:
            for compute_type in args.compute_types.split(","):
                model_dir = base + "-int8" if compute_type.startswith("int8") and os.path.isdir(
                    base + "-int8") else base
                runs = {name: [] for name in args.policies.split(",")}
                for _ in range(args.rounds):
                    for name in runs:
                        runs[name].append(measure(POLICIES[name], args, compute_type, model_dir))
                for name, results in runs.items():
                    rows.append((condition, compute_type, name,
                                 statistics.median(r["prefill_tok_s"] for r in results),
                                 statistics.median(r["decode_tok_s"] for r in results)))
        finally:
            for process in spinners:
                process.terminate()
    print(f"threads={args.threads}, medians of {args.rounds} interleaved rounds (each best of 3)")
    print("| machine | compute type | wait policy | prefill tok/s | decode bs1 tok/s |")
    print("|---|---|---|---|---|")
    for condition, compute_type, name, prefill, decode in rows:
        print(f"| {condition} | {compute_type} | {name} | {prefill:.0f} | {decode:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
