"""Pipeline function registry and config-driven composition (Writable.Pipeline), as
app-service-configurable does it: a ``Functions`` key must equal or start with a registered name
(longest prefix wins, so ``FilterByDeviceName2`` uses ``FilterByDeviceName``'s factory); parameter
names are case-insensitive; per-topic pipelines use EdgeX topic matching."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from ..edgex.topics import join_topic
from ..errors import ConfigError
from ..settings import get_list, get_section, get_str
from .context import DEFAULT_PIPELINE_ID, PipelineFn
from .runner import Pipeline, pipeline_version

Factory = Callable[["Parameters", Any], PipelineFn]
_FUNCTIONS: dict[str, Factory] = {}


class Parameters(dict):
    """Function parameters: string values, keys matched case-insensitively (stored lower-case)."""

    def __init__(self, raw: Mapping[str, Any] | None = None):
        super().__init__({str(k).lower(): "" if v is None else str(v)
                          for k, v in (raw or {}).items()})

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


def register_function(name: str) -> Callable[[Factory], Factory]:
    """Decorator: ``@register_function("FilterByDeviceName") def factory(params, app) -> fn``."""
    def decorate(factory: Factory) -> Factory:
        _FUNCTIONS[name] = factory
        return factory
    return decorate


def registered_functions() -> dict[str, Factory]:
    from . import builtins  # noqa: F401  (registers the built-ins on first use)
    return dict(_FUNCTIONS)


def find_factory(name: str, functions: Mapping[str, Factory]) -> tuple[str, Factory] | None:
    """Exact name, else the longest registered name that ``name`` starts with."""
    if name in functions:
        return name, functions[name]
    matches = [known for known in functions if name.startswith(known)]
    if not matches:
        return None
    best = max(matches, key=len)
    return best, functions[best]


def build_pipelines(pipeline_cfg: Mapping[str, Any], app: Any, *, base_topic_prefix: str = "",
                    functions: Mapping[str, Factory] | None = None,
                    section: str = "Writable.Pipeline") -> list[Pipeline]:
    """The default pipeline (topic ``#``, when ExecutionOrder is set) and every PerTopicPipeline.

    Per-topic ``Topics`` are relative to ``base_topic_prefix`` (EdgeX 3.x+). Raises ConfigError
    naming the key for an unknown function or a parameter its factory rejects.
    """
    functions = registered_functions() if functions is None else functions
    configured = get_section(pipeline_cfg, "Functions", section)
    pipelines = []
    order = get_list(pipeline_cfg, "ExecutionOrder", section)
    if order:
        pipelines.append(_build(DEFAULT_PIPELINE_ID, ("#",), order, configured, functions, app,
                                f"{section}.ExecutionOrder", section))
    per_topic = get_section(pipeline_cfg, "PerTopicPipelines", section)
    for key, entry in per_topic.items():
        where = f"{section}.PerTopicPipelines.{key}"
        if not isinstance(entry, dict):
            raise ConfigError(where, entry, "a table with Id, Topics and ExecutionOrder")
        pipeline_id = get_str(entry, "Id", where, default=key)
        topics = get_list(entry, "Topics", where)
        if not topics:
            raise ConfigError(f"{where}.Topics", entry.get("Topics"), "at least one topic")
        full = tuple(t if t == "#" else join_topic(base_topic_prefix, t) for t in topics)
        steps = get_list(entry, "ExecutionOrder", where)
        if not steps:
            raise ConfigError(f"{where}.ExecutionOrder", entry.get("ExecutionOrder"),
                              "a comma-separated list of function names")
        pipelines.append(_build(pipeline_id, full, steps, configured, functions, app,
                                f"{where}.ExecutionOrder", section))
    ids = [p.id for p in pipelines]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise ConfigError(f"{section}.PerTopicPipelines", duplicate, "unique pipeline Ids")
    return pipelines


def _build(pipeline_id: str, topics: tuple[str, ...], steps: list[str],
           configured: Mapping[str, Any], functions: Mapping[str, Factory], app: Any,
           order_key: str, section: str) -> Pipeline:
    built, descriptions = [], []
    for step in steps:
        found = find_factory(step, functions)
        if found is None:
            raise ConfigError(order_key, step, "names that start with one of "
                              + ", ".join(sorted(functions)))
        base_name, factory = found
        entry = configured.get(step, {})
        if not isinstance(entry, dict):
            raise ConfigError(f"{section}.Functions.{step}", entry, "a table with Parameters")
        params = Parameters(get_section(entry, "Parameters", f"{section}.Functions.{step}"))
        try:
            fn = factory(params, app)
        except ConfigError:
            raise
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigError(f"{section}.Functions.{step}.Parameters", dict(params),
                              f"parameters {base_name} accepts ({exc})") from None
        built.append(fn)
        descriptions.append(f"{step}={base_name}:{sorted(params.items())}")
    return Pipeline(pipeline_id, topics, built, list(steps), pipeline_version(descriptions))
