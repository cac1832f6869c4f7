"""EdgeX logfmt output and Writable.LogLevel."""
import io
import logging
import re

import pytest

from app_service.errors import ConfigError
from app_service.logging_setup import TRACE, configure_logging, rfc3339_nanos, set_level

LINE = re.compile(r'^level=(?P<level>\w+) ts=(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) '
                  r'app=(?P<app>\S+) source=(?P<source>\S+)(?: correlation-id=(?P<cid>\S+))? '
                  r'msg="(?P<msg>.*)"$')


@pytest.fixture
def captured():
    stream = io.StringIO()
    handler = configure_logging("app-test", "TRACE", stream)
    yield stream
    logging.getLogger().removeHandler(handler)
    set_level("WARN")


def lines(stream):
    return [LINE.match(line) for line in stream.getvalue().splitlines()]


def test_line_shape_and_fields(captured):
    logging.getLogger("x").info("hello %s", "world", extra={"correlation_id": "cid-1"})
    (match,) = lines(captured)
    assert match, captured.getvalue()
    assert match["level"] == "INFO" and match["app"] == "app-test"
    assert match["source"].startswith("test_logging.py:") and match["cid"] == "cid-1"
    assert match["msg"] == "hello world"


@pytest.mark.parametrize("emit, level", [
    (lambda lg: lg.log(TRACE, "t"), "TRACE"),
    (lambda lg: lg.debug("d"), "DEBUG"),
    (lambda lg: lg.warning("w"), "WARN"),
    (lambda lg: lg.error("e"), "ERROR"),
    (lambda lg: lg.critical("c"), "ERROR"),
])
def test_edgex_level_names(captured, emit, level):
    emit(logging.getLogger("x"))
    assert lines(captured)[0]["level"] == level


def test_quotes_newlines_and_tracebacks_stay_on_one_line(captured):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("x").exception('said "hi"\nthen')
    out = captured.getvalue()
    assert out.count("\n") == 1
    msg = lines(captured)[0]["msg"]
    assert msg.startswith('said \\"hi\\"\\nthen\\nTraceback') and "ValueError: boom" in msg


@pytest.mark.parametrize("level, shown, hidden", [
    ("ERROR", "error", "warning"),
    ("WARN", "warning", "info"),
    ("INFO", "info", "debug"),
    ("DEBUG", "debug", None),
])
def test_log_level_filters(captured, level, shown, hidden):
    set_level(level)
    logger = logging.getLogger("x")
    getattr(logger, shown)("visible")
    if hidden:
        getattr(logger, hidden)("invisible")
    assert "visible" in captured.getvalue() and "invisible" not in captured.getvalue()


def test_bad_level_is_config_error():
    with pytest.raises(ConfigError, match="Writable.LogLevel"):
        set_level("VERBOSE")


def test_configure_twice_keeps_one_handler(captured):
    configure_logging("app-test", "INFO", captured)
    logging.getLogger("x").info("once")
    assert captured.getvalue().count("once") == 1


def test_timestamp_has_nanoseconds():
    assert rfc3339_nanos(1_795_950_610_391_180_654) == "2026-11-29T11:10:10.391180654Z"
