"""The exceptions the service raises, as one small tree.

* AppServiceError
  + ConfigError        a configuration value is invalid (start-up stops with exit code 1)
  + PayloadError       an envelope, event or request body cannot be decoded
  + ProfileError       a device profile or device definition is invalid
  + CommandError       core-command (or the bus command path) refused or failed a call
  + ModelError         the language model is missing, corrupt, busy or timed out
"""
from __future__ import annotations


class AppServiceError(Exception):
    """Base class of every error this service raises on purpose."""


class ConfigError(AppServiceError):
    """A configuration key holds a value we cannot accept.

    The message names the key, the value and what is accepted, so an operator can fix it
    without reading code.
    """

    def __init__(self, key: str, value: object, accepted: str):
        self.key = key
        self.value = value
        self.accepted = accepted
        super().__init__(f"invalid configuration {key}={value!r}: expected {accepted}")


class PayloadError(AppServiceError):
    """A message or request body cannot be decoded."""


class ProfileError(AppServiceError):
    """A device profile or device definition breaks EdgeX's rules.

    ``source`` is the file (or core-metadata) it came from, ``field`` the offending field path.
    """

    def __init__(self, source: str, field: str, problem: str):
        self.source = source
        self.field = field
        self.problem = problem
        super().__init__(f"{source}: {field}: {problem}")


class CommandError(AppServiceError):
    """core-command answered with an error, or could not be reached.

    ``status`` is the HTTP status (or the EdgeX errorCode mapped onto one); 0 when unreachable.
    """

    def __init__(self, message: str, status: int = 0):
        self.status = status
        super().__init__(message)


class ModelError(AppServiceError):
    """The language model cannot serve the request (missing, corrupt, overloaded, timed out)."""
