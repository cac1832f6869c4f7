"""Reading values as EdgeX writes them (always strings) and as Python uses them.

EdgeX device services put every simple value into the reading's ``value`` string
(``CC:dtos/reading.go convert*Value``): ints in decimal, bools as ``true``/``false``, floats in Go
``%e`` ("1.234500e+01", up to CC v4.0.2) or shortest ``'e'`` ("1.25e+01", CC v4.0.3), arrays as
"[1, 2, 3]" (StringArray as JSON from CC v4.0.3). Parsing accepts all of these, plus plain
decimals, the way Go's ``strconv`` does.
"""
from __future__ import annotations

import base64
import math
import re
import struct
from typing import Any

from ..errors import PayloadError
from . import _json

SIMPLE_TYPES = ("Bool", "String", "Uint8", "Uint16", "Uint32", "Uint64", "Int8", "Int16", "Int32",
                "Int64", "Float32", "Float64")
ARRAY_TYPES = tuple(t + "Array" for t in SIMPLE_TYPES)
VALUE_TYPES = SIMPLE_TYPES + ARRAY_TYPES + ("Binary", "Object", "ObjectArray")
_CANONICAL = {name.lower(): name for name in VALUE_TYPES}

_INT_BITS = {"Int8": 8, "Int16": 16, "Int32": 32, "Int64": 64}
_UINT_BITS = {"Uint8": 8, "Uint16": 16, "Uint32": 32, "Uint64": 64}
_DECIMAL = re.compile(r"[+-]?[0-9]+\Z")
_GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_GO_FALSE = {"0", "f", "F", "FALSE", "false", "False"}
_FLOAT32_MAX = 3.4028234663852886e38


def normalize_value_type(value_type: Any) -> str:
    """EdgeX accepts valueType case-insensitively and normalises it (``NormalizeValueType``)."""
    if isinstance(value_type, str):
        canonical = _CANONICAL.get(value_type.lower())
        if canonical:
            return canonical
    raise PayloadError(f"unknown valueType {value_type!r}")


def parse_value(value_type: str, text: str) -> Any:
    """The Python value of a simple or array reading's ``value`` string."""
    if value_type.endswith("Array") and value_type != "ObjectArray":
        return [_parse_scalar(value_type[:-5], item) for item in _split_array(value_type, text)]
    return _parse_scalar(value_type, text)


def _parse_scalar(value_type: str, text: Any) -> Any:
    if not isinstance(text, str):
        raise PayloadError(f"{value_type} value {text!r} is not a string")
    if value_type == "String":
        return text
    if value_type == "Bool":
        if text in _GO_TRUE:
            return True
        if text in _GO_FALSE:
            return False
        raise PayloadError(f"invalid Bool value {text!r}")
    bits = _INT_BITS.get(value_type)
    if bits is not None:
        return _parse_int(value_type, text, -(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    bits = _UINT_BITS.get(value_type)
    if bits is not None:
        if text.startswith(("-", "+")):
            raise PayloadError(f"invalid {value_type} value {text!r}")
        return _parse_int(value_type, text, 0, (1 << bits) - 1)
    if value_type in ("Float32", "Float64"):
        try:  # Go's ParseFloat takes no spaces or underscores, which Python's float() would
            number = float("x" if text != text.strip() or "_" in text else text)
        except ValueError:
            raise PayloadError(f"invalid {value_type} value {text!r}") from None
        if value_type == "Float32" and math.isfinite(number) and abs(number) > _FLOAT32_MAX:
            raise PayloadError(f"Float32 value {text!r} is out of range")
        return number
    raise PayloadError(f"valueType {value_type!r} has no simple value")


def _parse_int(value_type: str, text: str, low: int, high: int) -> int:
    if not _DECIMAL.match(text):
        raise PayloadError(f"invalid {value_type} value {text!r}")
    number = int(text)
    if not low <= number <= high:
        raise PayloadError(f"{value_type} value {text!r} is out of range")
    return number


def _split_array(value_type: str, text: Any) -> list[Any]:
    if not isinstance(text, str) or not (text.startswith("[") and text.endswith("]")):
        raise PayloadError(f"invalid {value_type} value {text!r}: expected [a, b, ...]")
    if value_type == "StringArray":
        try:  # CC v4.0.3 writes string arrays as JSON; older versions as "[a, b]"
            items = _json.loads(text)
            if isinstance(items, list) and all(isinstance(i, str) for i in items):
                return items
        except _json.DecodeError:
            pass
    inner = text[1:-1]
    if not inner.strip():
        return []
    return [item.strip() for item in inner.split(",")]


def format_value(value_type: str, value: Any, *, shortest_floats: bool = False) -> str:
    """Format a Python value as an EdgeX device service would.

    ``shortest_floats`` selects CC v4.0.3 (EdgeX 4.0.2) float formatting; the default is Go ``%e``
    as every 2.x/3.x/4.0.x-before-Palau service writes it.
    """
    if value_type.endswith("Array") and value_type != "ObjectArray":
        element = value_type[:-5]
        items = [format_value(element, v, shortest_floats=shortest_floats) for v in value]
        if element == "String" and shortest_floats:
            return _json.dumps(items).decode()
        return "[" + ", ".join(items) + "]"
    if value_type == "Bool":
        if not isinstance(value, bool):
            raise PayloadError(f"Bool value {value!r} is not a bool")
        return "true" if value else "false"
    if value_type == "String":
        return str(value)
    if value_type in _INT_BITS or value_type in _UINT_BITS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise PayloadError(f"{value_type} value {value!r} is not an integer")
        return str(value)
    if value_type in ("Float32", "Float64"):
        number = float(value)
        if shortest_floats:
            return go_shortest_e(number, 32 if value_type == "Float32" else 64)
        return go_percent_e(number)
    raise PayloadError(f"valueType {value_type!r} has no string value")


def go_percent_e(number: float) -> str:
    """Go ``fmt.Sprintf("%e", v)``: 6 decimals, exponent with sign and at least two digits."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    return "%e" % number


def go_shortest_e(number: float, bits: int = 64) -> str:
    """Go ``strconv.FormatFloat(v, 'e', -1, bits)``: the fewest digits that round-trip."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    if bits == 32:
        try:
            target = struct.unpack("f", struct.pack("f", number))[0]
        except OverflowError:
            raise PayloadError(f"{number!r} is out of Float32 range") from None
        for precision in range(0, 10):
            text = "%.*e" % (precision, target)
            if struct.unpack("f", struct.pack("f", float(text)))[0] == target:
                break
    else:
        text = "%.*e" % (16, number)
        for precision in range(0, 17):
            candidate = "%.*e" % (precision, number)
            if float(candidate) == number:
                text = candidate
                break
    mantissa, exponent = text.split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    sign = exponent[0]
    digits = exponent[1:].lstrip("0").rjust(2, "0")
    return f"{mantissa}e{sign}{digits}"


def decode_binary(value: Any) -> bytes:
    """``binaryValue``: base64 text in JSON, a byte string in CBOR."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise PayloadError("binaryValue is not valid base64") from None
    raise PayloadError(f"binaryValue {type(value).__name__} is neither bytes nor base64 text")
