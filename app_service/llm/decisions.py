"""Closed choices and constrained values on top of LanguageModel.next_token_logprobs.

choose(): every option is tokenized (plus the end-of-turn token, so "on" cannot win by being a
prefix of "on high") and its exact log-likelihood comes from one batched model call: one batch
item per option, with the per-step rows CTranslate2 returns for forced tokens (model.py,
forced_logprobs), or, where those rows are unavailable, one item per node of the options' token
trie. It is calibrated (PMI) by subtracting the same score under the content-free prompt, which
is cached per (prompt, options), and turned into probabilities with a softmax.

extract(): numbers are decoded token by token under the NumberGrammar mask; enumerations are a
choose().
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..errors import ModelError
from .constrained import (DecimalSpec, EnumSpec, Extracted, IntegerSpec, NumberGrammar,
                          allowed_number_tokens, numeric_candidates, typed_value)

if TYPE_CHECKING:
    from .model import Choice, LanguageModel, Prompt

PRIOR_CACHE_SIZE = 256
MAX_NUMBER_TOKENS = 24
# Working memory of one model call grows with batch items x tokens: forced decoding keeps K and V
# for every query head (CTranslate2 replicates grouped KV heads), ~200 KB per token and item for
# SmolLM2 all told, float32 whatever the compute type. A choose() whose forced batch would hold
# more than this many tokens is scored through score_batch a few options at a time instead
# (docs/llm.md, "Memory").
MAX_BATCH_TOKENS = 384
# Generate batches are split to a smaller budget: every item keeps K and V for its prompt and
# every decoded token, and the service's float32 peak came from a 4-item micro-batch (+48 MB).
MAX_GENERATE_BATCH_TOKENS = 192
BYTES_PER_BATCH_TOKEN = 200_000
_priors: "OrderedDict[tuple, list[float]]" = OrderedDict()
_priors_lock = threading.Lock()


def option_logprobs(model: "LanguageModel", prompt: "Prompt",
                    options: Sequence[Sequence[str]]) -> list[float]:
    """Exact log P(option tokens | prompt) for token sequences, within MAX_BATCH_TOKENS."""
    # Re-running the user part per option after the cached system part, or forwarding the whole
    # prompt once uncached: take the cheaper (in tokens).
    share = (len(prompt.tokens) or 1) * (len(options) + 1) > len(prompt)
    # the bare prompt is a batch item too; a shared prompt keeps one more copy of its state
    items = len(options) + 1 + share
    if items * (len(prompt) + max(len(o) for o in options)) > MAX_BATCH_TOKENS:
        return model.score_tokens(prompt, options)
    rows = model.forced_logprobs(prompt, options, share_prompt=share)
    if rows is not None:
        return [float(r.sum()) for r in rows]
    return trie_logprobs(model, prompt, options)


def trie_logprobs(model: "LanguageModel", prompt: "Prompt",
                  options: Sequence[Sequence[str]]) -> list[float]:
    """The same from next-token log-probs of every trie node (one batch item per node)."""
    nodes: dict[tuple[str, ...], int] = {}
    for tokens in options:
        for depth in range(len(tokens)):
            nodes.setdefault(tuple(tokens[:depth]), len(nodes))
    prefixes = list(nodes)
    share = (len(prompt.tokens) or 1) * len(prefixes) > len(prompt)
    logprobs = model.next_token_logprobs(prompt, prefixes, share_prompt=share)
    vocab = model.tokenizer
    totals = []
    for tokens in options:
        total = 0.0
        for depth, token in enumerate(tokens):
            token_id = vocab.token_to_id(token)
            if token_id is None:
                raise ModelError(f"token {token!r} is not in the model vocabulary")
            total += float(logprobs[nodes[tuple(tokens[:depth])], token_id])
        totals.append(total)
    return totals


def _option_tokens(model: "LanguageModel", options: Sequence[str]) -> list[list[str]]:
    end = model.end_tokens[0]
    tokenized = []
    for option in options:
        tokens = model.tokenizer.encode_plain(option)
        if not tokens:
            raise ModelError("choose() options must be non-empty strings")
        tokenized.append(tokens + [end])
    return tokenized


def choose(model: "LanguageModel", prompt: "Prompt", options: Sequence[str], *,
           calibrate: bool = True) -> "Choice":
    from .model import Choice

    options = [str(o) for o in options]
    if not options:
        raise ModelError("choose() needs at least one option")
    if len(set(options)) != len(options):
        raise ModelError("choose() options must be distinct")
    tokenized = _option_tokens(model, options)
    scores = option_logprobs(model, prompt, tokenized)
    calibrated = calibrate and prompt.content_free is not None
    if calibrated:
        key = (model.model_dir, model.compute_type, prompt.content_free.static,
               prompt.content_free.tokens, tuple(options))
        with _priors_lock:
            prior = _priors.get(key)
            if prior is not None:
                _priors.move_to_end(key)
        if prior is None:
            prior = option_logprobs(model, prompt.content_free, tokenized)
            with _priors_lock:
                _priors[key] = prior
                while len(_priors) > PRIOR_CACHE_SIZE:
                    _priors.popitem(last=False)
        scores = [s - p for s, p in zip(scores, prior)]
    probabilities = _softmax(scores)
    best = int(np.argmax(probabilities))
    return Choice(best, options[best], tuple(probabilities), tuple(options), calibrated)


def extract(model: "LanguageModel", prompt: "Prompt",
            spec: IntegerSpec | DecimalSpec | EnumSpec) -> Extracted:
    if isinstance(spec, EnumSpec):
        choice = choose(model, prompt, spec.values)
        return Extracted(choice.option, choice.option, choice.probabilities[choice.index])
    if not isinstance(spec, (IntegerSpec, DecimalSpec)):
        raise ModelError(f"unsupported value spec {type(spec).__name__}")
    grammar = NumberGrammar.for_spec(spec)
    candidates = _numeric_candidates(model)
    end_ids = [i for i in (model.tokenizer.token_to_id(t) for t in model.end_tokens)
               if i is not None]
    text, prefix, log_probability = "", [], 0.0
    for _ in range(MAX_NUMBER_TOKENS):
        allowed = allowed_number_tokens(grammar, text, candidates)
        complete = grammar.value(text) is not None
        if not allowed:
            break
        row = model.next_token_logprobs(prompt, [prefix])[0]
        options = {token_id: float(row[token_id]) for token_id in allowed}
        if complete:
            # Stopping is worth what the model gives to anything that is not a number token.
            stop_mask = np.ones(row.shape[0], dtype=bool)
            stop_mask[list(candidates)] = False
            stop_mask[end_ids] = True
            options[-1] = float(np.logaddexp.reduce(row[stop_mask]))
        normaliser = float(np.logaddexp.reduce(list(options.values())))
        token_id = max(options, key=options.get)
        log_probability += options[token_id] - normaliser
        if token_id == -1:
            break
        text += allowed[token_id]
        prefix.append(model.tokenizer.id_to_token(token_id))
    value = grammar.value(text)
    if value is None:  # the grammar guarantees a completion exists; reach the nearest one
        raise ModelError(f"constrained decoding ended on {text!r}, which is not a value")
    return Extracted(typed_value(spec, value), text, math.exp(log_probability))


def _numeric_candidates(model: "LanguageModel") -> dict[int, str]:
    cached = getattr(model, "_numeric_candidates", None)
    if cached is None:
        cached = numeric_candidates(model.tokenizer.token_texts())
        model._numeric_candidates = cached
    return cached


def _softmax(scores: Sequence[float]) -> list[float]:
    values = np.asarray(scores, dtype=np.float64)
    values = np.exp(values - values.max())
    return [float(v) for v in values / values.sum()]
