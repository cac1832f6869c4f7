"""The ``[LLM]`` configuration section, validated once at start, and device/compute-type choice."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping

from ..settings import get_bool, get_choice, get_duration, get_int, get_section, get_str

SECTION = "LLM"
DEFAULT_MODEL = "smollm2-135m-instruct"
DEVICES = ("auto", "cpu", "cuda")
COMPUTE_TYPES = ("auto", "float32", "int8", "int8_float32", "int8_float16", "float16")
# CPU flags that give CTranslate2 (oneDNN u8s8) an int8 path faster and as exact as float32.
FAST_INT8_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "edgex-llm-agent", "models")


@dataclass(frozen=True)
class LLMSettings:
    model: str = DEFAULT_MODEL
    model_dir: str = ""           # an explicit converted model directory (wins over model)
    cache_dir: str = ""           # where `model install` puts converted models
    device: str = "auto"
    compute_type: str = "auto"
    threads: int = 0              # 0: CTranslate2 uses every core
    max_batch_size: int = 8
    max_batch_delay: float = 0.005
    queue_size: int = 64
    request_timeout: float = 10.0
    auto_install: bool = True     # convert an installed model package on first load

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "LLMSettings":
        """Read ``config["LLM"]`` (a missing section means the defaults)."""
        sec = get_section(config, SECTION)
        return cls(
            model=get_str(sec, "Model", SECTION, DEFAULT_MODEL),
            model_dir=os.path.expanduser(get_str(sec, "ModelDir", SECTION, "")),
            cache_dir=os.path.expanduser(get_str(sec, "CacheDir", SECTION, "")),
            device=get_choice(sec, "Device", DEVICES, SECTION, "auto"),
            compute_type=get_choice(sec, "ComputeType", COMPUTE_TYPES, SECTION, "auto"),
            threads=get_int(sec, "Threads", SECTION, 0, minimum=0, maximum=256),
            max_batch_size=get_int(sec, "MaxBatchSize", SECTION, 8, minimum=1, maximum=256),
            max_batch_delay=get_duration(sec, "MaxBatchDelay", SECTION, "5ms"),
            queue_size=get_int(sec, "QueueSize", SECTION, 64, minimum=1, maximum=100000),
            request_timeout=get_duration(sec, "RequestTimeout", SECTION, "10s",
                                         allow_zero=False),
            auto_install=get_bool(sec, "AutoInstall", SECTION, True),
        )

    @property
    def models_dir(self) -> str:
        return self.cache_dir or default_cache_dir()

    def resolved_model_dir(self, compute_type: str = "float32") -> str:
        """ModelDir, else the installed folder for Model whose storage suits ``compute_type``
        (``<model>-int8`` for int8 compute when it exists or will be auto-installed)."""
        if self.model_dir:
            return self.model_dir
        plain = os.path.join(self.models_dir, self.model)
        if compute_type.startswith("int8"):
            int8 = plain + "-int8"
            if os.path.isdir(int8) or (self.auto_install and not os.path.isdir(plain)):
                return int8
        return plain


def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> set[str]:
    try:
        with open(cpuinfo, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def resolve_compute_type(device: str, compute_type: str, flags: set[str] | None = None) -> str:
    """``auto`` → int8_float16 on CUDA; int8 on CPUs with VNNI/AMX; float32 elsewhere.

    Without VNNI, CTranslate2's int8 decodes slower than float32 and loses accuracy on small
    models (docs/llm.md, bench/llm_bench.py).
    """
    if compute_type != "auto":
        return compute_type
    if device == "cuda":
        return "int8_float16"
    flags = cpu_flags() if flags is None else flags
    return "int8" if any(flag in flags for flag in FAST_INT8_FLAGS) else "float32"
