"""The number grammar behind extract(): prefixes and values, exhaustively and by property."""
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from app_service.llm.constrained import (DecimalSpec, EnumSpec, IntegerSpec, NumberGrammar,
                                         allowed_number_tokens, numeric_candidates, typed_value)


@pytest.mark.parametrize("spec,text,value", [
    (IntegerSpec(5, 30), "22", 22), (IntegerSpec(5, 30), "5", 5), (IntegerSpec(5, 30), "30", 30),
    (IntegerSpec(5, 30), "31", None), (IntegerSpec(5, 30), "4", None),
    (IntegerSpec(5, 30), "022", None), (IntegerSpec(-10, 10), "-3", -3),
    (IntegerSpec(-10, 10), "-0", None), (IntegerSpec(-10, 10), "0", 0),
    (IntegerSpec(0, 100), "2.5", None), (IntegerSpec(0, 100), "", None),
    (DecimalSpec(0, 1, 2), "0.25", Fraction(1, 4)), (DecimalSpec(0, 1, 2), "0.255", None),
    (DecimalSpec(0, 1, 2), "0.", None), (DecimalSpec(-1, 1, 1), "-0.5", Fraction(-1, 2)),
    (DecimalSpec(16.5, 30, 1), "16", None), (DecimalSpec(16.5, 30, 1), "16.5", Fraction(33, 2)),
])
def test_values(spec, text, value):
    assert NumberGrammar.for_spec(spec).value(text) == value


@pytest.mark.parametrize("spec,text,ok", [
    (IntegerSpec(5, 30), "", True), (IntegerSpec(5, 30), "3", True),  # 30
    (IntegerSpec(5, 30), "4", False), (IntegerSpec(5, 30), "-", False),
    (IntegerSpec(5, 30), "0", False), (IntegerSpec(100, 250), "2", True),
    (IntegerSpec(100, 250), "26", False), (IntegerSpec(-20, -5), "-", True),
    (IntegerSpec(-20, -5), "-2", True), (IntegerSpec(-20, -5), "-3", False),
    (DecimalSpec(0, 1, 2), "0.", True), (DecimalSpec(0, 1, 2), "1.", True),
    (DecimalSpec(0, 1, 2), "1.1", False), (DecimalSpec(0.5, 0.6, 2), "0.6", True),
    (DecimalSpec(0.5, 0.6, 2), "0.7", False), (IntegerSpec(0, 9), "0.", False),
])
def test_can_extend(spec, text, ok):
    assert NumberGrammar.for_spec(spec).can_extend(text) is ok


def _walk(grammar, alphabet, prefix="", depth=8):
    """Every string reachable through can_extend; yields the complete ones."""
    if grammar.value(prefix) is not None:
        yield prefix
    if depth == 0:
        return
    for ch in alphabet:
        if grammar.can_extend(prefix + ch):
            yield from _walk(grammar, alphabet, prefix + ch, depth - 1)


@settings(max_examples=60, deadline=None)
@given(st.integers(-300, 300), st.integers(0, 300), st.integers(0, 2))
def test_grammar_reaches_exactly_the_valid_values(low, width, places):
    high = low + width
    spec = IntegerSpec(low, high) if places == 0 else DecimalSpec(low, high, places)
    grammar = NumberGrammar.for_spec(spec)
    step = Fraction(1, 10 ** places)
    reached = {grammar.value(t) for t in _walk(grammar, "0123456789.-", depth=8)}
    expected = {Fraction(low) + i * step for i in range(int(width / step) + 1)}
    if len(expected) <= 2000:
        assert reached == expected
    assert all(Fraction(low) <= v <= Fraction(high) for v in reached)


def test_dead_ends_are_never_allowed():
    grammar = NumberGrammar.for_spec(IntegerSpec(5, 30))
    for text in _walk(grammar, "0123456789.-"):
        # every reachable prefix can still be completed
        assert any(True for _ in _walk(grammar, "0123456789", text, depth=2))


def test_token_filter_allows_leading_space_only_first():
    candidates = numeric_candidates(["", " 2", "2", "25", ".", "-", "a", " 3x", "22.5"])
    assert candidates == {1: " 2", 2: "2", 3: "25", 4: ".", 5: "-", 8: "22.5"}
    grammar = NumberGrammar.for_spec(IntegerSpec(5, 30))
    assert allowed_number_tokens(grammar, "", candidates) == {1: "2", 2: "2", 3: "25"}
    assert allowed_number_tokens(grammar, "2", candidates) == {2: "2"}  # "225" > 30


def test_typed_values_and_spec_validation():
    assert typed_value(IntegerSpec(0, 9), Fraction(7)) == 7
    assert typed_value(DecimalSpec(0, 9, 2), Fraction(1, 4)) == Decimal("0.25")
    with pytest.raises(ValueError):
        IntegerSpec(5, 1)
    with pytest.raises(ValueError):
        DecimalSpec(0, 1, 20)
    with pytest.raises(ValueError):
        EnumSpec(["a", "a"])
    assert EnumSpec(["on", "off"]).values == ("on", "off")
