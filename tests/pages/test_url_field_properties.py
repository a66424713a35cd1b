"""Every page's URL fields take any text a link can carry: property tests (hypothesis).

A shared link is typed, cut and pasted, or edited by hand. Whatever its text, a field's
``decode`` either returns a value or raises ValueError/TypeError, the two that
``state.restore`` turns into the default (anything else is a traceback on the projector: a
depth of ``1e400`` once raised OverflowError). What it returns lies within the field's range,
and writing it back to the URL gives a link that reads back the same.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pages._common import state
from tests.pages.test_url_page_properties import PAGES

FIELDS = [field for fields in PAGES.values() for field in fields]
KINDS = sorted({type(field).__name__ for field in FIELDS})

NUMBER = st.from_regex(
    r"[-+]?(\d{1,20}(\.\d{0,20})?|\.\d{1,20})([eE][-+]?\d{1,4})?", fullmatch=True
)
SPECIAL = st.sampled_from(
    ["", " ", "inf", "-inf", "nan", "NaN", "1e400", "-1e400", "1e-400", "0x10", "1_000", "+0",
     "-0", "true", "False", "None", "[]", "{}", ",", ",,", "1,", ",1", "1,2,3", "１２", "½",
     "%00", "\x00", "a" * 400]
)  # fmt: skip


def texts_for(field: state.Field):
    """Text a link may carry for ``field``: anything at all, numbers of every size, special
    words, and the field's own choices, alone or joined by commas."""
    choices = list(getattr(field, "choices", ())) or ["x"]
    piece = st.one_of(
        NUMBER, SPECIAL, st.floats().map(repr), st.sampled_from(choices), st.text(max_size=12)
    )
    return st.one_of(
        st.text(max_size=60),
        piece,
        st.lists(piece, min_size=1, max_size=4).map(",".join),
        # Two numbers a hair apart, as a range: "1.0000001,1.0000002".
        st.floats(-30, 30).map(lambda x: f"{x!r},{x * (1 + 1e-7) + 1e-9!r}"),
    )


def _field(kind: str, data) -> state.Field:
    return data.draw(st.sampled_from([f for f in FIELDS if type(f).__name__ == kind]))


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-12)
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_every_kind_of_field_is_drawn_from():
    """The kinds below are the ones the pages declare (a new kind is tested once it is used)."""
    assert set(KINDS) >= {"FloatField", "IntField", "BoolField", "ChoiceField", "TextField"}
    assert len(FIELDS) > 100


def _decoded(kind: str, data):
    """A field of this kind, a text for it, and what it decodes to; None when it is refused
    with ValueError or TypeError (the two that restore turns into the default)."""
    field = _field(kind, data)
    text = data.draw(texts_for(field), label="text")
    try:
        return field, text, field.decode(text)
    except (ValueError, TypeError):
        return None


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_decode_returns_a_value_in_range_or_raises_what_restore_catches(kind, data):
    if (decoded := _decoded(kind, data)) is None:
        return
    field, text, value = decoded
    low, high = getattr(field, "low", None), getattr(field, "high", None)
    numbers = value if isinstance(value, tuple) else (value,)
    for number in numbers:
        if isinstance(number, int | float) and not isinstance(number, bool):
            assert math.isfinite(number), (field.key, text, value)
            if low is not None:
                assert low <= number <= high, (field.key, text, value)


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_a_decoded_value_written_back_to_the_link_reads_back_the_same(kind, data):
    if (decoded := _decoded(kind, data)) is None:
        return
    field, text, value = decoded
    written = field.encode(value)
    again = field.decode(written)  # must not raise: the app wrote this link itself
    assert _same(again, value), (field.key, text, written, again)
    assert field.encode(again) == written


@pytest.mark.parametrize("text", ["1e400", "-1e400", "inf", "nan"])
def test_an_integer_field_refuses_a_number_that_is_not_finite(text):
    """``int(float("1e400"))`` raises OverflowError, which restore did not catch: the
    activation explorer opened from ``?act_depth=1e400`` showed a traceback."""
    for field in (f for f in FIELDS if isinstance(f, state.IntField)):
        with pytest.raises(ValueError):
            field.decode(text)


@given(data=st.data())
def test_url_notes_never_raise_and_speak_of_the_keys_they_were_given(data):
    picked = st.lists(st.integers(0, len(FIELDS) - 1), min_size=1, max_size=5, unique=True)
    fields = [FIELDS[i] for i in data.draw(picked, label="fields")]
    params = {f.key: data.draw(texts_for(f)) for f in fields}
    notes = state.url_notes(fields, params)
    assert all(isinstance(note, str) and note for note in notes)
    assert len(notes) <= len(params)
    for note in notes:
        assert any(key in note for key in params), note
