"""The embedded EdgeX stand-in (core-command, core-metadata, core-data, support-notifications,
registry and virtual devices), written from ../shared/edgex/ independently of the service's decoders."""
from .standin import SERVICES, StandIn

__all__ = ["SERVICES", "StandIn"]
