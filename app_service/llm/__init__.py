"""Offline LLM runtime on CTranslate2: the only part of the service that imports ctranslate2.

Public surface: ``ModelHandle`` (the service's lazily loaded model, see handle.py),
``LanguageModel`` (generate, stream, score, choose, extract), ``Prompt``/``Message`` for chat
prompts, ``Choice``/``Extracted`` results and the value specs ``IntegerSpec``, ``DecimalSpec``,
``EnumSpec``. Models are installed with ``edgex-llm-agent model install`` (cli.py).
"""
from .constrained import DecimalSpec, EnumSpec, Extracted, IntegerSpec
from .handle import ModelHandle
from .model import Choice, LanguageModel, Prompt
from .options import LLMSettings
from .templates import Message

__all__ = ["ModelHandle", "LanguageModel", "Prompt", "Message", "Choice", "Extracted",
           "IntegerSpec", "DecimalSpec", "EnumSpec", "LLMSettings"]
