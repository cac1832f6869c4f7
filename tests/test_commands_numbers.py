"""Numbers, units, conversions and value spelling for the command interpreter (tables)."""
import pytest

from app_service.commands.numbers import (cn_to_number, convert, edgex_string, find_quantities,
                                          normalise_numbers, precision_for, round_half_away)


@pytest.mark.parametrize("text, expected", [
    ("twenty and a half degrees", "20.5 degrees"),
    ("two and a half bar", "2.5 bar"),
    ("bump it up half a degree", "bump it up 0.5 degree"),
    ("tilt to minus 30 degrees", "tilt to -30 degrees"),
    ("conveyor #2 speed 0.8", "conveyor 2 speed 0.8"),
    ("one point five", "1.5"),
    ("a hundred and five", "a 105"),
    ("ninety-nine", "99"),
    ("卧室温度调到二十二度", "卧室温度调到22度"),
    ("亮度调到百分之六十", "亮度调到60%"),
    ("湿度降低5个百分点", "湿度降低5%"),
    ("调高十个百分点", "调高10%"),
    ("调低二十百分点", "调低20%"),
    ("调高两度", "调高2度"),
    ("两度半", "2.5度"),
    ("打开一半", "打开halfway"),
    ("再亮一点", "再亮一点"),          # 一点 = "a bit", not 1.
    ("开一下", "开一下"),
    ("百叶窗", "百叶窗"),              # a word, not the number 100
    ("三点五巴", "3.5巴"),
    ("零下五度", "-5度"),
    ("一点五米每秒", "1.5米每秒"),
    ("调高一点", "调高一点"),
])
def test_normalise_numbers(text, expected):
    assert normalise_numbers(text) == expected


@pytest.mark.parametrize("text, value", [
    ("二十二", 22), ("十", 10), ("十五", 15), ("一百零五", 105), ("两", 2), ("三点五", 3.5),
    ("七十", 70), ("一千二百", 1200), ("天", None), ("三千五", 3500), ("一百五", 150),
    ("一百零五", 105), ("两万五", 25000),
])
def test_chinese_numerals(text, value):
    assert cn_to_number(text) == value


@pytest.mark.parametrize("text, units, expected", [
    ("68 fahrenheit", "°C", 20.0),
    ("72°f", "°C", 22.22),
    ("72 degrees f", "°C", 22.22),
    ("72f", "°C", 22.22),
    ("21.5 degrees c", "°C", 21.5),
    ("华氏70度", "°C", 21.11),
    ("50 psi", "bar", 3.447),
    ("300 kpa", "bar", 3.0),
    ("2 atmospheres", "bar", 2.0265),
    ("0.5 mpa", "bar", 5.0),
    ("90 meters per minute", "m/s", 1.5),
    ("每分钟60米", "m/s", 1.0),
    ("每小时4公里", "m/s", 1.1111),
    ("三百千帕", "bar", 3.0),
    ("3 feet per second", "m/s", 0.9144),
    ("4 km/h", "m/s", 1.1111),
    ("250 mireds", "K", 4000.0),
    ("370 mired", "K", 2702.7),
    ("5000 kelvin", "K", 5000.0),
    ("30 degrees", "°", 30.0),
    ("22 degrees", "°C", 22.0),
    ("22", "°C", 22.0),
    ("2 gallons per minute", "L/min", 7.57),
    ("24 amps", "A", 24.0),
    ("2 gallons", "L/min", None),    # a unit we do not convert is never a bare number
    ("50 lux", "%", None),
    ("5 bar", "m/s", None),          # wrong family: no silent reinterpretation
    ("72 fahrenheit", "%", None),
])
def test_convert(text, units, expected):
    quantity = find_quantities(normalise_numbers(text))[-1]
    value = convert(quantity, units, angle_resource=units == "°")
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected, abs=0.01)


def test_fahrenheit_difference_has_no_offset():
    quantity = find_quantities("9 fahrenheit")[0]
    assert convert(quantity, "°C", delta=True) == pytest.approx(5.0)


@pytest.mark.parametrize("value_type, units, places", [
    ("Float32", "°C", 1), ("Float32", "m/s", 2), ("Float32", "bar", 2), ("Uint8", "%", 0),
    ("Uint16", "K", 0), ("Int8", "°", 0),
])
def test_precision(value_type, units, places):
    assert precision_for(value_type, units) == places


@pytest.mark.parametrize("value, places, expected", [
    (22.25, 1, 22.3), (3.445, 2, 3.45), (-2.5, 0, -3.0), (2702.7, 0, 2703.0), (0.9144, 2, 0.91),
])
def test_round_half_away_from_zero(value, places, expected):
    assert round_half_away(value, places) == expected


@pytest.mark.parametrize("value, value_type, text", [
    (30.0, "Uint8", "30"), (-30.0, "Int8", "-30"), (22.0, "Float32", "22.0"),
    (3.45, "Float32", "3.45"),
    (1.0, "Float64", "1.0"), (1e-05, "Float32", "0.00001"),
])
def test_edgex_spelling(value, value_type, text):
    assert edgex_string(value, value_type) == text
