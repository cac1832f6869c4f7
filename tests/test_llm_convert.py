"""GGUF → CTranslate2 conversion checked against a NumPy forward pass of the same weights."""
import json
import os

import ctranslate2
import numpy as np
import pytest

from app_service.errors import ModelError
from app_service.llm.gguf_convert import (SUPPORTED_QUANTIZATIONS, convert_gguf, read_gguf,
                                          unpermute_rotary)
from llm_tiny import Q, reference_logits, write_tiny_gguf

ALL_QUANTS = [getattr(Q, name) for name in SUPPORTED_QUANTIZATIONS]
CASES = ([("llama", q) for q in ALL_QUANTS]
         + [(arch, q) for arch in ("qwen2", "gemma3") for q in (Q.F32, Q.Q4_K, Q.Q6_K, Q.Q5_0)])


def _convert(tmp_path, arch, qtype, **kwargs):
    gguf_path = str(tmp_path / f"{arch}-{qtype.name}.gguf")
    model = write_tiny_gguf(gguf_path, arch, qtype, **kwargs)
    out = str(tmp_path / f"{arch}-{qtype.name}")
    metadata = convert_gguf(gguf_path, out)
    return model, out, metadata


@pytest.mark.parametrize("arch,qtype", CASES, ids=[f"{a}-{q.name}" for a, q in CASES])
def test_logits_match_reference(tmp_path, arch, qtype):
    model, out, _ = _convert(tmp_path, arch, qtype, seed=hash((arch, qtype.name)) % 1000)
    rng = np.random.default_rng(7)
    ids = [int(i) for i in rng.integers(0, model["config"]["vocab"], size=14)]
    vocabulary = json.load(open(os.path.join(out, "vocabulary.json"), encoding="utf-8"))
    tokens = [vocabulary[i] for i in ids]
    generator = ctranslate2.Generator(out, device="cpu", compute_type="float32")
    logits = np.array(generator.forward_batch([tokens]))[0]
    expected = reference_logits(model, ids)
    assert logits.shape == expected.shape
    assert np.abs(logits - expected).max() < 1e-3
    # A wrong mapping must show: the logits vary with the input enough to be a real check.
    assert np.abs(expected[1:] - expected[:-1]).max() > 1e-2


def test_untied_output_projection_is_used(tmp_path):
    model, out, _ = _convert(tmp_path, "llama", Q.F32, tied=False, seed=3)
    vocabulary = json.load(open(os.path.join(out, "vocabulary.json"), encoding="utf-8"))
    ids = [5, 80, 200, 17]
    generator = ctranslate2.Generator(out, device="cpu", compute_type="float32")
    logits = np.array(generator.forward_batch([[vocabulary[i] for i in ids]]))[0]
    assert np.abs(logits - reference_logits(model, ids)).max() < 1e-3


def test_unpermute_inverts_llama_cpp_permutation():
    # llama.cpp's convert script: w.reshape(n_head, 2, d/2, in).swapaxes(1, 2).reshape(out, in)
    rng = np.random.default_rng(1)
    original = rng.standard_normal((4 * 8, 5))
    permuted = original.reshape(4, 2, 4, 5).swapaxes(1, 2).reshape(32, 5)
    assert np.array_equal(unpermute_rotary(permuted, 4), original)


def test_metadata_records_template_tokens_and_source(tmp_path):
    _, out, metadata = _convert(tmp_path, "llama", Q.Q8_0)
    assert metadata["chat_template"] == "chatml"
    assert metadata["eos_token"] == "<|im_end|>"
    assert metadata["architecture"] == "llama"
    assert len(metadata["source"]["sha256"]) == 64
    assert os.path.isfile(os.path.join(out, "tokenizer.json"))
    _, out, metadata = _convert(tmp_path, "gemma3", Q.F32)
    assert metadata["chat_template"] == "gemma"
    assert metadata["context_length"] == 512  # capped to the sliding window (see converter)
    assert os.path.isfile(os.path.join(out, "tokenizer.model"))


def test_existing_output_is_kept_unless_forced(tmp_path):
    gguf_path = str(tmp_path / "m.gguf")
    write_tiny_gguf(gguf_path, "llama", Q.F32)
    out = str(tmp_path / "m")
    convert_gguf(gguf_path, out)
    with pytest.raises(ModelError, match="already exists"):
        convert_gguf(gguf_path, out)
    convert_gguf(gguf_path, out, force=True)


@pytest.mark.parametrize("problem,match", [
    ("missing", "not found"),
    ("garbage", "not a readable GGUF"),
    ("arch", "unsupported GGUF architecture 'phi3'"),
    ("quant", "unsupported quantization Q2_K"),
    ("storage", "unsupported storage type"),
])
def test_bad_gguf_inputs_name_the_cause(tmp_path, problem, match):
    import gguf

    path = str(tmp_path / "bad.gguf")
    storage = "float32"
    if problem == "garbage":
        with open(path, "wb") as handle:
            handle.write(b"GGUF\x03\x00\x00\x00not really a gguf file")
    elif problem == "arch":
        writer = gguf.GGUFWriter(path, "phi3")
        writer.add_tensor("token_embd.weight", np.zeros((4, 8), np.float32))
        writer.write_header_to_file(), writer.write_kv_data_to_file()
        writer.write_tensors_to_file(), writer.close()
    elif problem == "quant":
        writer = gguf.GGUFWriter(path, "llama")
        writer.add_tensor("token_embd.weight", np.zeros((1, 84), np.uint8), raw_dtype=Q.Q2_K)
        writer.write_header_to_file(), writer.write_kv_data_to_file()
        writer.write_tensors_to_file(), writer.close()
    elif problem == "storage":
        write_tiny_gguf(path, "llama", Q.F32)
        storage = "int3"
    with pytest.raises(ModelError, match=match):
        convert_gguf(path, str(tmp_path / "out"), storage=storage)
    assert not os.path.exists(tmp_path / "out")


def test_read_gguf_rejects_rope_scaling(tmp_path):
    import gguf

    path = str(tmp_path / "scaled.gguf")
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_string("llama.rope.scaling.type", "yarn")
    writer.add_tensor("rope_freqs.weight", np.ones(4, np.float32))
    writer.write_header_to_file(), writer.write_kv_data_to_file()
    writer.write_tensors_to_file(), writer.close()
    model = read_gguf(path)
    from app_service.llm.gguf_convert import _check_rope_scaling
    with pytest.raises(ModelError, match="RoPE scaling"):
        _check_rope_scaling(model)
