"""Pipeline runner, registry/composition and built-in functions (table-driven, no I/O)."""
import json
import logging
from types import SimpleNamespace

import pytest

from app_service.edgex.dtos import Event, Reading
from app_service.errors import ConfigError, PayloadError
from app_service.metrics import Metrics
from app_service.pipeline import (Context, Parameters, build_pipelines, find_factory,
                                  registered_functions, run_pipeline)


def make_event(device="Thermostat-1", profile="Thermostat", source="Temperature",
               resources=("Temperature",)):
    readings = [Reading(origin=1, device_name=device, resource_name=r, profile_name=profile,
                        value_type="Float32", value="2.150000e+01") for r in resources]
    return Event("e-1", device, profile, source, 1, readings)


def ctx(**kw):
    return Context(correlation_id=kw.pop("correlation_id", "cid-1"), **kw)


APP = SimpleNamespace(metrics=Metrics(), config={})


def build(name, **params):
    _, factory = find_factory(name, registered_functions())
    return factory(Parameters(params), APP)


# --- runner -------------------------------------------------------------------------------------
def test_runner_threads_data_and_stops_quietly():
    calls = []

    def add_one(c, d):
        calls.append(d)
        return True, d + 1

    def stop(c, d):
        return False, None

    assert run_pipeline(ctx(), [add_one, add_one], 1).data == 3
    result = run_pipeline(ctx(), [add_one, stop, add_one], 1)
    assert (result.completed, result.error, result.position, calls[-1]) == (False, None, 1, 1)


def test_runner_logs_a_failure_once_with_pipeline_and_correlation_id(caplog):
    def boom(c, d):
        raise PayloadError("bad data")

    caplog.set_level(logging.ERROR)
    result = run_pipeline(ctx(pipeline_id="p-7", correlation_id="cid-9"),
                          [lambda c, d: (True, d), boom], 0, names=["First", "Boom"])
    assert isinstance(result.error, PayloadError) and result.position == 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "p-7" in errors[0].getMessage() and "cid-9" in errors[0].getMessage()
    assert "Boom" in errors[0].getMessage() and errors[0].correlation_id == "cid-9"


def test_runner_accepts_go_style_error_results():
    result = run_pipeline(ctx(), [lambda c, d: (False, ValueError("nope"))], 0)
    assert isinstance(result.error, ValueError)


def test_runner_resumes_from_a_position():
    seen = []
    fns = [lambda c, d: (seen.append("a"), (True, d))[1], lambda c, d: (seen.append("b"),
                                                                        (True, d))[1]]
    run_pipeline(ctx(), fns, 0, start=1)
    assert seen == ["b"]


# --- context ------------------------------------------------------------------------------------
def test_context_values_and_placeholders():
    c = ctx()
    c.add_value("DeviceName", "Lock-1")
    assert c.get_value("devicename") == "Lock-1"
    assert c.apply_values("out/{devicename}/{DeviceName}") == "out/Lock-1/Lock-1"
    with pytest.raises(PayloadError, match="missing"):
        c.apply_values("out/{missing}")


@pytest.mark.parametrize("data,expected", [(b"raw", b"raw"), ("text", b"text"),
                                           ({"a": 1}, b'{"a":1}')])
def test_context_response_and_retry_data_are_bytes(data, expected):
    c = ctx()
    c.set_response_data(data, "text/plain")
    c.set_retry_data(data)
    assert c.response_data == expected and c.retry_data == expected
    assert c.response_content_type == "text/plain"


# --- registry and composition -------------------------------------------------------------------
@pytest.mark.parametrize("name,expected", [
    ("FilterByDeviceName", "FilterByDeviceName"), ("FilterByDeviceName2", "FilterByDeviceName"),
    ("HTTPExportToCloud", "HTTPExport"), ("TransformJson", "Transform"), ("Nope", None),
])
def test_name_prefix_matching(name, expected):
    found = find_factory(name, registered_functions())
    assert (found[0] if found else None) == expected


def test_parameters_are_case_insensitive():
    params = Parameters({"DeviceNames": "a", "filterout": True})
    assert params["devicenames"] == "a" and params.get("FilterOut") == "True"
    assert "DEVICENAMES" in params


def test_build_default_and_per_topic_pipelines():
    cfg = {"ExecutionOrder": "FilterByDeviceName, FilterByDeviceName2, SetResponseData",
           "Functions": {"FilterByDeviceName": {"Parameters": {"DeviceNames": "a,b"}},
                         "FilterByDeviceName2": {"Parameters": {"DeviceNames": "b",
                                                                "FilterOut": "true"}}},
           "PerTopicPipelines": {"floats": {"Id": "float-pipeline",
                                            "Topics": "events/device/+/+/+/Float32, #",
                                            "ExecutionOrder": "SetResponseData"}}}
    default, floats = build_pipelines(cfg, APP, base_topic_prefix="edgex")
    assert default.id == "default-pipeline" and default.topics == ("#",)
    assert floats.id == "float-pipeline"
    assert floats.topics == ("edgex/events/device/+/+/+/Float32", "#")
    fns = default.functions
    assert run_pipeline(ctx(), fns, make_event(device="a")).completed
    assert not run_pipeline(ctx(), fns, make_event(device="b")).completed
    assert not run_pipeline(ctx(), fns, make_event(device="c")).completed


def test_pipeline_version_changes_with_parameters():
    one = build_pipelines({"ExecutionOrder": "AddTags", "Functions": {
        "AddTags": {"Parameters": {"Tags": "a:1"}}}}, APP)[0]
    two = build_pipelines({"ExecutionOrder": "AddTags", "Functions": {
        "AddTags": {"Parameters": {"Tags": "a:2"}}}}, APP)[0]
    assert one.version != two.version


@pytest.mark.parametrize("cfg,key", [
    ({"ExecutionOrder": "Nope"}, "Writable.Pipeline.ExecutionOrder"),
    ({"ExecutionOrder": "AddTags"}, "Writable.Pipeline.Functions.AddTags.Parameters"),
    ({"ExecutionOrder": "FilterByDeviceName", "Functions": {"FilterByDeviceName": {
        "Parameters": {"FilterOut": "maybe"}}}},
     "Writable.Pipeline.Functions.FilterByDeviceName.Parameters"),
    ({"ExecutionOrder": "Transform", "Functions": {"Transform": {"Parameters": {"Type": "xml"}}}},
     "Writable.Pipeline.Functions.Transform.Parameters"),
    ({"ExecutionOrder": "HTTPExport", "Functions": {"HTTPExport": {"Parameters": {
        "Url": "ftp://x"}}}}, "Writable.Pipeline.Functions.HTTPExport.Parameters"),
    ({"PerTopicPipelines": {"x": {"Id": "x", "ExecutionOrder": "SetResponseData"}}},
     "Writable.Pipeline.PerTopicPipelines.x.Topics"),
    ({"ExecutionOrder": "SetResponseData", "PerTopicPipelines": {"x": {
        "Id": "default-pipeline", "Topics": "a", "ExecutionOrder": "SetResponseData"}}},
     "Writable.Pipeline.PerTopicPipelines"),
])
def test_bad_pipeline_config_names_the_key(cfg, key):
    with pytest.raises(ConfigError) as err:
        build_pipelines(cfg, APP)
    assert err.value.key == key


# --- built-ins ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name,params,event_kw,passes", [
    ("FilterByDeviceName", {"DeviceNames": "Lock-1, Plug-1"}, {"device": "Plug-1"}, True),
    ("FilterByDeviceName", {"DeviceNames": "Lock-1"}, {"device": "Plug-1"}, False),
    ("FilterByDeviceName", {"DeviceNames": "Lock-1", "FilterOut": "true"}, {"device": "Lock-1"},
     False),
    ("FilterByDeviceName", {"DeviceNames": "Lock-1", "FilterOut": "true"}, {"device": "Plug-1"},
     True),
    ("FilterByDeviceName", {"DeviceNames": ""}, {"device": "any"}, True),
    ("FilterByProfileName", {"ProfileNames": "Thermostat"}, {}, True),
    ("FilterByProfileName", {"ProfileNames": "Lock"}, {}, False),
    ("FilterBySourceName", {"SourceNames": "Temperature"}, {}, True),
    ("FilterBySourceName", {"SourceNames": "Humidity", "FilterOut": "false"}, {}, False),
    ("FilterByResourceName", {"ResourceNames": "Temperature"}, {}, True),
    ("FilterByResourceName", {"ResourceNames": "Humidity"}, {}, False),
    ("FilterByResourceName", {"ResourceNames": "Temperature", "FilterOut": "true"}, {}, False),
])
def test_filters(name, params, event_kw, passes):
    event = make_event(**event_kw)
    keep_going, result = build(name, **params)(ctx(), event)
    assert keep_going is passes
    assert (result is not None) is passes


def test_filter_by_resource_name_keeps_matching_readings_without_mutating_input():
    event = make_event(resources=("Temperature", "Humidity", "Setpoint"))
    keep_going, result = build("FilterByResourceName", ResourceNames="Humidity,Setpoint",
                               FilterOut="true")(ctx(), event)
    assert keep_going and [r.resource_name for r in result.readings] == ["Temperature"]
    assert len(event.readings) == 3


def test_filters_reject_non_events():
    with pytest.raises(PayloadError, match="not an Event"):
        build("FilterByDeviceName", DeviceNames="x")(ctx(pipeline_id="p"), b"raw")


def test_add_tags_copies_the_event():
    event = make_event()
    _, tagged = build("AddTags", Tags="site:plant-1, line : 2")(ctx(), event)
    assert tagged.tags == {"site": "plant-1", "line": "2"} and event.tags == {}


@pytest.mark.parametrize("tags", ["novalue", ":x", ""])
def test_add_tags_rejects_malformed(tags):
    with pytest.raises(ValueError):
        build("AddTags", Tags=tags)


def test_transform_json_then_set_response_data():
    c = ctx()
    _, data = build("Transform", Type="json")(c, make_event())
    keep_going, _ = build("SetResponseData", ResponseContentType="application/json")(c, data)
    assert keep_going and json.loads(c.response_data)["deviceName"] == "Thermostat-1"
    assert c.response_content_type == "application/json"


def test_set_response_data_encodes_events():
    c = ctx()
    build("SetResponseData")(c, make_event())
    assert Event.from_dict(json.loads(c.response_data)) == make_event()


@pytest.mark.parametrize("value_type,data,check", [
    ("Int32", b"42", lambda r: r.value == "42" and r.typed() == 42),
    ("String", "hello", lambda r: r.value == "hello"),
    ("Object", b'{"a": 1}', lambda r: r.object_value == {"a": 1}),
    ("Binary", b"\x00\x01", lambda r: r.binary_value == b"\x00\x01" and r.media_type == "x/y"),
])
def test_wrap_into_event(value_type, data, check):
    fn = build("WrapIntoEvent", ProfileName="P", DeviceName="D", ResourceName="R",
               ValueType=value_type, MediaType="x/y")
    _, event = fn(ctx(), data)
    assert (event.device_name, event.profile_name, event.source_name) == ("D", "P", "R")
    assert check(event.readings[0])
    assert Event.from_dict(event.to_dict()) == event


@pytest.mark.parametrize("params", [{"ProfileName": "P", "DeviceName": "D", "ResourceName": "R"},
                                    {"ProfileName": "P", "DeviceName": "D", "ResourceName": "R",
                                     "ValueType": "Complex"},
                                    {"ProfileName": "P", "DeviceName": "D", "ResourceName": "R",
                                     "ValueType": "Binary"}])
def test_wrap_into_event_rejects_bad_parameters(params):
    with pytest.raises(ValueError):
        build("WrapIntoEvent", **params)
