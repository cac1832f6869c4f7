"""Streaming anomaly detection with LLM triage (docs/anomaly.md)."""
from .detector import DetectorSettings, StreamDetector
from .streams import StreamRegistry
from .wiring import AnomalyFeature, install

__all__ = ["AnomalyFeature", "DetectorSettings", "StreamDetector", "StreamRegistry", "install"]
