"""Executor (batching, queue, timeouts), ModelHandle (background load, health), [LLM] settings, CLI."""
import os
import threading
import time

import pytest

from app_service.errors import ConfigError, ModelError
from app_service.llm import LanguageModel, ModelHandle
from app_service.llm.cli import main as cli_main
from app_service.llm.executor import BatchingExecutor
from app_service.llm.options import LLMSettings, resolve_compute_type
from app_service.metrics import Metrics
from llm_tiny import Q, tiny_llama_dir, write_tiny_gguf  # noqa: F401  (fixture)

SYSTEM = ("system", "You control a smart home.")


class SlowModel:
    """A stand-in with LanguageModel's executor-facing shape whose calls block on an event."""

    def __init__(self):
        self.release = threading.Event()
        self.batches = []

    def prompt(self, prompt):
        return type("P", (), {"static": ()})()

    def generate_batch(self, prompts, max_tokens, stop):
        self.batches.append(len(prompts))
        self.release.wait(5)
        return ["ok"] * len(prompts)

    def choose(self, prompt, options, calibrate=True):
        self.release.wait(5)
        return options[0]


@pytest.fixture(scope="module")
def tiny(tiny_llama_dir):  # noqa: F811
    model = LanguageModel(tiny_llama_dir, compute_type="float32", threads=1)
    yield model
    model.close()


def test_concurrent_generates_are_batched_and_equal_direct_results(tiny):
    metrics = Metrics()
    executor = BatchingExecutor(tiny, max_batch_size=4, max_batch_delay=0.2, metrics=metrics)
    users = ["hello", "world", "hell o", "in er"]
    expected = [tiny.generate([SYSTEM, ("user", u)], max_tokens=6) for u in users]
    results = [None] * 4

    def ask(i):
        results[i] = executor.generate([SYSTEM, ("user", users[i])], max_tokens=6)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    executor.close()
    assert results == expected
    fields = {f["name"]: f["value"] for f in metrics.histogram("LLMBatchSize").fields()}
    assert fields["histogram-max"] > 1


def test_other_requests_run_through_the_executor(tiny):
    executor = BatchingExecutor(tiny)
    choice = executor.choose([SYSTEM, ("user", "hello")], ["hello", "world"])
    assert choice.option in ("hello", "world")
    assert executor.score("hello", [" world"])[0] < 0
    assert "".join(executor.stream([SYSTEM, ("user", "hi")], max_tokens=5)) == \
        tiny.generate([SYSTEM, ("user", "hi")], max_tokens=5)
    executor.close()
    with pytest.raises(ModelError, match="closed"):
        executor.choose("hello", ["a", "b"])


def test_errors_reach_the_caller(tiny):
    executor = BatchingExecutor(tiny)
    with pytest.raises(ModelError, match="distinct"):
        executor.choose("hello", ["a", "a"])
    executor.close()


def test_timeout_names_the_cause():
    model = SlowModel()
    executor = BatchingExecutor(model, request_timeout=0.2)
    started = time.monotonic()
    with pytest.raises(ModelError, match="timed out after 0.2 s"):
        executor.choose("p", ["a", "b"])
    assert time.monotonic() - started < 2
    model.release.set()
    executor.close()


def test_full_queue_is_refused():
    model = SlowModel()
    metrics = Metrics()
    executor = BatchingExecutor(model, queue_size=1, request_timeout=5, metrics=metrics)
    first = threading.Thread(target=lambda: executor.choose("p", ["a"]))
    first.start()
    time.sleep(0.2)  # the worker holds the first request
    second = threading.Thread(target=lambda: executor.choose("p", ["a"]))
    second.start()
    time.sleep(0.2)  # the second fills the queue
    with pytest.raises(ModelError, match="queue is full"):
        executor.choose("p", ["a"])
    assert metrics.counter("LLMRequestsRejected").value == 1
    model.release.set()
    first.join(), second.join()
    executor.close()


def test_requests_expired_in_the_queue_are_not_run():
    model = SlowModel()
    executor = BatchingExecutor(model, request_timeout=5)
    blocker = threading.Thread(target=lambda: executor.choose("p", ["a"]))
    blocker.start()
    time.sleep(0.1)
    with pytest.raises(ModelError, match="timed out"):
        executor.generate("p", timeout=0.1)
    model.release.set()
    blocker.join()
    executor.close()
    assert model.batches == []  # the expired generate never reached the model


def _settings(**kwargs):
    return LLMSettings(**{"auto_install": False, "request_timeout": 5.0, **kwargs})


def test_handle_reports_unavailable_model_and_keeps_answering(tmp_path):
    handle = ModelHandle(_settings(model_dir=str(tmp_path / "nothing")))
    handle.start()
    with pytest.raises(ModelError, match="model directory not found"):
        handle.choose("p", ["a", "b"])
    health = handle.health()
    assert health["state"] == "unavailable" and "not found" in health["reason"]
    handle.close()


def test_handle_loads_in_background_and_serves(tiny_llama_dir):  # noqa: F811
    gate = threading.Event()

    def loader(settings):
        gate.wait(5)
        return LanguageModel(tiny_llama_dir, compute_type="float32", threads=1)

    handle = ModelHandle(_settings(model_dir=tiny_llama_dir), loader=loader)
    handle.start()
    assert handle.health()["state"] == "loading"
    with pytest.raises(ModelError, match="still loading"):
        handle.executor(timeout=0.05)
    gate.set()
    assert handle.choose([SYSTEM, ("user", "hi")], ["hello", "world"]).option
    health = handle.health()
    assert health["state"] == "ready" and health["computeType"] == "float32"
    assert health["queueDepth"] == 0
    handle.close()
    assert handle.health()["state"] == "closed"


def test_settings_from_config_and_errors():
    settings = LLMSettings.from_config({"LLM": {"ComputeType": "INT8", "MaxBatchDelay": "20ms",
                                                "CacheDir": "/m", "Model": "x"}})
    assert settings.compute_type == "int8" and settings.max_batch_delay == pytest.approx(0.02)
    assert settings.resolved_model_dir() == "/m/x"
    assert LLMSettings.from_config({}) == LLMSettings()
    for key, value in [("ComputeType", "int4"), ("Device", "tpu"), ("MaxBatchSize", 0),
                       ("RequestTimeout", "0s"), ("Threads", -1), ("AutoInstall", "maybe")]:
        with pytest.raises(ConfigError, match=f"LLM.{key}"):
            LLMSettings.from_config({"LLM": {key: value}})


@pytest.mark.parametrize("device,asked,flags,expected", [
    ("cpu", "auto", {"avx2", "fma"}, "float32"),
    ("cpu", "auto", {"avx2", "avx512f", "avx512_vnni"}, "int8"),
    ("cpu", "auto", {"avx2", "avx_vnni"}, "int8"),
    ("cuda", "auto", set(), "int8_float16"),
    ("cpu", "int8", {"avx2"}, "int8"),
])
def test_compute_type_auto(device, asked, flags, expected):
    assert resolve_compute_type(device, asked, flags) == expected


def test_cli_convert_list_info(tmp_path, capsys):
    gguf_path = str(tmp_path / "tiny.gguf")
    write_tiny_gguf(gguf_path, "llama", Q.Q4_0, layers=1)
    cache = str(tmp_path / "models")
    assert cli_main(["--cache-dir", cache, "convert", "--gguf", gguf_path, "--name", "t"]) == 0
    assert cli_main(["--cache-dir", cache, "list"]) == 0
    out = capsys.readouterr().out
    assert "installed  t " in out and "available  smollm2-135m-instruct" in out
    assert cli_main(["model", "--cache-dir", cache, "info", "t"]) == 0
    assert '"architecture": "llama"' in capsys.readouterr().out
    assert cli_main(["--cache-dir", cache, "info", "nope"]) == 1
    assert "no converted model" in capsys.readouterr().err
    assert cli_main(["--cache-dir", cache, "convert", "--gguf", str(tmp_path / "x.gguf")]) == 1


def test_cli_reads_cache_dir_from_env_and_config(tmp_path, monkeypatch):
    from app_service.llm.cli import models_dir
    import argparse

    config = tmp_path / "configuration.toml"
    config.write_text('[LLM]\nCacheDir = "/from/config"\n')
    args = argparse.Namespace(cache_dir=None, config=str(config))
    assert models_dir(args, env={}) == "/from/config"
    assert models_dir(args, env={"LLM_CACHEDIR": "/from/env"}) == "/from/env"


def test_auto_install_picks_storage_for_the_compute_type(tmp_path, monkeypatch):
    from app_service.llm import catalog

    gguf_path = str(tmp_path / "tiny.gguf")
    write_tiny_gguf(gguf_path, "llama", Q.Q8_0, layers=1)
    source = catalog.ModelSource("tiny", "tiny-pkg", "tiny_pkg", "test", "MIT",
                                 lambda module, folder: gguf_path)
    monkeypatch.setitem(catalog.KNOWN_MODELS, "tiny", source)
    cache = str(tmp_path / "models")
    for compute_type, folder, storage in [("int8", "tiny-int8", "int8"),
                                          ("float32", "tiny", "float32")]:
        handle = ModelHandle(LLMSettings(model="tiny", cache_dir=cache, device="cpu",
                                         compute_type=compute_type, threads=1))
        handle.start()
        assert handle.choose([SYSTEM, ("user", "hi")], ["hello", "world"]).option
        health = handle.health()
        assert health["modelDir"].endswith("/" + folder) and health["computeType"] == compute_type
        assert catalog.read_installed(health["modelDir"])["storage"] == storage
        handle.close()
    # installed again: found by SHA-256, not converted twice
    before = os.path.getmtime(os.path.join(cache, "tiny", "model.bin"))
    assert catalog.install("tiny", cache) == os.path.join(cache, "tiny")
    assert os.path.getmtime(os.path.join(cache, "tiny", "model.bin")) == before


def test_unknown_model_name_is_a_clear_error(tmp_path):
    handle = ModelHandle(LLMSettings(model="gpt-17", cache_dir=str(tmp_path), device="cpu"))
    handle.start()
    with pytest.raises(ModelError, match="model directory not found"):
        handle.generate("hi")
    handle.close()


def test_close_while_loading_waits_for_the_load_and_releases_the_model():
    """Closing during a load must not leave CTranslate2 running on a thread at exit."""
    loading, release, closed = threading.Event(), threading.Event(), []

    class Loaded:
        def close(self):
            closed.append(True)

    def slow_loader(settings):
        loading.set()
        release.wait(10)
        return Loaded()

    handle = ModelHandle(_settings(model_dir="unused"), loader=slow_loader)
    handle.start()
    assert loading.wait(5)
    threading.Timer(0.2, release.set).start()
    handle.close()
    assert closed == [True] and handle.state == "closed"
