"""Chat templates as pure functions: messages → segments of trusted markup and untrusted text.

A rendered prompt is a list of segments: ``Special`` (a control token written by the template),
``Markup`` (template text) and ``Content`` (what a user or caller wrote). The tokenizer never
turns Content into control tokens, so a message containing ``<|im_end|>`` cannot close its turn.
``STATIC_END`` marks where the system part ends (the part worth caching with ``static_prompt``).
The template is chosen once, at conversion time, from the GGUF metadata (never from a hub).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

TEMPLATES = ("chatml", "gemma", "llama3", "mistral", "plain")
ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Message:
    role: str
    content: str


@dataclass(frozen=True)
class Special:
    token: str


@dataclass(frozen=True)
class Markup:
    text: str


@dataclass(frozen=True)
class Content:
    text: str


class _StaticEnd:
    def __repr__(self) -> str:
        return "STATIC_END"


STATIC_END = _StaticEnd()
Segment = Any  # Special | Markup | Content | STATIC_END


def detect_template(jinja: str | None, architecture: str, vocabulary: Sequence[str]) -> str:
    """Pick a template family from the GGUF's chat template text, else from its vocabulary."""
    text = jinja or ""
    vocab = set(vocabulary)
    if "<|im_start|>" in text or (not text and "<|im_start|>" in vocab):
        return "chatml"
    if "<start_of_turn>" in text or (not text and "<start_of_turn>" in vocab):
        return "gemma"
    if "<|start_header_id|>" in text or (not text and "<|start_header_id|>" in vocab):
        return "llama3"
    if "[INST]" in text:
        return "mistral"
    if architecture == "qwen2":
        return "chatml"
    return "plain"


def end_tokens(template: str, eos_token: str) -> list[str]:
    """Tokens that end an assistant turn for this template."""
    extra = {"chatml": "<|im_end|>", "gemma": "<end_of_turn>", "llama3": "<|eot_id|>"}
    tokens = [eos_token]
    if template in extra and extra[template] != eos_token:
        tokens.insert(0, extra[template])
    return tokens


def normalise(messages: Iterable[Any]) -> list[Message]:
    """Accept Message objects, {"role", "content"} dicts or (role, content) pairs."""
    result = []
    for item in messages:
        if isinstance(item, Message):
            message = item
        elif isinstance(item, dict):
            message = Message(str(item.get("role", "")), str(item.get("content", "")))
        else:
            role, content = item
            message = Message(str(role), str(content))
        if message.role not in ROLES:
            raise ValueError(f"unknown chat role {message.role!r}; expected one of {ROLES}")
        result.append(message)
    if not result:
        raise ValueError("a chat prompt needs at least one message")
    return result


def render(template: str, messages: Iterable[Any], *, bos_token: str | None = None,
           add_generation_prompt: bool = True) -> list[Segment]:
    """Render messages with one of TEMPLATES; ``bos_token`` is prepended when given."""
    turns = normalise(messages)
    renderer = _RENDERERS.get(template)
    if renderer is None:
        raise ValueError(f"unknown chat template {template!r}; expected one of {TEMPLATES}")
    segments: list[Segment] = [Special(bos_token)] if bos_token else []
    segments += renderer(turns, add_generation_prompt)
    return segments


def _chatml(turns: list[Message], add_generation_prompt: bool) -> list[Segment]:
    out: list[Segment] = []
    for message in turns:
        out += [Special("<|im_start|>"), Markup(message.role + "\n"), Content(message.content),
                Special("<|im_end|>"), Markup("\n")]
        if message.role == "system":
            out.append(STATIC_END)
    if add_generation_prompt:
        out += [Special("<|im_start|>"), Markup("assistant\n")]
    return out


def _gemma(turns: list[Message], add_generation_prompt: bool) -> list[Segment]:
    # Gemma has no system role: the system text opens the first user turn.
    out: list[Segment] = []
    pending_system: str | None = None
    for message in turns:
        if message.role == "system":
            pending_system = message.content
            continue
        role = "model" if message.role == "assistant" else "user"
        out += [Special("<start_of_turn>"), Markup(role + "\n")]
        if pending_system is not None:
            out += [Content(pending_system), Markup("\n\n"), STATIC_END]
            pending_system = None
        out += [Content(message.content), Special("<end_of_turn>"), Markup("\n")]
    if pending_system is not None:
        out += [Special("<start_of_turn>"), Markup("user\n"), Content(pending_system),
                Special("<end_of_turn>"), Markup("\n")]
    if add_generation_prompt:
        out += [Special("<start_of_turn>"), Markup("model\n")]
    return out


def _llama3(turns: list[Message], add_generation_prompt: bool) -> list[Segment]:
    out: list[Segment] = []
    for message in turns:
        out += [Special("<|start_header_id|>"), Markup(message.role),
                Special("<|end_header_id|>"), Markup("\n\n"), Content(message.content),
                Special("<|eot_id|>")]
        if message.role == "system":
            out.append(STATIC_END)
    if add_generation_prompt:
        out += [Special("<|start_header_id|>"), Markup("assistant"), Special("<|end_header_id|>"),
                Markup("\n\n")]
    return out


def _mistral(turns: list[Message], add_generation_prompt: bool) -> list[Segment]:
    # Mistral has no system role either: it is folded into the first [INST] block.
    out: list[Segment] = []
    system: str | None = None
    for message in turns:
        if message.role == "system":
            system = message.content
        elif message.role == "user":
            out.append(Markup("[INST] "))
            if system is not None:
                out += [Content(system), Markup("\n\n"), STATIC_END]
                system = None
            out += [Content(message.content), Markup(" [/INST]")]
        else:
            out += [Content(message.content), Special("</s>")]
    return out


def _plain(turns: list[Message], add_generation_prompt: bool) -> list[Segment]:
    # Base models without a chat format: a transcript they continue naturally.
    out: list[Segment] = []
    for message in turns:
        if message.role == "system":
            out += [Content(message.content), Markup("\n\n"), STATIC_END]
        else:
            label = "User" if message.role == "user" else "Assistant"
            out += [Markup(f"{label}: "), Content(message.content), Markup("\n")]
    if add_generation_prompt:
        out.append(Markup("Assistant:"))
    return out


_RENDERERS = {"chatml": _chatml, "gemma": _gemma, "llama3": _llama3, "mistral": _mistral,
              "plain": _plain}
