"""Torch-free GGUF → CTranslate2 conversion for llama, qwen2 and gemma3 GGUF files.

The weights are dequantized with the ``gguf`` package, mapped onto CTranslate2's decoder spec and
saved with ``spec.save``; the tokenizer is rebuilt from the GGUF metadata (tokenizer_build.py) and
what the runtime needs to know later (chat template, special tokens, context) goes to
``edgex_model.json``. See ../shared/llm/CTRANSLATE2.md §3 for why each step is the way it is.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ModelError
from . import tokenizer_build
from .templates import detect_template

log = logging.getLogger(__name__)

METADATA_FILE = "edgex_model.json"
SUPPORTED_ARCHITECTURES = ("llama", "qwen2", "gemma3")
SUPPORTED_QUANTIZATIONS = ("F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0",
                           "Q4_K", "Q5_K", "Q6_K")
STORAGE_TYPES = ("float32", "float16", "int8")
# llama.cpp hard-codes Gemma 3's layer pattern and local rotary base; the GGUF does not store them.
GEMMA3_GLOBAL_EVERY = 6
GEMMA3_LOCAL_ROPE_BASE = 10000.0


@dataclass(frozen=True)
class GGUFModel:
    """What the converter read from a GGUF file: metadata fields and tensors by name."""
    path: str
    architecture: str
    fields: dict[str, Any]
    tensors: dict[str, Any]

    def meta(self, key: str, default: Any = ModelError) -> Any:
        value = self.fields.get(key, default)
        if value is ModelError:
            raise ModelError(f"{self.path}: GGUF metadata {key!r} is missing")
        return value

    def arch_meta(self, key: str, default: Any = ModelError) -> Any:
        return self.meta(f"{self.architecture}.{key}", default)


def read_gguf(path: str) -> GGUFModel:
    """Open a GGUF file (memory-mapped) and check that we can convert it."""
    import gguf

    if not os.path.isfile(path):
        raise ModelError(f"GGUF file not found: {path}")
    try:
        reader = gguf.GGUFReader(path)
    except Exception as err:  # the gguf reader raises bare ValueError/struct errors
        raise ModelError(f"{path}: not a readable GGUF file ({err})") from err
    fields = {}
    for key, field in reader.fields.items():
        try:
            fields[key] = field.contents()
        except Exception:  # exotic field types we never read
            continue
    architecture = fields.get("general.architecture")
    if architecture not in SUPPORTED_ARCHITECTURES:
        raise ModelError(f"{path}: unsupported GGUF architecture {architecture!r}; "
                         f"supported: {', '.join(SUPPORTED_ARCHITECTURES)}")
    tensors = {t.name: t for t in reader.tensors}
    for tensor in tensors.values():
        if tensor.tensor_type.name not in SUPPORTED_QUANTIZATIONS:
            raise ModelError(f"{path}: tensor {tensor.name} uses unsupported quantization "
                             f"{tensor.tensor_type.name}; supported: "
                             f"{', '.join(SUPPORTED_QUANTIZATIONS)}")
    return GGUFModel(path, architecture, fields, tensors)


def _weight(model: GGUFModel, name: str) -> np.ndarray:
    from gguf.quants import dequantize

    tensor = model.tensors.get(name)
    if tensor is None:
        raise ModelError(f"{model.path}: tensor {name} is missing")
    # The dequantized array already has the [out_features, in_features] layout CT2 wants.
    return np.ascontiguousarray(dequantize(tensor.data, tensor.tensor_type), dtype=np.float32)


def _optional(model: GGUFModel, name: str) -> np.ndarray | None:
    return _weight(model, name) if name in model.tensors else None


def unpermute_rotary(weight: np.ndarray, num_heads: int) -> np.ndarray:
    """Undo llama.cpp's Q/K row permutation (its interleaved RoPE → HF's rotate-half RoPE)."""
    out_features, in_features = weight.shape
    head_dim = out_features // num_heads
    return (weight.reshape(num_heads, head_dim // 2, 2, in_features)
            .swapaxes(1, 2).reshape(out_features, in_features))


def _check_rope_scaling(model: GGUFModel) -> None:
    scaling = model.arch_meta("rope.scaling.type", "none")
    if scaling not in ("none", None) or "rope_freqs.weight" in model.tensors:
        raise ModelError(f"{model.path}: RoPE scaling ({scaling}) is not supported")


def _build_llama_like(model: GGUFModel):
    from ctranslate2.specs import common_spec, transformer_spec

    _check_rope_scaling(model)
    num_layers = int(model.arch_meta("block_count"))
    num_heads = int(model.arch_meta("attention.head_count"))
    num_heads_kv = int(model.arch_meta("attention.head_count_kv", num_heads))
    spec = transformer_spec.TransformerDecoderModelSpec.from_config(
        num_layers, num_heads, activation=common_spec.Activation.SWISH, pre_norm=True,
        ffn_glu=True, rms_norm=True, rotary_dim=0, rotary_interleave=False,
        rotary_base=float(model.arch_meta("rope.freq_base", 10000.0)),
        num_heads_kv=None if num_heads_kv == num_heads else num_heads_kv)
    decoder = spec.decoder
    decoder.scale_embeddings = False
    embeddings = _weight(model, "token_embd.weight")
    decoder.embeddings.weight = embeddings
    decoder.layer_norm.gamma = _weight(model, "output_norm.weight")
    # Tied embeddings (SmolLM2): the same array object makes CT2 store it once.
    projection = _optional(model, "output.weight")
    decoder.projection.weight = embeddings if projection is None else projection
    permuted = model.architecture == "llama"  # qwen2 runs NEOX RoPE in llama.cpp: not permuted
    for i, layer in enumerate(decoder.layer):
        prefix = f"blk.{i}."
        query = _weight(model, prefix + "attn_q.weight")
        key = _weight(model, prefix + "attn_k.weight")
        if permuted:
            query, key = unpermute_rotary(query, num_heads), unpermute_rotary(key, num_heads_kv)
        attention = layer.self_attention
        attention.layer_norm.gamma = _weight(model, prefix + "attn_norm.weight")
        attention.linear[0].weight = np.concatenate(
            [query, key, _weight(model, prefix + "attn_v.weight")])
        biases = [_optional(model, prefix + f"attn_{n}.bias") for n in ("q", "k", "v")]
        if any(b is not None for b in biases):
            sizes = (query.shape[0], key.shape[0], key.shape[0])
            attention.linear[0].bias = np.concatenate(
                [np.zeros(s, np.float32) if b is None else b for b, s in zip(biases, sizes)])
        attention.linear[1].weight = _weight(model, prefix + "attn_output.weight")
        layer.ffn.layer_norm.gamma = _weight(model, prefix + "ffn_norm.weight")
        layer.ffn.linear_0.weight = _weight(model, prefix + "ffn_gate.weight")
        layer.ffn.linear_0_noact.weight = _weight(model, prefix + "ffn_up.weight")
        layer.ffn.linear_1.weight = _weight(model, prefix + "ffn_down.weight")
    return spec, {}


def _build_gemma3(model: GGUFModel):
    from ctranslate2.specs import common_spec, transformer_spec

    _check_rope_scaling(model)
    num_layers = int(model.arch_meta("block_count"))
    num_heads = int(model.arch_meta("attention.head_count"))
    num_heads_kv = int(model.arch_meta("attention.head_count_kv", num_heads))
    head_dim = int(model.arch_meta("attention.key_length"))
    window = int(model.arch_meta("attention.sliding_window", 0))
    # CT2 4.8.5 cannot score variable-length batches through sliding-window layers. Within the
    # window a sliding layer equals a global one, so we drop the window and cap the context.
    spec = transformer_spec.TransformerDecoderModelSpec.from_config(
        num_layers, num_heads, activation=common_spec.Activation.GELUTanh, pre_norm=True,
        ffn_glu=True, rms_norm=True, rotary_dim=head_dim, rotary_interleave=False,
        rotary_base=GEMMA3_LOCAL_ROPE_BASE,
        num_heads_kv=None if num_heads_kv == num_heads else num_heads_kv, head_dim=head_dim,
        sliding_window=0, pre_post_layer_norm=True, qk_norm=True)
    decoder = spec.decoder
    decoder.scale_embeddings = True
    decoder.start_from_zero_embedding = False
    embeddings = _weight(model, "token_embd.weight")
    decoder.embeddings.weight = embeddings
    decoder.projection.weight = embeddings
    global_base = float(model.arch_meta("rope.freq_base", 1_000_000.0))

    def norm(target, name):
        # llama.cpp stored 1 + w already, so the residual (+1) form must stay off.
        target.gamma = _weight(model, name)
        target.layer_norm_use_residual = False

    norm(decoder.layer_norm, "output_norm.weight")
    for i, layer in enumerate(decoder.layer):
        prefix = f"blk.{i}."
        attention = layer.self_attention
        is_global = (i + 1) % GEMMA3_GLOBAL_EVERY == 0
        attention.rotary_base = np.float32(global_base if is_global else GEMMA3_LOCAL_ROPE_BASE)
        attention.sliding_window = np.int32(0)
        norm(layer.input_layer_norm, prefix + "attn_norm.weight")
        norm(layer.post_attention_layer_norm, prefix + "post_attention_norm.weight")
        norm(layer.pre_feedforward_layer_norm, prefix + "ffn_norm.weight")
        norm(layer.post_feedforward_layer_norm, prefix + "post_ffw_norm.weight")
        norm(attention.q_norm, prefix + "attn_q_norm.weight")
        norm(attention.k_norm, prefix + "attn_k_norm.weight")
        attention.linear[0].weight = np.concatenate(
            [_weight(model, prefix + f"attn_{n}.weight") for n in ("q", "k", "v")])
        attention.linear[1].weight = _weight(model, prefix + "attn_output.weight")
        layer.ffn.linear_0.weight = _weight(model, prefix + "ffn_gate.weight")
        layer.ffn.linear_0_noact.weight = _weight(model, prefix + "ffn_up.weight")
        layer.ffn.linear_1.weight = _weight(model, prefix + "ffn_down.weight")
    return spec, {"context_cap": window or None}


_BUILDERS = {"llama": _build_llama_like, "qwen2": _build_llama_like, "gemma3": _build_gemma3}


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def convert_gguf(gguf_path: str, output_dir: str, *, storage: str = "float32",
                 name: str | None = None, force: bool = False) -> dict[str, Any]:
    """Convert ``gguf_path`` into a CTranslate2 model directory; returns its metadata.

    ``storage`` is how weights are saved (float32 keeps every compute type exact; int8 is 4×
    smaller). The directory is written to a temporary sibling and renamed into place, so an
    interrupted conversion never leaves a half-written model behind.
    """
    if storage not in STORAGE_TYPES:
        raise ModelError(f"unsupported storage type {storage!r}; expected one of "
                         f"{', '.join(STORAGE_TYPES)}")
    if os.path.exists(output_dir) and not force:
        raise ModelError(f"{output_dir} already exists (pass force to replace it)")
    model = read_gguf(gguf_path)
    tokenizer = tokenizer_build.build_from_gguf(model.fields, model.path)
    spec, extra = _BUILDERS[model.architecture](model)
    spec.register_vocabulary(tokenizer.vocabulary)
    spec.config.bos_token = tokenizer.vocabulary[tokenizer.bos_id]
    spec.config.eos_token = tokenizer.vocabulary[tokenizer.eos_id]
    spec.config.unk_token = tokenizer.vocabulary[tokenizer.unk_id]
    spec.config.layer_norm_epsilon = float(model.arch_meta("attention.layer_norm_rms_epsilon"))
    try:
        spec.validate()
        spec.optimize(quantization=storage)
    except (ValueError, TypeError) as err:
        raise ModelError(f"{gguf_path}: weights do not fit the CTranslate2 spec ({err})") from err

    context = int(model.arch_meta("context_length", 2048))
    if extra.get("context_cap"):
        context = min(context, extra["context_cap"])
    template = detect_template(model.fields.get("tokenizer.chat_template"), model.architecture,
                               tokenizer.vocabulary)
    metadata = {
        "name": name or os.path.basename(os.path.normpath(output_dir)),
        "architecture": model.architecture,
        "description": model.fields.get("general.name", ""),
        "license": model.fields.get("general.license", ""),
        "chat_template": template,
        "tokenizer": tokenizer.kind,
        "bos_token": tokenizer.vocabulary[tokenizer.bos_id],
        "eos_token": tokenizer.vocabulary[tokenizer.eos_id],
        "add_bos": tokenizer.add_bos,
        "context_length": context,
        "storage": storage,
        "source": {"gguf": os.path.basename(gguf_path), "sha256": file_sha256(gguf_path),
                   "quantizations": sorted({t.tensor_type.name for t in model.tensors.values()})},
    }
    parent = os.path.dirname(os.path.abspath(output_dir))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".converting-", dir=parent)
    try:
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a model folder is shared data
        spec.save(staging)
        tokenizer.save(staging)
        with open(os.path.join(staging, METADATA_FILE), "w", encoding="utf-8") as handle:
            json.dump(metadata, handle, indent=2, ensure_ascii=False)
        if os.path.exists(output_dir):
            shutil.rmtree(output_dir)
        os.replace(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("converted %s (%s) into %s as %s", gguf_path, model.architecture, output_dir, storage)
    return metadata
