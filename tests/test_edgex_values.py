"""Reading values: parse what EdgeX writes, format what EdgeX would write."""
import math

import pytest

from app_service.edgex.values import (format_value, go_percent_e, go_shortest_e,
                                      normalize_value_type, parse_value)
from app_service.errors import PayloadError


@pytest.mark.parametrize("value_type,text,expected", [
    ("Bool", "true", True), ("Bool", "False", False), ("Bool", "1", True), ("Bool", "f", False),
    ("String", "  spaced ", "  spaced "),
    ("Int8", "-128", -128), ("Int8", "127", 127), ("Int16", "+300", 300),
    ("Int64", "-9223372036854775808", -(1 << 63)), ("Uint8", "255", 255),
    ("Uint64", "18446744073709551615", (1 << 64) - 1),
    ("Float64", "1.234500e+01", 12.345), ("Float64", "1.25e+01", 12.5), ("Float64", "12.5", 12.5),
    ("Float64", "1.0625056809966731e+308", 1.0625056809966731e+308),
    ("Float32", "1.7966872e+38", 1.7966872e+38), ("Float32", "-1.4917418e+37", -1.4917418e+37),
    ("Int8Array", "[1, 2, -3]", [1, 2, -3]), ("Uint8Array", "[0, 1, 2]", [0, 1, 2]),
    ("Float32Array", "[1.250000e+01, 2e+00]", [12.5, 2.0]),
    ("BoolArray", "[true, false]", [True, False]),
    ("StringArray", "[a, b c]", ["a", "b c"]), ("StringArray", '["a,b","c"]', ["a,b", "c"]),
    ("Int32Array", "[]", []),
])
def test_parse_value(value_type, text, expected):
    assert parse_value(value_type, text) == expected


def test_parse_special_floats():
    assert math.isnan(parse_value("Float64", "NaN"))
    assert parse_value("Float64", "+Inf") == math.inf


@pytest.mark.parametrize("value_type,text", [
    ("Bool", "yes"), ("Bool", ""), ("Int8", "128"), ("Int8", "-129"), ("Int8", "1.0"),
    ("Int16", " 1"), ("Int32", "1_000"), ("Uint8", "-1"), ("Uint8", "+1"), ("Uint16", "65536"),
    ("Int64", "9223372036854775808"), ("Float64", "abc"), ("Float64", " 1.0"),
    ("Float64", "1_0.0"), ("Float32", "1e39"), ("Int8Array", "1, 2"), ("Int8Array", "[1, x]"),
    ("Binary", "abc"), ("Int8", None),
])
def test_parse_value_rejects(value_type, text):
    with pytest.raises(PayloadError):
        parse_value(value_type, text)


@pytest.mark.parametrize("number,percent_e,shortest64,shortest32", [
    (12.5, "1.250000e+01", "1.25e+01", "1.25e+01"),
    (1.0, "1.000000e+00", "1e+00", "1e+00"),
    (0.1, "1.000000e-01", "1e-01", "1e-01"),
    (-1.4917418e+37, "-1.491742e+37", "-1.4917418e+37", "-1.4917418e+37"),
    (1.0625056809966731e+308, "1.062506e+308", "1.0625056809966731e+308", None),
    (123456789.0, "1.234568e+08", "1.23456789e+08", "1.2345679e+08"),
    (math.inf, "+Inf", "+Inf", "+Inf"), (-math.inf, "-Inf", "-Inf", "-Inf"),
])
def test_go_float_formats(number, percent_e, shortest64, shortest32):
    assert go_percent_e(number) == percent_e
    assert go_shortest_e(number, 64) == shortest64
    if shortest32 is not None:
        assert go_shortest_e(number, 32) == shortest32


def test_go_float_format_round_trips():
    for number in (3.141592653589793, 2.5e-300, 6.02214076e23, -0.0001234):
        assert float(go_shortest_e(number)) == number


@pytest.mark.parametrize("value_type,value,shortest,expected", [
    ("Bool", True, False, "true"), ("Int16", -5, False, "-5"),
    ("Uint64", (1 << 64) - 1, False, "18446744073709551615"),
    ("Float64", 12.5, False, "1.250000e+01"), ("Float64", 12.5, True, "1.25e+01"),
    ("Float32Array", [12.5, 1.0], False, "[1.250000e+01, 1.000000e+00]"),
    ("Int8Array", [1, 2, 3], False, "[1, 2, 3]"),
    ("StringArray", ["a", "b"], False, "[a, b]"), ("StringArray", ["a", "b"], True, '["a","b"]'),
    ("String", "x y", False, "x y"),
])
def test_format_value(value_type, value, shortest, expected):
    text = format_value(value_type, value, shortest_floats=shortest)
    assert text == expected
    assert parse_value(value_type, text) == value


@pytest.mark.parametrize("value_type,value", [("Bool", 1), ("Int8", 1.5), ("Int8", True),
                                              ("Binary", b"x")])
def test_format_value_rejects(value_type, value):
    with pytest.raises(PayloadError):
        format_value(value_type, value)


def test_value_type_normalised_case_insensitively():
    assert normalize_value_type("float32array") == "Float32Array"
    assert normalize_value_type("OBJECT") == "Object"
    with pytest.raises(PayloadError):
        normalize_value_type("Float128")
