"""Bounded working memory: choose/score/generate keep each model call within
decisions.MAX_BATCH_TOKENS, the static-prompt cache is bounded in tokens, and freed memory is
given back to the system after every executor job."""
from collections import OrderedDict

import pytest

from app_service.llm import LanguageModel, decisions, heap
from app_service.llm import executor as executor_module
from app_service.llm import model as model_module
from app_service.llm.executor import BatchingExecutor
from llm_tiny import tiny_llama_dir  # noqa: F401  (fixture)

SYSTEM = ("system", "You control a smart home.")
OPTIONS = ["hello", "world", "hello world", "or", "wor"]


class Recorder:
    """Delegates to the CTranslate2 generator and records each call's batch."""

    def __init__(self, generator):
        self._generator = generator
        self.calls = []

    def __getattr__(self, name):
        method = getattr(self._generator, name)

        def record(items, **kwargs):
            self.calls.append((name, len(items), kwargs.get("max_batch_size", 0)))
            return method(items, **kwargs)
        return record


@pytest.fixture
def tiny(tiny_llama_dir):  # noqa: F811
    model = LanguageModel(tiny_llama_dir, compute_type="float32", threads=1)
    model._generator = Recorder(model._generator)
    yield model
    model._generator = model._generator._generator
    model.close()


def test_choose_within_the_budget_is_one_forced_call_and_beyond_it_score_batch(tiny, monkeypatch):
    prompt = tiny.prompt([SYSTEM, ("user", "hello world")])
    tokens = [tiny.tokenizer.encode_plain(o) + [tiny.end_tokens[0]] for o in OPTIONS]
    monkeypatch.setattr(decisions, "_priors", OrderedDict())
    monkeypatch.setattr(decisions, "MAX_BATCH_TOKENS", 10_000)
    forced = decisions.option_logprobs(tiny, prompt, tokens)
    choice = tiny.choose([SYSTEM, ("user", "hello world")], OPTIONS)
    assert tiny._generator.calls[0][:2] == ("generate_batch", len(OPTIONS) + 1)

    tiny._generator.calls.clear()
    monkeypatch.setattr(decisions, "_priors", OrderedDict())
    monkeypatch.setattr(decisions, "MAX_BATCH_TOKENS", len(prompt) + 4)
    monkeypatch.setattr(tiny, "forced_logprobs", lambda *a, **k: pytest.fail("over the budget"))
    assert decisions.option_logprobs(tiny, prompt, tokens) == pytest.approx(forced, abs=2e-3)
    bounded = tiny.choose([SYSTEM, ("user", "hello world")], OPTIONS)
    assert {(name, batch) for name, _, batch in tiny._generator.calls} == {("score_batch", 1)}
    assert bounded.option == choice.option
    assert bounded.probabilities == pytest.approx(choice.probabilities, abs=1e-3)


def test_score_batches_only_what_the_budget_pays_for(tiny, monkeypatch):
    prompt = [SYSTEM, ("user", "hello")]
    monkeypatch.setattr(decisions, "MAX_BATCH_TOKENS", 10_000)
    whole = tiny.score(prompt, OPTIONS)
    assert tiny._generator.calls[-1][2] > 1
    monkeypatch.setattr(decisions, "MAX_BATCH_TOKENS", 8)
    assert tiny.score(prompt, OPTIONS) == pytest.approx(whole, abs=2e-3)
    assert tiny._generator.calls[-1] == ("score_batch", len(OPTIONS), 1)


def test_generate_batch_is_split_to_the_budget(tiny, monkeypatch):
    prompts = [[SYSTEM, ("user", u)] for u in ("hello", "world in", "hell o world")]
    monkeypatch.setattr(decisions, "MAX_GENERATE_BATCH_TOKENS", 10_000)
    together = tiny.generate_batch(prompts, max_tokens=6)
    assert [n for _, n, _ in tiny._generator.calls] == [3]
    longest = max(len(tiny.prompt(p)) for p in prompts) + 6
    monkeypatch.setattr(decisions, "MAX_GENERATE_BATCH_TOKENS", 2 * longest)
    tiny._generator.calls.clear()
    assert tiny.generate_batch(prompts, max_tokens=6) == together
    assert [n for _, n, _ in tiny._generator.calls] == [2, 1]
    assert tiny.generate_batch([], max_tokens=6) == []


def test_static_prompt_cache_is_bounded_in_tokens(tiny, monkeypatch):
    monkeypatch.setattr(model_module, "MAX_CACHED_STATIC_TOKENS", 10)
    cached = [tiny._static_args([f"t{i}"] * 4)["cache_static_prompt"] for i in range(3)]
    assert cached == [True, True, False]  # 4 + 4 tokens kept; 12 would exceed 10
    assert tiny._static_args(["t0"] * 4)["cache_static_prompt"]  # a kept one stays cached


def test_executor_gives_memory_back_after_every_job(tiny, monkeypatch):
    released = []
    monkeypatch.setattr(executor_module, "release_free_memory", lambda: released.append(1))
    executor = BatchingExecutor(tiny, max_batch_delay=0.001)
    try:
        executor.choose([SYSTEM, ("user", "hello")], ["hello", "world"])
        executor.generate([SYSTEM, ("user", "hello")], max_tokens=2)
        with pytest.raises(Exception):
            executor.choose([SYSTEM, ("user", "hello")], [])
    finally:
        executor.close()
    assert len(released) == 3


class FakeLibc:
    def __init__(self):
        self.calls = []

    def mallopt(self, param, value):
        self.calls.append(("mallopt", param, value))
        return 1

    def malloc_trim(self, pad):
        self.calls.append(("malloc_trim", pad))
        return 1


@pytest.mark.parametrize("environ,expected", [
    ({}, [("mallopt", -3, 1 << 20), ("mallopt", -8, 1), ("malloc_trim", 0)]),
    # glibc's own settings win
    ({"MALLOC_MMAP_THRESHOLD_": "65536"}, [("mallopt", -8, 1), ("malloc_trim", 0)]),
    ({"MALLOC_ARENA_MAX": "4"}, [("mallopt", -3, 1 << 20), ("malloc_trim", 0)]),
])
def test_heap_settings(monkeypatch, environ, expected):
    libc = FakeLibc()
    monkeypatch.setattr(heap, "_libc", lambda: libc)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    heap.limit_heap_retention()
    heap.release_free_memory()
    assert libc.calls == expected


def test_heap_settings_without_glibc(monkeypatch):
    monkeypatch.setattr(heap, "_libc", lambda: None)
    heap.limit_heap_retention()
    heap.release_free_memory()


@pytest.mark.parametrize("given, expected", [
    ({}, "PASSIVE"),                                   # shared cores: never spin
    ({"OMP_WAIT_POLICY": "ACTIVE"}, "ACTIVE"),         # the operator's choice wins
    ({"GOMP_SPINCOUNT": "10000"}, None),               # a spin count alone is not overridden
])
def test_openmp_wait_policy_set_before_ctranslate2_loads(given, expected):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    env.update(given)
    code = ("import os, app_service.llm, ctranslate2; "
            "print(os.environ.get('OMP_WAIT_POLICY'))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == str(expected)
