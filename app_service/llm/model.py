"""LanguageModel: one CTranslate2 Generator plus its tokenizer, chat template and metadata.

The methods are synchronous and thread-safe (CTranslate2 serialises work on its replica); the
service goes through the micro-batching executor (executor.py) rather than calling them from a
network thread.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

from ..errors import ModelError
from . import decisions
from .constrained import DecimalSpec, EnumSpec, Extracted, IntegerSpec
from .gguf_convert import METADATA_FILE
from .heap import limit_heap_retention
from .templates import Message, end_tokens, normalise, render
from .tokenizer import Tokenizer

log = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "cuda")
COMPUTE_TYPES = ("auto", "float32", "int8", "int8_float32", "int8_float16", "float16")
# Distinct system prompts whose KV state CTranslate2 keeps; it offers no way to evict one, and
# each keeps ~136 KB per token for SmolLM2 for the life of the process: bound both.
MAX_CACHED_STATIC_PROMPTS = 16
MAX_CACHED_STATIC_TOKENS = 256
MIN_DYNAMIC_TOKENS = 2
PROMPT_INPUT = "a str (raw text), a list of chat messages, or a Prompt"


@dataclass(frozen=True)
class Prompt:
    """Tokens ready for the model: ``static`` (cacheable system part) + ``tokens`` (the rest).

    ``content_free`` is the same prompt with the last user message replaced by "N/A"; choose()
    uses it to calibrate option scores (PMI).
    """
    static: tuple[str, ...]
    tokens: tuple[str, ...]
    content_free: "Prompt | None" = None

    def __len__(self) -> int:
        return len(self.static) + len(self.tokens)

    @property
    def all_tokens(self) -> list[str]:
        return list(self.static) + list(self.tokens)


@dataclass(frozen=True)
class Choice:
    """The option picked by choose(), with a probability for every option (same order)."""
    index: int
    option: str
    probabilities: tuple[float, ...]
    options: tuple[str, ...]
    calibrated: bool

    def ranked(self, top: int | None = None) -> list[tuple[str, float]]:
        pairs = sorted(zip(self.options, self.probabilities), key=lambda p: -p[1])
        return pairs[:top] if top else pairs


def read_metadata(model_dir: str) -> dict[str, Any]:
    path = os.path.join(model_dir, METADATA_FILE)
    if not os.path.isdir(model_dir):
        raise ModelError(f"model directory not found: {model_dir}")
    for required in ("model.bin", "config.json"):
        if not os.path.isfile(os.path.join(model_dir, required)):
            raise ModelError(f"{model_dir}: {required} is missing (not a converted model)")
    try:
        with open(path, encoding="utf-8") as handle:
            metadata = json.load(handle)
    except FileNotFoundError:
        raise ModelError(f"{model_dir}: {METADATA_FILE} is missing (convert the model "
                         "with `model convert`)") from None
    except (OSError, ValueError) as err:
        raise ModelError(f"{model_dir}: {METADATA_FILE} is unreadable ({err})") from err
    for key in ("chat_template", "eos_token", "context_length"):
        if key not in metadata:
            raise ModelError(f"{model_dir}: {METADATA_FILE} lacks {key!r}")
    return metadata


class LanguageModel:
    def __init__(self, model_dir: str, *, device: str = "cpu", compute_type: str = "float32",
                 threads: int = 0):
        import ctranslate2

        self.model_dir = model_dir
        self.metadata = read_metadata(model_dir)
        self.name = self.metadata.get("name", os.path.basename(model_dir))
        self.template = self.metadata["chat_template"]
        self.context_length = int(self.metadata["context_length"])
        self.tokenizer = Tokenizer(model_dir)
        self.end_tokens = end_tokens(self.template, self.metadata["eos_token"])
        self._bos = self.metadata.get("bos_token") if self.metadata.get("add_bos") else None
        self.device, self.compute_type = device, compute_type
        limit_heap_retention()
        try:
            self._generator = ctranslate2.Generator(
                model_dir, device=device, compute_type=compute_type, intra_threads=threads)
        except (RuntimeError, ValueError, OSError) as err:
            raise ModelError(f"{model_dir}: CTranslate2 cannot load the model ({err})") from err
        self._static_cache: set[tuple[str, ...]] = set()
        self._lock = threading.Lock()

    # ---- prompts -------------------------------------------------------------------------
    def prompt(self, prompt: Any, *, add_generation_prompt: bool = True) -> Prompt:
        """Tokenize a raw string (control tokens in it honoured) or chat messages (template)."""
        if isinstance(prompt, Prompt):
            return prompt
        if isinstance(prompt, str):
            tokens = self.tokenizer.encode(prompt)
            if self._bos and (not tokens or tokens[0] != self._bos):
                tokens.insert(0, self._bos)
            return self._checked(Prompt((), tuple(tokens)))
        if not isinstance(prompt, (list, tuple)):
            raise ModelError(f"prompt must be {PROMPT_INPUT}, not {type(prompt).__name__}")
        try:
            messages = normalise(prompt)
        except (ValueError, TypeError) as err:
            raise ModelError(f"bad chat prompt: {err}") from err
        built = self._from_messages(messages, add_generation_prompt)
        users = [i for i, m in enumerate(messages) if m.role == "user"]
        if users:
            blank = list(messages)
            blank[users[-1]] = Message("user", "N/A")
            built = Prompt(built.static, built.tokens,
                           self._from_messages(blank, add_generation_prompt))
        return built

    def _from_messages(self, messages: list[Message], add_generation_prompt: bool) -> Prompt:
        segments = render(self.template, messages, bos_token=self._bos,
                          add_generation_prompt=add_generation_prompt)
        static, tokens = self.tokenizer.encode_segments(segments)
        return self._checked(Prompt(tuple(static), tuple(tokens)))

    def _checked(self, prompt: Prompt, extra: int = 0) -> Prompt:
        if len(prompt) == 0:
            raise ModelError("the prompt is empty")
        if len(prompt) + extra > self.context_length:
            raise ModelError(f"prompt of {len(prompt)} tokens (+{extra} to generate) exceeds "
                             f"the model context of {self.context_length} tokens")
        return prompt

    def _split(self, prompt: Prompt) -> tuple[list[str], list[str]]:
        """(static, dynamic) with a non-empty dynamic part, as generate_batch requires."""
        static, tokens = list(prompt.static), list(prompt.tokens)
        # CTranslate2 4.8.5 returns wrong logits for batched prefixes of unequal length after
        # a one-token dynamic part (measured in tests/test_llm_model.py): keep at least two.
        move = max(0, MIN_DYNAMIC_TOKENS - len(tokens))
        if move and static:
            static, tokens = static[:-move], static[-move:] + tokens
        return static, tokens

    def _static_args(self, static: list[str]) -> dict[str, Any]:
        if not static:
            return {}
        key = tuple(static)
        with self._lock:
            cache = key in self._static_cache or (
                len(self._static_cache) < MAX_CACHED_STATIC_PROMPTS
                and sum(map(len, self._static_cache)) + len(key) <= MAX_CACHED_STATIC_TOKENS)
            if cache:
                self._static_cache.add(key)
        return {"static_prompt": static, "cache_static_prompt": cache}

    # ---- generation ----------------------------------------------------------------------
    def generate(self, prompt: Any, *, max_tokens: int = 64, stop: Sequence[str] = ()) -> str:
        """Greedy completion, ending at the template's end token or at the first stop string."""
        return self.generate_batch([prompt], max_tokens=max_tokens, stop=stop)[0]

    def generate_batch(self, prompts: Sequence[Any], *, max_tokens: int = 64,
                       stop: Sequence[str] = ()) -> list[str]:
        """Several prompts in one CTranslate2 batch; prompts must share their static part."""
        built = [self._checked(self.prompt(p), max_tokens) for p in prompts]
        if not built:
            return []
        statics = {p.static for p in built}
        if len(statics) > 1:
            raise ModelError("a generate batch needs one shared static (system) part")
        # each item keeps its whole sequence's state: split to the token budget of one call
        longest = max(len(p) for p in built) + max_tokens
        per_call = max(1, decisions.MAX_GENERATE_BATCH_TOKENS // longest)
        texts: list[str] = []
        for start in range(0, len(built), per_call):
            texts += self._generate_chunk(built[start:start + per_call], max_tokens, stop)
        return texts

    def _generate_chunk(self, built: list[Prompt], max_tokens: int,
                        stop: Sequence[str]) -> list[str]:
        splits = [self._split(p) for p in built]
        static = splits[0][0] if len({tuple(s) for s, _ in splits}) == 1 else []
        starts = [tokens if static else s + tokens for s, tokens in splits]
        decoded: list[list[int]] = [[] for _ in built]
        stopped = [False] * len(built)

        def on_token(step) -> bool:
            decoded[step.batch_id].append(step.token_id)
            if stop and _find_stop(self.tokenizer.decode(decoded[step.batch_id]), stop) >= 0:
                stopped[step.batch_id] = True
                return True
            return False

        results = self._run(lambda: self._generator.generate_batch(
            starts, max_length=max_tokens, include_prompt_in_result=False,
            end_token=self.end_tokens, sampling_topk=1, callback=on_token if stop else None,
            **self._static_args(static)))
        texts = []
        for result in results:
            text = self.tokenizer.decode(result.sequences_ids[0])
            cut = _find_stop(text, stop)
            texts.append(text[:cut] if cut >= 0 else text)
        return texts

    def stream(self, prompt: Any, *, max_tokens: int = 64,
               stop: Sequence[str] = ()) -> Iterator[str]:
        """Yield text pieces as they are decoded (greedy); stops like generate()."""
        built = self._checked(self.prompt(prompt), max_tokens)
        static, tokens = self._split(built)
        ids: list[int] = []
        emitted = ""
        try:
            steps = self._generator.generate_tokens(
                tokens, max_length=max_tokens, end_token=self.end_tokens, sampling_topk=1,
                **self._static_args(static))
            for step in steps:
                if step.is_last and step.token in self.end_tokens:
                    break
                ids.append(step.token_id)
                text = self.tokenizer.decode(ids)
                if text.endswith("\ufffd"):
                    continue  # half of a multi-byte character: wait for the rest
                cut = _find_stop(text, stop)
                if cut >= 0:
                    if cut > len(emitted):
                        yield text[len(emitted):cut]
                    return
                if len(text) > len(emitted):
                    yield text[len(emitted):]
                    emitted = text
            text = self.tokenizer.decode(ids)
            if len(text) > len(emitted):  # bytes that never became a whole character
                yield text[len(emitted):]
        except (RuntimeError, ValueError) as err:
            raise ModelError(f"generation failed: {err}") from err

    # ---- scoring and constrained decisions -----------------------------------------------
    def score(self, prompt: Any, continuations: Sequence[str]) -> list[float]:
        """Log-likelihood of each continuation after the prompt (sum over its tokens)."""
        pieces = [self.tokenizer.encode_plain(c) for c in continuations]
        if any(not p for p in pieces):
            raise ModelError("cannot score an empty continuation")
        return self.score_tokens(self.prompt(prompt), pieces)

    def score_tokens(self, prompt: Prompt, pieces: Sequence[Sequence[str]]) -> list[float]:
        """Log-likelihood of each token sequence after the prompt, through score_batch."""
        context = prompt.all_tokens
        self._checked(prompt, max(len(p) for p in pieces))
        longest = len(context) + max(len(p) for p in pieces)
        # score_batch also holds float32 logits and their log-softmax at every position (8 bytes
        # x vocabulary per token): batch as many sequences as the token budget pays for.
        per_token = decisions.BYTES_PER_BATCH_TOKEN + 8 * self.tokenizer.vocab_size
        budget = decisions.MAX_BATCH_TOKENS * decisions.BYTES_PER_BATCH_TOKEN
        batch = max(1, budget // (longest * per_token))
        results = self._run(lambda: self._generator.score_batch(
            [context + list(p) for p in pieces], max_batch_size=batch))
        return [float(sum(r.log_probs[len(context) - 1:])) for r in results]

    def next_token_logprobs(self, prompt: Prompt, prefixes: Sequence[Sequence[str]], *,
                            share_prompt: bool = False) -> np.ndarray:
        """log P(next token | prompt + prefix) over the vocabulary, one row per prefix.

        ``share_prompt`` forwards the whole prompt once for the batch (uncached) instead of
        re-running its dynamic part per prefix after the cached static part.
        """
        self._checked(prompt, max((len(p) for p in prefixes), default=0) + 1)
        if share_prompt:
            static, dynamic = self._split(Prompt(tuple(prompt.all_tokens), ()))
            extra = {"static_prompt": static, "cache_static_prompt": False} if static else {}
        else:
            static, dynamic = self._split(prompt)
            extra = self._static_args(static)
        starts = [dynamic + list(p) for p in prefixes]
        results = self._run(lambda: self._generator.generate_batch(
            starts, max_length=1, include_prompt_in_result=False, return_logits_vocab=True,
            sampling_topk=1, **extra))
        # With prefixes of unequal length CTranslate2 forces the extra tokens through decoding
        # steps and returns a row per forced step; the last row is the next-token distribution.
        logits = np.stack([np.asarray(r.logits[0], dtype=np.float32)[-1] for r in results])
        logits -= logits.max(axis=1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))

    def forced_logprobs(self, prompt: Prompt, continuations: Sequence[Sequence[str]], *,
                        share_prompt: bool = False) -> list[np.ndarray] | None:
        """Per continuation, the log-prob of each of its tokens after the prompt, in one batch.

        With the bare prompt as the batch's shortest item, CTranslate2 forces every longer
        item's extra tokens through decoding steps and returns one logits row per step. No end
        token is set, because CTranslate2 masks the end token in forced steps (which would skew
        every row). The row count is checked; None means "not available, use the trie".
        """
        self._checked(prompt, max((len(c) for c in continuations), default=0) + 1)
        static, dynamic = self._split(Prompt(tuple(prompt.all_tokens), ()) if share_prompt
                                      else prompt)
        extra = ({"static_prompt": static, "cache_static_prompt": False} if share_prompt and static
                 else self._static_args(static))
        starts = [dynamic] + [dynamic + list(c) for c in continuations]
        results = self._run(lambda: self._generator.generate_batch(
            starts, max_length=1, include_prompt_in_result=False, return_logits_vocab=True,
            sampling_topk=1, end_token=[], **extra))
        out = []
        for tokens, result in zip(continuations, results[1:]):
            rows = np.asarray(result.logits[0], dtype=np.float32)
            if rows.ndim != 2 or rows.shape[0] != len(tokens) + 1:
                return None
            rows = rows[:-1] - rows[:-1].max(axis=1, keepdims=True)
            rows -= np.log(np.exp(rows).sum(axis=1, keepdims=True))
            ids = [self.tokenizer.token_to_id(t) for t in tokens]
            if None in ids:
                raise ModelError(f"a token of {tokens!r} is not in the model vocabulary")
            out.append(rows[np.arange(len(ids)), ids])
        return out

    def choose(self, prompt: Any, options: Sequence[str], *, calibrate: bool = True) -> Choice:
        """Pick one of ``options`` (calibrated PMI over exact option log-likelihoods)."""
        return decisions.choose(self, self.prompt(prompt), options, calibrate=calibrate)

    def extract(self, prompt: Any, spec: IntegerSpec | DecimalSpec | EnumSpec) -> Extracted:
        """A value that satisfies ``spec`` whatever the model prefers (see constrained.py)."""
        return decisions.extract(self, self.prompt(prompt), spec)

    def _run(self, call):
        try:
            return call()
        except (RuntimeError, ValueError) as err:
            raise ModelError(f"{self.name}: inference failed ({err})") from err

    def close(self) -> None:
        generator, self._generator = getattr(self, "_generator", None), None
        if generator is not None:
            generator.unload_model()


def _find_stop(text: str, stop: Sequence[str]) -> int:
    positions = [text.find(s) for s in stop if s]
    positions = [p for p in positions if p >= 0]
    return min(positions) if positions else -1
