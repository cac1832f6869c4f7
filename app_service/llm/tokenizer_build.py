"""Rebuild a model's tokenizer from GGUF metadata, as tokenizer.json or tokenizer.model.

``gpt2``-kind GGUFs (SmolLM2, Qwen2, Llama 3) are byte-level BPE: rebuilt with ``tokenizers``.
``llama``-kind GGUFs (Gemma, Llama 2, Mistral) are sentencepiece: rebuilt as a ModelProto with the
two fixes CTRANSLATE2.md §3c describes (un-escaped USER_DEFINED pieces; chat-control pieces that
sentencepiece would otherwise never match in text).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import ModelError

# GGUF token types (llama.cpp's llama_token_type).
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6
SPM_SPACE = "\u2581"

# Pre-tokenizer split patterns of the BPE families llama.cpp knows by ``tokenizer.ggml.pre``.
_QWEN2_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+"
                r"[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
_LLAMA3_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}"
                 r"\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
BPE_PRE_TOKENIZERS = ("smollm", "starcoder", "gpt-2", "default", "qwen2", "llama-bpe", "llama3")


@dataclass
class BuiltTokenizer:
    kind: str                       # "tokenizer.json" or "tokenizer.model"
    vocabulary: list[str]           # CT2 vocabulary, equal to the tokenizer's token strings
    bos_id: int
    eos_id: int
    unk_id: int
    add_bos: bool
    save: Callable[[str], None] = field(repr=False)


def build_from_gguf(fields: dict[str, Any], source: str = "GGUF") -> BuiltTokenizer:
    kind = fields.get("tokenizer.ggml.model")
    tokens = fields.get("tokenizer.ggml.tokens")
    if not tokens:
        raise ModelError(f"{source}: GGUF carries no tokenizer vocabulary")
    if kind == "gpt2":
        return _build_bpe(fields, list(tokens), source)
    if kind == "llama":
        return _build_spm(fields, list(tokens), source)
    raise ModelError(f"{source}: unsupported tokenizer model {kind!r}; supported: gpt2, llama")


def _ids(fields: dict[str, Any], vocabulary: list[str], default_unk: int) -> tuple[int, int, int]:
    bos = int(fields.get("tokenizer.ggml.bos_token_id", 1))
    eos = int(fields.get("tokenizer.ggml.eos_token_id", 2))
    unk = int(fields.get("tokenizer.ggml.unknown_token_id", default_unk))
    for value in (bos, eos, unk):
        if not 0 <= value < len(vocabulary):
            raise ModelError(f"special token id {value} outside the vocabulary")
    return bos, eos, unk


def _build_bpe(fields: dict[str, Any], vocabulary: list[str], source: str) -> BuiltTokenizer:
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers

    if len(set(vocabulary)) != len(vocabulary):
        raise ModelError(f"{source}: the GGUF vocabulary has duplicate token strings")
    pre = fields.get("tokenizer.ggml.pre", "default")
    if pre not in BPE_PRE_TOKENIZERS:
        raise ModelError(f"{source}: unsupported BPE pre-tokenizer {pre!r}; supported: "
                         f"{', '.join(BPE_PRE_TOKENIZERS)}")
    merges = [tuple(m.split(" ", 1)) for m in fields.get("tokenizer.ggml.merges", [])]
    model = models.BPE(vocab={t: i for i, t in enumerate(vocabulary)}, merges=merges,
                       byte_fallback=False)
    tokenizer = Tokenizer(model)
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    if pre in ("smollm", "starcoder"):
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
            [pre_tokenizers.Digits(individual_digits=True), byte_level])
    elif pre in ("qwen2", "llama-bpe", "llama3"):
        pattern = _QWEN2_SPLIT if pre == "qwen2" else _LLAMA3_SPLIT
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    else:
        tokenizer.pre_tokenizer = byte_level
    tokenizer.decoder = decoders.ByteLevel()
    types = list(fields.get("tokenizer.ggml.token_type", [NORMAL] * len(vocabulary)))
    specials = [t for t, kind in zip(vocabulary, types) if kind == CONTROL]
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    bos, eos, unk = _ids(fields, vocabulary, 0)

    def save(directory: str) -> None:
        tokenizer.save(os.path.join(directory, "tokenizer.json"))

    return BuiltTokenizer("tokenizer.json", vocabulary, bos, eos, unk,
                          bool(fields.get("tokenizer.ggml.add_bos_token", False)), save)


def chat_control_pieces(pieces: list[str], types: list[int], reserved: set[int]) -> set[int]:
    """Ids of CONTROL pieces a chat template writes as text (``<start_of_turn>``…)."""
    return {i for i, (piece, kind) in enumerate(zip(pieces, types))
            if kind == CONTROL and i not in reserved and piece.startswith("<")
            and piece.endswith(">") and not piece.startswith("<unused")}


def _build_spm(fields: dict[str, Any], tokens: list[str], source: str) -> BuiltTokenizer:
    from sentencepiece import sentencepiece_model_pb2 as spm_pb2

    types = list(fields.get("tokenizer.ggml.token_type", [NORMAL] * len(tokens)))
    scores = list(fields.get("tokenizer.ggml.scores", [0.0] * len(tokens)))
    # Pitfall 1: llama.cpp stores USER_DEFINED pieces un-escaped (literal spaces).
    vocabulary = [t.replace(" ", SPM_SPACE) if kind == USER_DEFINED else t
                  for t, kind in zip(tokens, types)]
    if len(set(vocabulary)) != len(vocabulary):
        raise ModelError(f"{source}: the GGUF vocabulary has duplicate token strings")
    bos, eos, unk = _ids(fields, vocabulary, 0)
    pad = int(fields.get("tokenizer.ggml.padding_token_id", -1))
    reserved = {bos, eos, unk, pad}
    # Pitfall 2: make chat-control pieces matchable in text; the runtime turns them back into
    # CONTROL for untrusted text (tokenizer.py).
    matchable = chat_control_pieces(vocabulary, types, reserved)
    proto = spm_pb2.ModelProto()
    for i, (piece, kind, score) in enumerate(zip(vocabulary, types, scores)):
        entry = proto.pieces.add()
        entry.piece = piece
        entry.score = float(score)
        if i == unk:
            entry.type = spm_pb2.ModelProto.SentencePiece.UNKNOWN
        elif i in matchable or kind == USER_DEFINED:
            entry.type = spm_pb2.ModelProto.SentencePiece.USER_DEFINED
        elif kind == CONTROL:
            entry.type = spm_pb2.ModelProto.SentencePiece.CONTROL
        elif kind == BYTE:
            entry.type = spm_pb2.ModelProto.SentencePiece.BYTE
        elif kind == UNUSED:
            entry.type = spm_pb2.ModelProto.SentencePiece.UNUSED
        else:
            entry.type = spm_pb2.ModelProto.SentencePiece.NORMAL
    trainer = proto.trainer_spec
    trainer.model_type = spm_pb2.TrainerSpec.BPE
    trainer.vocab_size = len(vocabulary)
    trainer.byte_fallback = True
    trainer.bos_id, trainer.eos_id, trainer.unk_id, trainer.pad_id = bos, eos, unk, pad
    trainer.bos_piece, trainer.eos_piece = vocabulary[bos], vocabulary[eos]
    trainer.unk_piece = vocabulary[unk]
    if pad >= 0:
        trainer.pad_piece = vocabulary[pad]
    normalizer = proto.normalizer_spec
    normalizer.name = "identity"
    normalizer.add_dummy_prefix = bool(fields.get("tokenizer.ggml.add_space_prefix", True))
    normalizer.remove_extra_whitespaces = False
    normalizer.escape_whitespaces = True
    data = proto.SerializeToString()

    def save(directory: str) -> None:
        with open(os.path.join(directory, "tokenizer.model"), "wb") as handle:
            handle.write(data)

    return BuiltTokenizer("tokenizer.model", vocabulary, bos, eos, unk,
                          bool(fields.get("tokenizer.ggml.add_bos_token", True)), save)
