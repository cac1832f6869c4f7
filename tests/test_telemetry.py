"""Telemetry reporter: enabled metrics only, prefix names, tags, dtos.Metric shape, interval."""
import threading

import pytest

from app_service.metrics import Metrics
from app_service.telemetry import TelemetryReporter, enabled_name

ENABLED = {"MessagesReceived": True, "InvalidMessagesReceived": False,
           "PipelineMessagesProcessed": True, "PipelineMessageProcessingTime": True,
           "Pipeline": False}


@pytest.mark.parametrize("item, name", [
    ("MessagesReceived", "MessagesReceived"),
    ("InvalidMessagesReceived", None),
    ("PipelineMessagesProcessed-default-pipeline", "PipelineMessagesProcessed"),
    ("PipelineMessageProcessingTime-float-pipeline", "PipelineMessageProcessingTime"),
    ("PipelineProcessingErrors-default-pipeline", None),
    ("Unlisted", None),
])
def test_enabled_name_prefix_match(item, name):
    assert enabled_name(item, ENABLED) == name


def test_longest_enabled_prefix_wins():
    assert enabled_name("AbcDef-x", {"Abc": True, "AbcDef": True}) == "AbcDef"


class Recorder:
    def __init__(self, fail_on=()):
        self.sent = []
        self.fail_on = fail_on
        self.event = threading.Event()

    def __call__(self, topic, dto, correlation_id):
        if dto["name"] in self.fail_on:
            raise ConnectionError("bus down")
        self.sent.append((topic, dto, correlation_id))
        self.event.set()


def make(metrics, recorder, **kw):
    args = dict(service_key="app-llm-agent", base_topic_prefix="edgex", interval=30,
                enabled=ENABLED, tags={"site": "plant-1"})
    args.update(kw)
    return TelemetryReporter(metrics, recorder, **args)


def test_report_publishes_only_enabled_metrics_as_metric_dtos():
    metrics = Metrics()
    metrics.counter("MessagesReceived").inc(4)
    metrics.counter("InvalidMessagesReceived").inc()
    metrics.counter("PipelineMessagesProcessed-default-pipeline",
                    {"pipeline": "default-pipeline"}).inc(2)
    metrics.timer("PipelineMessageProcessingTime-default-pipeline",
                  {"pipeline": "default-pipeline"}).record_seconds(0.001)
    recorder = Recorder()
    assert make(metrics, recorder).report_once(timestamp_ns=123) == 3
    by_topic = {topic: dto for topic, dto, _ in recorder.sent}
    assert set(by_topic) == {
        "edgex/telemetry/app-llm-agent/MessagesReceived",
        "edgex/telemetry/app-llm-agent/PipelineMessagesProcessed",
        "edgex/telemetry/app-llm-agent/PipelineMessageProcessingTime"}
    assert by_topic["edgex/telemetry/app-llm-agent/PipelineMessagesProcessed"] == {
        "apiVersion": "v3", "name": "PipelineMessagesProcessed",
        "fields": [{"name": "counter-count", "value": 2}],
        "tags": [{"name": "service", "value": "app-llm-agent"},
                 {"name": "site", "value": "plant-1"},
                 {"name": "pipeline", "value": "default-pipeline"}],
        "timestamp": 123}
    timer = by_topic["edgex/telemetry/app-llm-agent/PipelineMessageProcessingTime"]
    assert [f["name"] for f in timer["fields"]] == [
        "timer-count", "timer-min", "timer-max", "timer-mean", "timer-stddev", "timer-variance"]
    assert timer["fields"][1]["value"] == pytest.approx(1e6)
    assert len({cid for _, _, cid in recorder.sent}) == 3  # a new correlation id per message


def test_publish_failure_is_counted_and_others_still_sent():
    metrics = Metrics()
    metrics.counter("MessagesReceived").inc()
    metrics.counter("PipelineMessagesProcessed-p", {"pipeline": "p"}).inc()
    recorder = Recorder(fail_on=("MessagesReceived",))
    assert make(metrics, recorder).report_once() == 1
    assert metrics.value("TelemetryPublishErrors") == 1
    assert recorder.sent[0][1]["name"] == "PipelineMessagesProcessed"


def test_reporter_publishes_every_interval_until_stopped():
    metrics = Metrics()
    metrics.counter("MessagesReceived").inc()
    recorder = Recorder()
    reporter = make(metrics, recorder, interval=0.05)
    reporter.start()
    assert recorder.event.wait(5)
    reporter.stop()
    count = len(recorder.sent)
    assert count >= 1
    recorder.event.clear()
    assert not recorder.event.wait(0.2) and len(recorder.sent) == count


@pytest.mark.parametrize("interval, enabled", [(0, ENABLED), (1, {"MessagesReceived": False})])
def test_reporter_off(interval, enabled):
    reporter = make(Metrics(), Recorder(), interval=interval, enabled=enabled)
    reporter.start()
    assert reporter._thread is None
    reporter.stop()
