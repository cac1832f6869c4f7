"""String readings: grounded evidence first (defaultValue, status-word lexicons, learned
frequency), the model only for what they cannot decide, one classification per distinct pending
string, and one report per change into an anomalous status."""
import types
import uuid

import pytest

from app_service.anomaly.config import load_settings
from app_service.anomaly.lexicon import lexicon_verdict, tokens
from app_service.anomaly.records import AnomalyFacts
from app_service.anomaly.text import (ANOMALOUS, NORMAL, PENDING, WAITING, TextClassifier,
                                      TextJudge, TextSettings, ValueFrequency)
from app_service.anomaly.triage import Triager, TriageQueue
from app_service.anomaly.wiring import AnomalyFeature
from app_service.edgex.dtos import Event, Reading
from app_service.errors import ConfigError, ModelError
from app_service.metrics import Metrics


class FakeModel:
    """choose() with a scripted p(anomalous) per status text; counts calls."""

    def __init__(self, p_anomalous=None, default=0.5, fail=False):
        self.p = p_anomalous or {}
        self.default = default
        self.fail = fail
        self.calls = []

    def choose(self, prompt, options, **kwargs):
        assert list(options) == ["normal", "anomalous"] and kwargs.get("calibrate", True)
        text = prompt[-1]["content"].split("New status text: '")[1].split("'")[0]
        self.calls.append(text)
        if self.fail:
            raise ModelError("model busy")
        p = self.p.get(text, self.default)
        return types.SimpleNamespace(index=int(p >= 0.5), option=options[p >= 0.5],
                                     probabilities=(1.0 - p, p), options=tuple(options))


def warm(judge, device="rinse-pump", value="ok", n=None):
    """Past the stream's warm-up (it only learns during it) with a normal status."""
    for _ in range(n or judge.settings.warm_up):
        judge.judge(facts(value, device=device))
    return judge


def facts(value, device="rinse-pump", resource="PumpStatus", recent=()):
    return AnomalyFacts(device=device, resource=resource, profile="Centrifugal-Pump", kind="text",
                        score=0.0, value=value, origin_ns=1, recent=recent,
                        description="Pump condition", correlation_id="cid-t")


# --- lexicons ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "ok", "OK", "normal", "ready", "running", "idle", "on", "off", "open", "closed", "locked",
    "LOCKED", "standby", "auto", "heat", "cool", "eco", "Online", "Door open", "status: OK",
    "no fault", "No active alarms", "fault cleared", "alarm reset",
])
def test_normal_status_words(text):
    assert lexicon_verdict(text) is False


@pytest.mark.parametrize("text", [
    "fault", "FAULT E42", "error", "Alarm", "failure", "overload", "overtemperature", "overheat",
    "Overheating", "cavitation", "dry-run", "DRY_RUN", "dry run", "leak", "leak detected", "jam",
    "jammed", "tamper", "low battery", "LowBattery", "BATTERY_LOW", "not ok", "e-stop",
    "running, overload",        # an abnormal word wins over a normal one
    "ok but fault",
])
def test_abnormal_status_words(text):
    assert lexicon_verdict(text) is True


@pytest.mark.parametrize("text,expected", [
    ("正常", False), ("运行", False), ("运行中", False), ("就绪", False), ("待机", False),
    ("状态正常", False), ("自动模式", False), ("无故障", False), ("报警已解除", False),
    ("故障", True), ("报警", True), ("过载", True), ("过热", True), ("泄漏", True),
    ("电机过热", True), ("运行中，过载报警", True), ("不正常", True), ("低电量", True),
    ("未就绪", None),           # not ready: no evidence either way
    ("校准", None),
])
def test_chinese_status_words(text, expected):
    assert lexicon_verdict(text) is expected


@pytest.mark.parametrize("text", [
    "", "co", "test", "priming", "E42", "batch-7", "not ready", "PumpStatus",
    "economy",   # "eco" only as a whole word
    "cooler",    # not "cool"
    "fireplace",  # not "fire"
])
def test_no_lexicon_evidence(text):
    assert lexicon_verdict(text) is None


def test_tokens_split_case_and_punctuation():
    assert tokens("LowBattery DRY_RUN over-temp E42") == ["low", "battery", "dry", "run",
                                                          "over", "temp", "e42"]


# --- the judge: default value, frequency, model -------------------------------------------------

def test_default_value_is_normal_before_anything_else():
    model = FakeModel(default=0.99)
    judge = warm(TextJudge(TextClassifier(model)))
    outcome, verdict, report = judge.judge(facts("E00"), default="E00")
    assert (outcome, verdict.source, report) == (NORMAL, "default", False)
    assert judge.judge(facts("E01"), default="E00")[0] == PENDING   # a different code: ask
    assert model.calls == []


def test_frequent_values_are_learned_as_normal_after_warm_up():
    model = FakeModel(default=0.99)
    settings = TextSettings(warm_up=20, frequent_share=0.05, window=200)
    judge = TextJudge(TextClassifier(model), settings)
    outcomes = [judge.judge(facts("batch-A" if i % 3 else "batch-B"))[1] for i in range(40)]
    assert all(v.source == "learning" and not v.anomalous for v in outcomes[:20])
    assert all(v.source == "frequency" and not v.anomalous for v in outcomes[20:])
    assert judge.stats["learning"] == 20 and judge.stats["frequency"] == 20
    assert judge.judge(facts("batch-C"))[0] == PENDING          # never seen: a candidate
    # another stream learns on its own: the same value is new there, not yet judged
    assert judge.judge(facts("batch-A", device="other-pump"))[1].source == "learning"
    assert model.calls == []


def test_a_rare_value_stays_a_candidate_and_goes_to_the_model():
    model = FakeModel({"priming": 0.2})
    judge = TextJudge(TextClassifier(model), TextSettings(warm_up=10, frequent_share=0.05))
    for _ in range(100):
        judge.judge(facts("ok"))
    assert judge.judge(facts("priming"))[0] == PENDING
    assert judge.resolve(facts("priming"))[0].anomalous is False
    assert model.calls == ["priming"]


def test_value_frequency_decays_and_is_bounded():
    freq = ValueFrequency(window=10, max_values=3)
    for _ in range(50):
        freq.add("a")
    assert freq.share("a") == pytest.approx(1.0)
    for _ in range(50):
        freq.add("b")
    assert freq.share("a") < 0.01 and freq.share("b") > 0.99   # "recent" readings
    for value in "cdefg":
        freq.add(value)
    assert len(freq._counts) == 3                               # rarest evicted


@pytest.mark.parametrize("p,threshold,anomalous", [
    (0.95, 0.9, True), (0.9, 0.9, True), (0.85, 0.9, False), (0.6, 0.9, False),
    (0.6, 0.55, True), (0.1, 0.55, False),
])
def test_model_fallback_flags_only_above_its_threshold(p, threshold, anomalous):
    model = FakeModel({"UNLATCHED": p})
    classifier = TextClassifier(model, threshold=threshold)
    verdict = classifier.classify(facts("UNLATCHED"))
    assert verdict.anomalous is anomalous and verdict.probability == p
    assert verdict.source == "model" and f"{p:.3f}" in verdict.evidence


def test_model_verdict_cached_per_resource_and_string():
    model = FakeModel({"UNLATCHED": 0.95})
    classifier = TextClassifier(model, cache_size=2)
    first = classifier.classify(facts("UNLATCHED"))
    assert classifier.classify(facts("UNLATCHED", device="other-pump")) is first
    classifier.classify(facts("UNLATCHED", resource="DriveStatus"))
    assert model.calls == ["UNLATCHED", "UNLATCHED"]
    for text in ("A", "B"):
        classifier.classify(facts(text))
    assert classifier.cached("PumpStatus", "UNLATCHED") is None     # bounded LRU


def test_failing_model_is_undecided_not_cached_and_asked_again():
    model = FakeModel(fail=True)
    judge = warm(TextJudge(TextClassifier(model)))
    assert judge.judge(facts("priming"))[0] == PENDING
    verdict, settled, report = judge.resolve(facts("priming"))
    assert verdict is None and settled == 1 and not report
    assert judge.judge(facts("priming"))[0] == PENDING
    assert judge.stats["undecided"] == 1


def test_prompt_states_the_resource_and_recent_values():
    model = FakeModel()
    TextClassifier(model).classify(facts("priming", recent=("ok", "ok", "dry-run")))
    assert model.calls == ["priming"]
    # (the fake parsed the status out of the prompt; the rest is checked on the real model)


# --- through the feature: dedupe, repeats, counts ---------------------------------------------

def string_event(value, i, device="rinse-pump", resource="PumpStatus"):
    reading = Reading(id=str(uuid.uuid4()), origin=1_700_000_000_000_000_000 + i,
                      device_name=device, resource_name=resource,
                      profile_name="Centrifugal-Pump", value_type="String", value=value)
    return Event.new(device, "Centrifugal-Pump", "Telemetry", reading.origin, [reading])


def feature_with(model, size=4, settings=None):
    metrics = Metrics()
    delivered = []
    queue = TriageQueue(Triager(None), delivered.append, size=size, metrics=metrics)
    feature = AnomalyFeature(settings or load_settings({}), queue, metrics=metrics, model=model)
    return feature, queue, metrics, delivered


def drain(queue):
    while queue.process_one(0.01):
        pass


def warm_feature(feature, device="rinse-pump", n=60):
    for i in range(n):
        feature.process(string_event("ok", -1000 + i, device=device))


def test_a_burst_of_identical_unknown_strings_is_classified_once():
    model = FakeModel({"UNLATCHED": 0.97})
    feature, queue, metrics, delivered = feature_with(model, size=4)
    warm_feature(feature)
    for i in range(500):                              # no worker yet: all arrive while pending
        feature.process(string_event("UNLATCHED", i), f"cid-{i}")
    assert queue.depth() == 1 and metrics.counter("TriageDropped").value == 0
    drain(queue)
    assert model.calls == ["UNLATCHED"]
    assert metrics.counter("AnomaliesDetected").value == 500
    assert [r.facts.value for r in delivered] == ["UNLATCHED"]     # one report
    assert feature.text.stats["model"] == 500 and feature.text.stats["waited"] == 499
    assert feature.text.stats["repeats"] == 499
    # 500 readings later it is the stream's usual value (learned frequency): normal now
    feature.process(string_event("UNLATCHED", 500))
    drain(queue)
    assert metrics.counter("AnomaliesDetected").value == 500 and len(delivered) == 1
    assert feature.text.stats["frequency"] == 1


def test_a_persisting_status_flagged_by_the_model_is_counted_until_it_is_usual():
    model = FakeModel({"UNLATCHED": 0.97})
    feature, queue, metrics, delivered = feature_with(model)
    warm_feature(feature, n=200)
    for i in range(40):
        feature.process(string_event("UNLATCHED", i))
        drain(queue)
    # reported once; counted while rare, normal once >= 5 % of the recent readings
    assert len(delivered) == 1 and model.calls == ["UNLATCHED"]
    counted = metrics.counter("AnomaliesDetected").value
    assert 5 <= counted < 40 and feature.text.stats["repeats"] == counted - 1
    assert feature.text.stats["frequency"] == 40 - counted


def test_a_short_model_flagged_episode_is_reported_again_after_a_normal_reading():
    model = FakeModel({"UNLATCHED": 0.97})
    feature, queue, metrics, delivered = feature_with(model)
    sequence = ["ok"] * 100 + ["UNLATCHED"] * 3 + ["ok"] * 50 + ["UNLATCHED"] * 2
    for i, value in enumerate(sequence):
        feature.process(string_event(value, i))
        drain(queue)
    assert [r.facts.value for r in delivered] == ["UNLATCHED", "UNLATCHED"]
    assert metrics.counter("AnomaliesDetected").value == 5 and model.calls == ["UNLATCHED"]


def test_a_burst_of_normal_unknown_strings_reports_nothing():
    model = FakeModel({"priming": 0.3})
    feature, queue, metrics, delivered = feature_with(model, size=2)
    warm_feature(feature)
    for i in range(500):
        feature.process(string_event("priming", i))
    drain(queue)
    assert model.calls == ["priming"] and delivered == []
    assert metrics.counter("AnomaliesDetected").value == 0
    assert metrics.counter("TriageDropped").value == 0


@pytest.mark.parametrize("sequence,reports,counted", [
    (["ok"] * 20, [], 0),
    (["running", "idle", "on", "off", "open", "closed", "正常", "待机"], [], 0),
    (["ok", "fault", "fault", "fault", "ok"], ["fault"], 3),
    (["ok", "fault", "ok", "fault"], ["fault", "fault"], 2),
    (["overload", "overload", "fault", "fault"], ["overload", "fault"], 4),   # a new status
    (["运行", "过载", "过载"], ["过载"], 2),
])
def test_lexicon_statuses_report_on_change_and_count_every_reading(sequence, reports, counted):
    model = FakeModel(default=0.99)
    feature, queue, metrics, delivered = feature_with(model)
    for i, value in enumerate(sequence):
        feature.process(string_event(value, i))
        drain(queue)
    assert [r.facts.value for r in delivered] == reports
    assert metrics.counter("AnomaliesDetected").value == counted
    assert model.calls == []                          # the lexicon decided everything
    assert all(r.facts.evidence == "abnormal status word" and r.facts.score == 1.0
               for r in delivered)


def test_queue_full_drops_the_classification_once_and_a_later_reading_retries():
    model = FakeModel({"UNLATCHED": 0.97})
    feature, queue, metrics, delivered = feature_with(model, size=1)
    warm_feature(feature)
    feature.process(string_event("fault", 0, device="other-pump"))    # fills the queue
    feature.process(string_event("UNLATCHED", 1))                     # cannot be queued
    assert metrics.counter("TriageDropped").value == 1
    drain(queue)
    feature.process(string_event("UNLATCHED", 2))                     # retried, not stuck
    drain(queue)
    assert [r.facts.value for r in delivered] == ["fault", "UNLATCHED"]
    assert model.calls == ["UNLATCHED"]


def test_without_a_model_the_evidence_still_decides():
    feature, queue, metrics, delivered = feature_with(None)
    warm_feature(feature)
    for i, value in enumerate(["ok", "priming", "fault"]):
        feature.process(string_event(value, i))
    drain(queue)
    assert [r.facts.value for r in delivered] == ["fault"]
    assert feature.text.stats["undecided"] == 1


def test_a_new_stream_learns_its_unknown_values_instead_of_asking_the_model():
    """The 135M model calls nearly every status anomalous (docs/anomaly.md): a stream's
    first readings teach it its usual values, so a steady unknown status is never flagged."""
    model = FakeModel(default=0.999)
    feature, queue, metrics, delivered = feature_with(model)
    for i in range(300):
        feature.process(string_event("priming", i))
    drain(queue)
    assert delivered == [] and model.calls == [] and feature.text.stats["learning"] == 20
    feature.process(string_event("fault", 300))                       # the lexicon still works
    drain(queue)
    assert [r.facts.value for r in delivered] == ["fault"]


@pytest.mark.parametrize("section,expected", [
    ({}, TextSettings()),
    ({"Text": {"ModelThreshold": 0.8, "FrequentShare": 0.1, "WarmUp": 5, "Window": 50}},
     TextSettings(model_threshold=0.8, frequent_share=0.1, warm_up=5, window=50)),
])
def test_text_settings(section, expected):
    assert load_settings({"AnomalyDetection": section}).text == expected


@pytest.mark.parametrize("text,key", [
    ({"ModelThreshold": 0.2}, "AnomalyDetection.Text.ModelThreshold"),
    ({"WarmUp": 0}, "AnomalyDetection.Text.WarmUp"),
    ({"Threshold": 0.9}, "AnomalyDetection.Text.Threshold"),
])
def test_bad_text_settings_name_the_key(text, key):
    with pytest.raises(ConfigError) as err:
        load_settings({"AnomalyDetection": {"Text": text}})
    assert key in str(err.value)


def test_judge_outcomes_for_a_pending_string():
    judge = warm(warm(TextJudge(TextClassifier(FakeModel({"UNLATCHED": 0.97}))), n=100),
                 device="other-pump")
    assert judge.judge(facts("UNLATCHED"))[0] == PENDING
    assert judge.judge(facts("UNLATCHED"))[0] == WAITING
    assert judge.judge(facts("UNLATCHED", device="other-pump"))[0] == PENDING  # per device
    verdict, settled, report = judge.resolve(facts("UNLATCHED"))
    assert verdict.anomalous and settled == 2 and report
    assert judge.judge(facts("UNLATCHED"))[:1] == (ANOMALOUS,)                 # cached now


def test_the_feature_reads_default_value_from_the_device_profile():
    props = types.SimpleNamespace(minimum=None, maximum=None, units="", default_value="E00")
    resource = types.SimpleNamespace(properties=props, description="Drive status code")
    profile = types.SimpleNamespace(resource=lambda name: resource)
    profiles = types.SimpleNamespace(profile=lambda name: profile)
    model = FakeModel(default=0.99)
    metrics = Metrics()
    delivered = []
    queue = TriageQueue(Triager(None), delivered.append, size=4, metrics=metrics)
    feature = AnomalyFeature(load_settings({}), queue, profiles=profiles, metrics=metrics,
                             model=model)
    warm_feature(feature)
    feature.process(string_event("E00", 1))           # the profile's defaultValue: normal
    feature.process(string_event("E07", 2))           # another code: a candidate
    drain(queue)
    assert model.calls == ["E07"] and [r.facts.value for r in delivered] == ["E07"]
    assert feature.text.stats["default"] == 1
    assert delivered[0].facts.description == "Drive status code"


# --- restart: what String streams learned survives it -------------------------------------------

def test_a_restart_keeps_learned_values_and_the_alarm_state(tmp_path):
    path = str(tmp_path / "anomaly-state.json")
    model = FakeModel({"batch-B": 0.99, "JAMMED-7": 0.99})
    before, queue, _, delivered = feature_with(model, size=8)
    for i in range(60):                                    # past warm-up, batch-B usual
        before.process(string_event("batch-A" if i % 3 else "batch-B", i))
    before.process(string_event("JAMMED-7", 100))          # flagged by the model, still on
    drain(queue)
    assert [r.facts.value for r in delivered] == ["JAMMED-7"]
    before.save_snapshots(path)

    after, queue2, _, delivered2 = feature_with(FakeModel({"batch-B": 0.99, "JAMMED-7": 0.99}))
    assert after.load_snapshots(path) == (0, 1)
    after.process(string_event("JAMMED-7", 200))          # same alarm: not reported again
    after.process(string_event("batch-B", 201))           # usual: no warm-up, no model
    drain(queue2)
    assert delivered2 == [] and after.text.stats["learning"] == 0
    assert after.text.stats["frequency"] == 1


def test_without_the_snapshot_a_new_process_learns_again(tmp_path):
    # the regression the snapshot prevents: a fresh stream only learns
    fresh, queue, _, _ = feature_with(FakeModel())
    assert fresh.load_snapshots(str(tmp_path / "none.json")) == (0, 0)
    fresh.process(string_event("batch-B", 1))
    assert fresh.text.stats["learning"] == 1


@pytest.mark.parametrize("content", [
    b"not json", b"[]", b'{"version": 99, "streams": []}',
    b'{"version": 1, "streams": [["pump", "Status", [5, 1.0, [["ok", -1, 2]]], null]]}',
    b'{"version": 1, "streams": [["pump", "Status", [5, 1.0, [["ok", 1.0, 9]]], null]]}',
    b'{"version": 1, "streams": [["pump", "Status", [5, "NaN", []], null]]}',
    b'{"version": 1, "streams": [["pump", 7, [5, 1.0, []], null]]}',
    b'{"version": 1, "streams": [["pump", "Status"]]}',
])
def test_a_bad_text_snapshot_is_logged_and_ignored(tmp_path, caplog, content):
    path = tmp_path / "anomaly-state.json"
    (tmp_path / "anomaly-state.text.json").write_bytes(content)
    feature, _, _, _ = feature_with(FakeModel())
    assert feature.load_snapshots(str(path)) == (0, 0)
    assert len(feature.text._streams) == 0
    assert "text snapshot" in caplog.text and "ignored" in caplog.text


def test_value_frequency_round_trips_and_honours_a_smaller_bound():
    freq = ValueFrequency(window=50, max_values=8)
    for i in range(40):
        freq.add(f"v{i % 6}")
    copy = ValueFrequency(window=50, max_values=8)
    copy.restore(freq.to_list())
    assert [copy.share(f"v{i}") for i in range(6)] == [freq.share(f"v{i}") for i in range(6)]
    small = ValueFrequency(window=50, max_values=2)
    small.restore(freq.to_list())
    assert len(small._counts) == 2 and small.share("v3") > 0     # the two most recent kept
