"""One tokenizer interface over ``tokenizers`` (tokenizer.json) and ``sentencepiece`` (.model).

Tokens are returned as strings equal to the CTranslate2 vocabulary, which is what
``generate_batch``/``score_batch`` take. ``encode`` recognises control tokens written in the text
(trusted template markup); ``encode_plain`` never does (untrusted content).
"""
from __future__ import annotations

import json
import os
from typing import Sequence

from ..errors import ModelError
from .templates import STATIC_END, Content, Markup, Special
from .tokenizer_build import SPM_SPACE, chat_control_pieces

TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model")


class Tokenizer:
    def __init__(self, model_dir: str):
        json_path = os.path.join(model_dir, "tokenizer.json")
        spm_path = os.path.join(model_dir, "tokenizer.model")
        try:
            if os.path.isfile(json_path):
                self._backend = _BPEBackend(json_path)
            elif os.path.isfile(spm_path):
                self._backend = _SPMBackend(spm_path)
            else:
                raise ModelError(f"{model_dir}: no tokenizer.json or tokenizer.model")
        except ModelError:
            raise
        except Exception as err:
            raise ModelError(f"{model_dir}: the tokenizer cannot be loaded ({err})") from err
        self.kind = self._backend.kind
        self.vocab_size = self._backend.vocab_size

    def encode(self, text: str) -> list[str]:
        return self._backend.encode(text, special=True)

    def encode_plain(self, text: str) -> list[str]:
        return self._backend.encode(text, special=False)

    def encode_segments(self, segments: Sequence) -> tuple[list[str], list[str]]:
        """Encode a rendered chat prompt; returns (static part, dynamic part)."""
        static: list[str] = []
        tokens: list[str] = []
        for segment in segments:
            if segment is STATIC_END:
                static, tokens = static + tokens, []
            elif isinstance(segment, Special):
                if self.token_to_id(segment.token) is None:
                    raise ModelError(f"the chat template needs token {segment.token!r}, "
                                     "which this model's vocabulary lacks")
                tokens.append(segment.token)
            elif isinstance(segment, Markup):
                tokens += self.encode(segment.text)
            elif isinstance(segment, Content):
                tokens += self.encode_plain(segment.text)
            else:
                raise TypeError(f"unknown prompt segment {segment!r}")
        return static, tokens

    def decode(self, ids: Sequence[int]) -> str:
        return self._backend.decode(list(ids))

    def token_to_id(self, token: str) -> int | None:
        return self._backend.token_to_id(token)

    def id_to_token(self, token_id: int) -> str:
        return self._backend.id_to_token(token_id)

    def token_texts(self) -> list[str]:
        """The text each single token stands for ('' for control tokens); cached."""
        if not hasattr(self, "_texts"):
            self._texts = [self._backend.token_text(i) for i in range(self.vocab_size)]
        return self._texts


class _BPEBackend:
    kind = "bpe"

    def __init__(self, path: str):
        from tokenizers import Tokenizer as HFTokenizer

        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        self._full = HFTokenizer.from_str(json.dumps(data))
        self._specials = {t["content"] for t in data.get("added_tokens", []) if t.get("special")}
        data["added_tokens"] = []
        self._plain = HFTokenizer.from_str(json.dumps(data))
        self.vocab_size = self._full.get_vocab_size(with_added_tokens=True)
        self._byte_decoder = _bytes_to_unicode_inverse()

    def encode(self, text: str, special: bool) -> list[str]:
        backend = self._full if special else self._plain
        return backend.encode(text, add_special_tokens=False).tokens

    def decode(self, ids: list[int]) -> str:
        return self._full.decode(ids, skip_special_tokens=True)

    def token_to_id(self, token: str) -> int | None:
        return self._full.token_to_id(token)

    def id_to_token(self, token_id: int) -> str:
        return self._full.id_to_token(token_id)

    def token_text(self, token_id: int) -> str:
        token = self._full.id_to_token(token_id)
        if token is None or token in self._specials:
            return ""
        raw = bytes(self._byte_decoder.get(ch, 0) for ch in token)
        return raw.decode("utf-8", errors="replace")


class _SPMBackend:
    kind = "sentencepiece"

    def __init__(self, path: str):
        import sentencepiece
        from sentencepiece import sentencepiece_model_pb2 as spm_pb2

        with open(path, "rb") as handle:
            data = handle.read()
        self._full = sentencepiece.SentencePieceProcessor(model_proto=data)
        proto = spm_pb2.ModelProto()
        proto.ParseFromString(data)
        pieces = [p.piece for p in proto.pieces]
        user_defined = spm_pb2.ModelProto.SentencePiece.USER_DEFINED
        types = [3 if p.type == user_defined else 1 for p in proto.pieces]
        trainer = proto.trainer_spec
        reserved = {trainer.bos_id, trainer.eos_id, trainer.unk_id, trainer.pad_id}
        self._controls = chat_control_pieces(pieces, types, reserved)
        for index in self._controls:
            proto.pieces[index].type = spm_pb2.ModelProto.SentencePiece.CONTROL
        self._plain = sentencepiece.SentencePieceProcessor(model_proto=proto.SerializeToString())
        self.vocab_size = self._full.get_piece_size()
        self._index = {p: i for i, p in enumerate(pieces)}

    def encode(self, text: str, special: bool) -> list[str]:
        backend = self._full if special else self._plain
        return backend.encode(text, out_type=str)

    def decode(self, ids: list[int]) -> str:
        return self._plain.decode([i for i in ids if i not in self._controls])

    def token_to_id(self, token: str) -> int | None:
        return self._index.get(token)

    def id_to_token(self, token_id: int) -> str:
        return self._full.id_to_piece(token_id)

    def token_text(self, token_id: int) -> str:
        if self._full.is_control(token_id) or token_id in self._controls:
            return ""
        if self._full.is_byte(token_id):
            return ""  # a raw byte: never a whole character on its own
        return self._full.id_to_piece(token_id).replace(SPM_SPACE, " ")


def _bytes_to_unicode_inverse() -> dict[str, int]:
    """GPT-2's byte ↔ printable-character table, inverted (char → byte)."""
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
                 + list(range(ord("®"), ord("ÿ") + 1)))
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return {chr(code): byte for byte, code in zip(printable, codes)}
