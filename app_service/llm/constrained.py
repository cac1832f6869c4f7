"""Value specs for constrained extraction, and the pure prefix logic that makes decoding valid.

``extract`` (model.py) decodes token by token; at every step only tokens that keep the text a
prefix of some valid value are allowed, and stopping is allowed only on a complete valid value.
So whatever the model prefers, the result is within the spec by construction.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Sequence

_NUMBER_CHARS = re.compile(r"^ ?[0-9.\-]+$")


@dataclass(frozen=True)
class IntegerSpec:
    minimum: int
    maximum: int

    def __post_init__(self):
        if self.minimum > self.maximum:
            raise ValueError(f"IntegerSpec minimum {self.minimum} > maximum {self.maximum}")


@dataclass(frozen=True)
class DecimalSpec:
    minimum: float | Decimal
    maximum: float | Decimal
    places: int = 2

    def __post_init__(self):
        if Fraction(str(self.minimum)) > Fraction(str(self.maximum)):
            raise ValueError(f"DecimalSpec minimum {self.minimum} > maximum {self.maximum}")
        if not 0 <= self.places <= 12:
            raise ValueError("DecimalSpec places must be between 0 and 12")


@dataclass(frozen=True)
class EnumSpec:
    values: tuple[str, ...]

    def __init__(self, values: Sequence[str]):
        object.__setattr__(self, "values", tuple(str(v) for v in values))
        if not self.values or len(set(self.values)) != len(self.values):
            raise ValueError("EnumSpec needs distinct values")


@dataclass(frozen=True)
class Extracted:
    """A constrained value: ``value`` typed (int, Decimal or str), ``text`` as decoded and the
    model's probability of that text under the constraint."""
    value: Any
    text: str
    probability: float


class NumberGrammar:
    """Prefix rules for numbers in [minimum, maximum] with at most ``places`` decimals.

    Accepted spelling: optional '-', digits without leading zeros, optional '.' and 1..places
    digits; "-0" is not a number we produce.
    """

    def __init__(self, minimum: Any, maximum: Any, places: int):
        self.low = Fraction(str(minimum))
        self.high = Fraction(str(maximum))
        self.places = places
        self.step = Fraction(1, 10 ** places)
        biggest = max(abs(self.low), abs(self.high))
        self.max_int_digits = max(1, len(str(math.floor(biggest))))

    @classmethod
    def for_spec(cls, spec: IntegerSpec | DecimalSpec) -> "NumberGrammar":
        if isinstance(spec, IntegerSpec):
            return cls(spec.minimum, spec.maximum, 0)
        return cls(spec.minimum, spec.maximum, spec.places)

    def _parts(self, text: str):
        negative = text.startswith("-")
        body = text[1:] if negative else text
        whole, dot, fraction = body.partition(".")
        if not whole.isdigit() and whole != "":
            return None
        if fraction and not fraction.isdigit():
            return None
        if dot and (self.places == 0 or whole == ""):
            return None
        if len(fraction) > self.places or len(whole) > self.max_int_digits:
            return None
        if len(whole) > 1 and whole[0] == "0":
            return None
        return negative, whole, bool(dot), fraction

    def _has_value_in(self, low: Fraction, high: Fraction) -> bool:
        low, high = max(low, self.low), min(high, self.high)
        if low > high:
            return False
        return math.ceil(low / self.step) * self.step <= high

    def _magnitudes(self, whole: str, dot: bool, fraction: str):
        """Intervals of magnitudes reachable by completing an unsigned prefix."""
        top = Fraction(1) - self.step  # largest fractional part we can still add
        if dot or fraction:
            base = Fraction(int(whole)) + (Fraction(int(fraction), 10 ** len(fraction))
                                           if fraction else 0)
            span = Fraction(1, 10 ** len(fraction)) - self.step
            yield base, base + max(span, Fraction(0))
            return
        if whole == "":
            yield Fraction(0), Fraction(10 ** self.max_int_digits) - self.step
            return
        if whole == "0":
            yield Fraction(0), top
            return
        for extra in range(self.max_int_digits - len(whole) + 1):
            start = Fraction(int(whole) * 10 ** extra)
            yield start, start + 10 ** extra - self.step

    def can_extend(self, text: str) -> bool:
        """True when ``text`` is a prefix of at least one valid value."""
        parts = self._parts(text)
        if parts is None:
            return False
        negative, whole, dot, fraction = parts
        for low, high in self._magnitudes(whole, dot, fraction):
            if negative:
                low, high = -high, -low
                if high == 0:  # only "-0" would fit, which is not a spelling we accept
                    high = -self.step
            if self._has_value_in(low, high):
                return True
        return False

    def value(self, text: str) -> Fraction | None:
        """The value of a complete, valid spelling; None otherwise."""
        parts = self._parts(text)
        if parts is None:
            return None
        negative, whole, dot, fraction = parts
        if whole == "" or (dot and not fraction):
            return None
        number = Fraction(int(whole)) + (Fraction(int(fraction), 10 ** len(fraction))
                                         if fraction else 0)
        if negative:
            if number == 0:
                return None
            number = -number
        return number if self.low <= number <= self.high else None


def numeric_candidates(token_texts: Sequence[str]) -> dict[int, str]:
    """Token ids whose text could be part of a number (an optional leading space allowed)."""
    return {i: t for i, t in enumerate(token_texts) if t and _NUMBER_CHARS.match(t)}


def allowed_number_tokens(grammar: NumberGrammar, prefix: str,
                          candidates: dict[int, str]) -> dict[int, str]:
    """Next tokens that keep ``prefix`` extendable; a leading space only on the first token."""
    allowed = {}
    for token_id, text in candidates.items():
        if text.startswith(" "):
            if prefix:
                continue
            text = text[1:]
        if grammar.can_extend(prefix + text):
            allowed[token_id] = text
    return allowed


def typed_value(spec: IntegerSpec | DecimalSpec, value: Fraction) -> int | Decimal:
    if isinstance(spec, IntegerSpec):
        return int(value)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(1).scaleb(-spec.places))
