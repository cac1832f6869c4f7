"""Pure functions: the facts of an anomaly, grounded explanations, prompts, and the outputs
(JSON record, EdgeX Event, support-notifications notification)."""
from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

SEVERITIES = ("info", "warning", "critical")
NOTIFY_SEVERITY = {"warning": "NORMAL", "critical": "CRITICAL"}
EVENT_PROFILE = "LLM-Anomaly"
EVENT_SOURCE = "Anomaly"


@dataclass(frozen=True)
class AnomalyFacts:
    """What the detector knows about one flagged reading (no model involved)."""
    device: str
    resource: str
    profile: str
    kind: str                      # limit | range | surprise | stuck | silence | text
    score: float
    value: Any
    origin_ns: int
    units: str = ""
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    recent: tuple[Any, ...] = ()
    correlation_id: str = ""
    evidence: str = ""             # text readings: what decided it (status word, model, ...)


@dataclass
class AnomalyRecord:
    facts: AnomalyFacts
    severity: str = "warning"
    severity_probabilities: dict[str, float] = field(default_factory=dict)
    explanation: str = ""
    action: str | None = None
    action_probability: float | None = None
    triaged_by: str = "rules"      # "model" when the language model chose
    actuation: dict[str, Any] | None = None   # set when auto-actuation was allowed and tried
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def to_dict(self) -> dict[str, Any]:
        facts = asdict(self.facts)
        facts["recent"] = list(self.facts.recent)
        return {"id": self.id, **facts, "severity": self.severity,
                "severityProbabilities": self.severity_probabilities,
                "explanation": self.explanation, "recommendedAction": self.action,
                "actionProbability": self.action_probability, "triagedBy": self.triaged_by,
                "actuation": self.actuation}


def _num(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _with_units(value: Any, units: str) -> str:
    return f"{_num(value)} {units}".strip()


def _limits(f: AnomalyFacts) -> str:
    if f.minimum is None and f.maximum is None:
        return "no limits in its profile"
    low = "-inf" if f.minimum is None else _num(f.minimum)
    high = "+inf" if f.maximum is None else _num(f.maximum)
    return f"profile limits {low} to {high} {f.units}".strip()


def explanation_options(f: AnomalyFacts) -> list[tuple[str, str]]:
    """True one-sentence explanations built from the facts, each with a short label; the model
    picks a label (short options keep constrained choice cheap), never writes the sentence."""
    what = f"{f.resource} on {f.device}"
    value = _with_units(f.value, f.units)
    options = []
    numeric = [v for v in f.recent if isinstance(v, (int, float))]
    if f.kind == "limit":
        options.append(("outside the limits", f"{what} read {value}, outside its {_limits(f)}."))
    if f.kind == "range":
        options.append(("never seen before",
                        f"{what} read {value}, beyond every value learned for it so far."))
    if f.kind == "stuck":
        options.append(("stuck sensor", f"{what} has repeated {value} for longer than ever "
                                        "before; the sensor may be stuck."))
    if f.kind == "silence":
        options.append(("no readings",
                        f"{f.device} has stopped sending {f.resource} readings ({f.value})."))
    if f.kind == "text":
        why = f" ({f.evidence})" if f.evidence else ""
        options.append(("unusual status", f"{what} reported the unusual status '{f.value}'{why}."))
    mean = sum(numeric) / len(numeric) if numeric else None
    if mean is not None and isinstance(f.value, (int, float)) and f.value != mean:
        direction = "above" if f.value > mean else "below"
        options.append((f"{direction} recent readings", f"{what} read {value}, {direction} its "
                        f"recent average of {_with_units(mean, f.units)}."))
    if not options or f.kind == "surprise":
        options.append(("unusual change", f"{what} read {value}, an unusual change for this "
                        f"stream (anomaly score {f.score:.2f})."))
    return options


def triage_prompt(f: AnomalyFacts, question: str) -> list[dict[str, str]]:
    recent = ", ".join(_num(v) for v in f.recent[-10:]) or "none"
    facts = (f"Device: {f.device} (profile {f.profile}). Resource: {f.resource}"
             f"{' - ' + f.description if f.description else ''}. Units: {f.units or 'none'}; "
             f"{_limits(f)}. Latest value: {_with_units(f.value, f.units)}. Recent readings: "
             f"{recent}. Detector finding: {f.kind}, score {f.score:.2f}.")
    return [{"role": "system", "content": "You triage anomalies from industrial IoT sensors."},
            {"role": "user", "content": f"{facts}\n{question}"}]


def rule_severity(f: AnomalyFacts) -> str:
    """Severity without a model (and the floor under the model's choice)."""
    if f.kind == "limit":
        return "critical"
    if f.kind in ("silence", "stuck", "range") or f.score >= 0.9:
        return "warning"
    return "info"


def notification(record: AnomalyRecord, sender: str) -> dict[str, Any] | None:
    """support-notifications payload for warning/critical records, None for info."""
    severity = NOTIFY_SEVERITY.get(record.severity)
    if severity is None:
        return None
    f = record.facts
    return {"category": "anomaly", "labels": [f.device, f.resource], "sender": sender,
            "severity": severity, "contentType": "text/plain",
            "content": f"[{record.severity}] {record.explanation}",
            "description": f"anomaly on {f.device}/{f.resource}"}


def anomaly_event(record: AnomalyRecord, event_cls: Any, reading_cls: Any) -> Any:
    """The EdgeX Event (profile LLM-Anomaly, source Anomaly) carrying the record as an Object."""
    f = record.facts
    now = time.time_ns()
    reading = reading_cls(id=str(uuid.uuid4()), origin=now, device_name=f.device,
                          resource_name=EVENT_SOURCE, profile_name=EVENT_PROFILE,
                          value_type="Object", value="", object_value=record.to_dict())
    return event_cls(id=str(uuid.uuid4()), device_name=f.device, profile_name=EVENT_PROFILE,
                     source_name=EVENT_SOURCE, origin=now, readings=[reading])


def clamp_severity(chosen: str, floor: str) -> str:
    return max(chosen, floor, key=SEVERITIES.index)


def ranked(options: Sequence[str], probabilities: Sequence[float]) -> dict[str, float]:
    return {o: round(float(p), 4) for o, p in zip(options, probabilities)}
