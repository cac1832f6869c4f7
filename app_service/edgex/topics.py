"""EdgeX topic building and matching (INTERFACES.md §1.2)."""
from __future__ import annotations

from urllib.parse import quote, unquote

_ESCAPES = {"+": "%2B", "-": "%2D", ".": "%2E", "_": "%5F", "~": "%7E"}


def join_topic(prefix: str, *levels: str) -> str:
    """``BaseTopicPrefix`` + levels joined by ``/``; an empty prefix adds nothing (2.x topics)."""
    parts = [p.strip("/") for p in (prefix, *levels) if p and p.strip("/")]
    return "/".join(parts)


def escape_name(name: str) -> str:
    """CC ``URLEncode``: Go ``url.PathEscape`` then ``+ - . _ ~`` percent-escaped too.

    Used only when ``Service.EnableNameFieldEscape`` is true (EdgeX's default is false)."""
    escaped = quote(name, safe="$&+:=@")
    return "".join(_ESCAPES.get(ch, ch) for ch in escaped)


def unescape_name(level: str) -> str:
    return unquote(level)


def event_topic(base: str, service: str, profile: str, device: str, source: str,
                *, escape: bool = False) -> str:
    """3.x/4.x ``{b}/events/device/{service}/{profile}/{device}/{source}``."""
    names = (service, profile, device, source)
    if escape:
        names = tuple(escape_name(n) for n in names)
    return join_topic(base, "events/device", *names)


def topic_matches(incoming: str, pipeline_topics: list[str] | tuple[str, ...]) -> bool:
    """AFS ``topicMatches`` exactly, quirks included (INTERFACES.md §1.2).

    A mid-topic ``#`` behaves like ``+``, and the match is a prefix match once the wildcard levels
    are substituted, so ``a/+/c`` also matches ``a/b/c/d`` and ``a/b/cd``.
    """
    for pipeline_topic in pipeline_topics:
        if pipeline_topic == "#":
            return True
        if "#" not in pipeline_topic and "+" not in pipeline_topic:
            if incoming == pipeline_topic:
                return True
            continue
        pipeline_levels = pipeline_topic.split("/")
        incoming_levels = incoming.split("/")
        if len(pipeline_levels) > len(incoming_levels):
            continue
        for index, level in enumerate(pipeline_levels):
            if level == "#" or level == "+":
                incoming_levels[index] = level
        if "/".join(incoming_levels).startswith(pipeline_topic):
            return True
    return False
