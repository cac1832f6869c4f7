"""Built-in pipeline functions (AFS ``pkg/transforms``; names and parameters as in
app-service-configurable, INTERFACES.md §6.3). Functions never mutate their input: several
pipelines may receive the same Event."""
from __future__ import annotations

import dataclasses
import time
from typing import Any, Collection

from ..edgex import _json
from ..edgex.dtos import Event, Reading
from ..edgex.values import VALUE_TYPES, normalize_value_type
from ..errors import PayloadError
from .context import Context, PipelineFn
from .registry import Parameters, register_function

_TRUE = {"true", "1", "t", "yes"}
_FALSE = {"false", "0", "f", "no", ""}


def param_bool(params: Parameters, key: str, default: bool = False) -> bool:
    raw = params.get(key)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{key}={raw!r} is not true or false")


def param_list(params: Parameters, key: str) -> list[str]:
    return [part.strip() for part in (params.get(key) or "").split(",") if part.strip()]


def _require_event(ctx: Context, data: Any, function: str) -> Event:
    if not isinstance(data, Event):
        raise PayloadError(f"function {function} in pipeline '{ctx.pipeline_id}': "
                           f"type received is {type(data).__name__}, not an Event")
    return data


def _event_field_filter(function: str, attribute: str, names: Collection[str],
                        filter_out: bool) -> PipelineFn:
    wanted = frozenset(names)

    def run(ctx: Context, data: Any) -> tuple[bool, Any]:
        event = _require_event(ctx, data, function)
        if not wanted:
            return True, event
        if (getattr(event, attribute) in wanted) != filter_out:
            return True, event
        return False, None

    run.__qualname__ = function
    return run


def _filter_factory(function: str, attribute: str, list_key: str):
    def factory(params: Parameters, app: Any) -> PipelineFn:
        return _event_field_filter(function, attribute, param_list(params, list_key),
                                   param_bool(params, "FilterOut"))
    return factory


register_function("FilterByProfileName")(
    _filter_factory("FilterByProfileName", "profile_name", "ProfileNames"))
register_function("FilterByDeviceName")(
    _filter_factory("FilterByDeviceName", "device_name", "DeviceNames"))
register_function("FilterBySourceName")(
    _filter_factory("FilterBySourceName", "source_name", "SourceNames"))


def filter_by_resource_name(names: Collection[str], filter_out: bool = False) -> PipelineFn:
    """Keep (or drop, with ``filter_out``) readings by resource name; stop when none is left."""
    wanted = frozenset(names)

    def run(ctx: Context, data: Any) -> tuple[bool, Any]:
        event = _require_event(ctx, data, "FilterByResourceName")
        if not wanted:
            return True, event
        kept = [r for r in event.readings if (r.resource_name in wanted) != filter_out]
        if not kept:
            return False, None
        if len(kept) == len(event.readings):
            return True, event
        return True, dataclasses.replace(event, readings=kept)

    return run


@register_function("FilterByResourceName")
def _filter_by_resource_name(params: Parameters, app: Any) -> PipelineFn:
    return filter_by_resource_name(param_list(params, "ResourceNames"),
                                   param_bool(params, "FilterOut"))


def add_tags(tags: dict[str, str]) -> PipelineFn:
    def run(ctx: Context, data: Any) -> tuple[bool, Any]:
        event = _require_event(ctx, data, "AddTags")
        return True, dataclasses.replace(event, tags={**event.tags, **tags})
    return run


@register_function("AddTags")
def _add_tags(params: Parameters, app: Any) -> PipelineFn:
    tags = {}
    for pair in param_list(params, "Tags"):
        key, sep, value = pair.partition(":")
        if not sep or not key.strip():
            raise ValueError(f"tag {pair!r} is not key:value")
        tags[key.strip()] = value.strip()
    if not tags:
        raise ValueError("Tags must list at least one key:value pair")
    return add_tags(tags)


def transform_to_json(ctx: Context, data: Any) -> tuple[bool, Any]:
    event = _require_event(ctx, data, "Transform")
    ctx.content_type = "application/json"
    return True, _json.dumps(event.to_dict())


@register_function("Transform")
def _transform(params: Parameters, app: Any) -> PipelineFn:
    kind = (params.get("Type") or "").strip().lower()
    if kind != "json":
        raise ValueError(f"Type={params.get('Type')!r}: only json is supported")
    return transform_to_json


def wrap_into_event(profile_name: str, device_name: str, resource_name: str, value_type: str,
                    media_type: str = "") -> PipelineFn:
    """Wrap raw data into a new Event with one Simple, Binary or Object reading."""
    def run(ctx: Context, data: Any) -> tuple[bool, Any]:
        origin = time.time_ns()
        reading = Reading(origin=origin, device_name=device_name, resource_name=resource_name,
                          profile_name=profile_name, value_type=value_type)
        if value_type == "Binary":
            reading.binary_value = data if isinstance(data, bytes) else str(data).encode()
            reading.media_type = media_type
            reading.value = None
        elif value_type in ("Object", "ObjectArray"):
            reading.object_value = _json.loads(data) if isinstance(data, (bytes, str)) else data
            reading.value = None
        else:
            reading.value = data.decode() if isinstance(data, bytes) else str(data)
        return True, Event.new(device_name, profile_name, resource_name, origin, [reading])
    return run


@register_function("WrapIntoEvent")
def _wrap_into_event(params: Parameters, app: Any) -> PipelineFn:
    names = {key: (params.get(key) or "").strip()
             for key in ("ProfileName", "DeviceName", "ResourceName", "ValueType")}
    missing = [k for k, v in names.items() if not v]
    if missing:
        raise ValueError("missing " + ", ".join(missing))
    try:
        value_type = normalize_value_type(names["ValueType"])
    except PayloadError:
        raise ValueError(f"ValueType must be one of {', '.join(VALUE_TYPES)}") from None
    media_type = (params.get("MediaType") or "").strip()
    if value_type == "Binary" and not media_type:
        raise ValueError("MediaType is required for Binary")
    return wrap_into_event(names["ProfileName"], names["DeviceName"], names["ResourceName"],
                           value_type, media_type)


def set_response_data(content_type: str = "") -> PipelineFn:
    """Hand the data to the trigger: published to PublishTopic (bus) or returned (HTTP)."""
    def run(ctx: Context, data: Any) -> tuple[bool, Any]:
        if data is None:
            raise PayloadError("SetResponseData received no data")
        ctx.set_response_data(data, content_type)
        return True, data
    return run


@register_function("SetResponseData")
def _set_response_data(params: Parameters, app: Any) -> PipelineFn:
    return set_response_data((params.get("ResponseContentType") or "").strip())


from . import http_export  # noqa: E402,F401  (registers HTTPExport)

__all__ = ["filter_by_resource_name", "add_tags", "transform_to_json", "wrap_into_event",
           "set_response_data", "param_bool", "param_list"]
