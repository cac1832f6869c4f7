"""EdgeX topic building and AFS topic matching, quirks included (INTERFACES.md §1.2)."""
import pytest

from app_service.edgex.topics import (escape_name, event_topic, join_topic, topic_matches,
                                      unescape_name)


@pytest.mark.parametrize("patterns,topic,expected", [
    (["#"], "anything/at/all", True),
    (["edgex/events/device/svc/p/d/s"], "edgex/events/device/svc/p/d/s", True),
    (["edgex/events/device/svc/p/d/s"], "edgex/events/device/svc/p/d/s2", False),
    (["edgex/events/#"], "edgex/events/device/a/b/c/d", True),
    (["edgex/events/#"], "edgex/other/device", False),
    (["edgex/events/device/+/+/+/Int8"], "edgex/events/device/svc/p/d/Int8", True),
    (["edgex/events/device/+/+/+/Int8"], "edgex/events/device/svc/p/d/Int16", False),
    # AFS quirks: a mid-topic '#' acts like '+', and matching is a prefix match
    (["edgex/events/device/#/Random-Float-Device/#"],
     "edgex/events/device/svc/Random-Float-Device/x", True),
    (["a/+/c"], "a/b/c/d", True),
    (["a/+/c"], "a/b/cd", True),
    (["a/+/c/d"], "a/b/c", False),               # more pattern levels than topic levels
    (["x/y", "a/+"], "a/b", True),
])
def test_topic_matches(patterns, topic, expected):
    assert topic_matches(topic, patterns) is expected


@pytest.mark.parametrize("prefix,levels,expected", [
    ("edgex", ("events/#",), "edgex/events/#"),
    ("edgex/", ("/rules-events",), "edgex/rules-events"),
    ("", ("rules-events",), "rules-events"),
    ("a/b", ("c", "d"), "a/b/c/d"),
])
def test_join_topic(prefix, levels, expected):
    assert join_topic(prefix, *levels) == expected


def test_escape_name_matches_edgex_url_encode():
    assert escape_name("Random-Float_Device.1~x") == "Random%2DFloat%5FDevice%2E1%7Ex"
    assert escape_name("a b/c+d") == "a%20b%2Fc%2Bd"
    assert escape_name("plain") == "plain"
    assert unescape_name(escape_name("a-b/c d")) == "a-b/c d"


def test_event_topic():
    assert event_topic("edgex", "device-virtual", "P", "D", "S") == \
        "edgex/events/device/device-virtual/P/D/S"
    assert event_topic("edgex", "svc", "p.x", "d", "s", escape=True) == \
        "edgex/events/device/svc/p%2Ex/d/s"
