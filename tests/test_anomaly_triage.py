"""Triage: constrained choices, grounded explanations, the bounded queue, text readings."""
from dataclasses import dataclass

import pytest

from app_service.anomaly.records import (AnomalyFacts, AnomalyRecord, explanation_options,
                                         notification, rule_severity)
from app_service.anomaly.triage import NO_ACTION, Triager, TriageQueue
from app_service.errors import ModelError
from app_service.metrics import Metrics


@dataclass
class FakeChoice:
    index: int
    option: str
    probabilities: tuple
    options: tuple


class ScriptedModel:
    """Stands in for LanguageModel.choose: picks the option a rule names, records prompts."""

    def __init__(self, pick=lambda prompt, options: options[-1], fail=False):
        self.pick = pick
        self.fail = fail
        self.calls = []

    def choose(self, prompt, options, **kwargs):
        self.calls.append((prompt, list(options)))
        if self.fail:
            raise ModelError("model busy")
        option = self.pick(prompt, options)
        index = options.index(option)
        probs = tuple(0.7 if i == index else 0.3 / (len(options) - 1) for i in range(len(options)))
        return FakeChoice(index, option, probs, tuple(options))


def facts(kind="surprise", value=31.5, **kw):
    base = dict(device="lounge-thermostat", resource="Temperature", profile="Room-Thermostat",
                kind=kind, score=0.8, value=value, origin_ns=1, units="C",
                description="Room temperature", minimum=-20.0, maximum=60.0,
                recent=(21.0, 21.2, 21.1), correlation_id="cid-1")
    base.update(kw)
    return AnomalyFacts(**base)


@pytest.mark.parametrize("kind,expected", [
    ("limit", "critical"), ("stuck", "warning"), ("range", "warning"), ("silence", "warning"),
    ("surprise", "info"),
])
def test_rule_severity_floor(kind, expected):
    assert rule_severity(facts(kind)) == expected


def test_model_choices_are_constrained_and_grounded():
    model = ScriptedModel(pick=lambda prompt, options: options[0] if "severe" not in
                          prompt[-1]["content"] else "info")
    record = Triager(model, actions_for=lambda d: ["set FanLevel to 3"]).triage(facts("limit"))
    severity_prompt, severity_options = model.calls[0]
    assert severity_options == ["info", "warning", "critical"]
    text = severity_prompt[-1]["content"]
    for fact in ("Room temperature", "Units: C", "-20", "60", "21.2", "31.5"):
        assert fact in text
    assert record.severity == "critical"  # the model said info, a limit breach is never below
    assert record.explanation in [s for _, s in explanation_options(facts("limit"))]
    assert record.action is None  # the model picked the first option: no action
    assert model.calls[-1][1] == [NO_ACTION, "set FanLevel to 3"]
    assert record.triaged_by == "model"


def test_recommended_action_only_from_valid_commands_with_probability():
    model = ScriptedModel()  # always the last option
    record = Triager(model, actions_for=lambda d: ["set FanLevel to 0", "set FanLevel to 3"]
                     ).triage(facts())
    assert record.action == "set FanLevel to 3" and record.action_probability == 0.7
    assert record.severity == "critical" and record.severity_probabilities["critical"] == 0.7


def test_model_failure_falls_back_to_rules_not_loss():
    record = Triager(ScriptedModel(fail=True)).triage(facts("stuck"))
    assert record.severity == "warning" and record.triaged_by == "rules"
    assert "stuck" in record.explanation


def test_explanations_state_only_facts():
    options = [sentence for _, sentence in explanation_options(facts("surprise", value=31.5))]
    assert any("above its recent average of 21.1 C" in o for o in options)
    assert all("lounge-thermostat" in o for o in options)


def test_notification_only_for_warning_and_critical():
    record = AnomalyRecord(facts(), severity="info", explanation="x")
    assert notification(record, "app-llm-agent") is None
    record.severity = "critical"
    note = notification(record, "app-llm-agent")
    assert note["severity"] == "CRITICAL" and note["category"] == "anomaly"
    assert note["labels"] == ["lounge-thermostat", "Temperature"]
    record.severity = "warning"
    assert notification(record, "s")["severity"] == "NORMAL"


def test_queue_overflow_is_counted_never_blocks_and_the_rest_is_delivered():
    metrics = Metrics()
    delivered = []
    q = TriageQueue(Triager(None), delivered.append, size=3, metrics=metrics)
    results = [q.submit(facts(value=float(i))) for i in range(10)]   # no worker running
    assert results == [True] * 3 + [False] * 7
    assert q.dropped == 7 and metrics.counter("TriageDropped").value == 7
    assert metrics.gauge("TriageQueueDepth").value == 3
    while q.process_one(timeout=0.01):
        pass
    assert [r.facts.value for r in delivered] == [0.0, 1.0, 2.0]
    assert metrics.gauge("TriageQueueDepth").value == 0


def test_worker_survives_a_failing_delivery(caplog):
    delivered = []

    def deliver(record):
        if record.facts.value == 1.0:
            raise RuntimeError("bus down")
        delivered.append(record)
    q = TriageQueue(Triager(None), deliver, size=5)
    for v in (1.0, 2.0):
        q.submit(facts(value=v))
    q.process_one(0.01)
    q.process_one(0.01)
    assert [r.facts.value for r in delivered] == [2.0]
    assert "cid-1" in "".join(getattr(r, "correlation_id", "") for r in caplog.records)


def test_queued_text_job_is_published_only_when_resolve_text_says_so():
    """The queue is generic: resolve_text (the feature's text judge) decides what is published."""
    delivered = []
    q = TriageQueue(Triager(None), delivered.append, size=10,
                    resolve_text=lambda f: f if f.value == "FAULT E42" else None)
    for text in ("OK", "FAULT E42"):
        q.submit(facts("text", value=text), classify=True)
    while q.process_one(0.01):
        pass
    assert [r.facts.value for r in delivered] == ["FAULT E42"]
