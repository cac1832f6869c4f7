"""Offline LLM runtime on CTranslate2: the only part of the service that imports ctranslate2.

Public surface: ``ModelHandle`` (the service's lazily loaded model, see handle.py),
``LanguageModel`` (generate, stream, score, choose, extract), ``Prompt``/``Message`` for chat
prompts, ``Choice``/``Extracted`` results and the value specs ``IntegerSpec``, ``DecimalSpec``,
``EnumSpec``. Models are installed with ``edgex-llm-agent model install`` (cli.py).
"""
import os

# CTranslate2's OpenMP threads spin while they wait for work. On a CPU shared with other services
# a spinning thread takes the core from the one with work: measured with the machine at load ~4,
# float32 generation went from 2.9-3.2 s median (21-26 s worst) to 0.44-0.55 s (0.66 s worst)
# with passive waiting, and even a bounded spin (GOMP_SPINCOUNT=10000) decoded 4-7x slower than
# passive under contention (bench/omp_wait.py). On dedicated cores spinning doubles float32 decode,
# so an operator who has them sets GOMP_SPINCOUNT or OMP_WAIT_POLICY, which then win. It must be
# set before ctranslate2 is first imported.
if "GOMP_SPINCOUNT" not in os.environ:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .heap import limit_heap_retention  # noqa: E402

# glibc settles a thread's arena at its first malloc: set the heap limits before any thread runs.
limit_heap_retention()

from .constrained import DecimalSpec, EnumSpec, Extracted, IntegerSpec  # noqa: E402
from .handle import ModelHandle  # noqa: E402
from .model import Choice, LanguageModel, Prompt  # noqa: E402
from .options import LLMSettings  # noqa: E402
from .templates import Message  # noqa: E402

__all__ = ["ModelHandle", "LanguageModel", "Prompt", "Message", "Choice", "Extracted",
           "IntegerSpec", "DecimalSpec", "EnumSpec", "LLMSettings"]
