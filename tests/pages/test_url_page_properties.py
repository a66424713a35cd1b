"""Every page opens from any link without a traceback: property tests (hypothesis) that open
each page with several of its URL fields set to hostile text (numbers too large for a float,
``nan``, empty ranges, unknown choices, stray characters), plus the language and projector
switches. The page must run to its end: no exception, and its title drawn."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pages._common import state
from pages._common.keys import (
    activations,
    gradient_flow,
    landscape,
    lessons,
    playground,
    race,
    sequences,
)
from tests.helpers import assert_no_exception, page_test

PAGES = {
    "home": [],
    "playground": playground.FIELDS,
    "activations": activations.FIELDS,
    "gradient_flow": gradient_flow.FIELDS,
    "race": race.FIELDS,
    "sequences": sequences.FIELDS,
    "landscape": landscape.FIELDS,
    "lessons": lessons.FIELDS,
}
HOSTILE = st.one_of(
    st.sampled_from(
        ["", "1e400", "-1e400", "nan", "inf", "-0", "1e-400", "0x10", "1,", ",", "1,1",
         "5,-5", "3,3,3", "none", "ΔΣ", "\x00", "a" * 301, "999999999999", "-999999999999"]
    ),
    st.text(max_size=20),
)  # fmt: skip


def params_for(page: str):
    """Up to four of the page's fields with hostile values, with or without the switches."""
    keys = [field.key for field in PAGES[page]] or ["unknown"]
    fields = st.dictionaries(st.sampled_from(keys), HOSTILE, max_size=4)
    switches = st.fixed_dictionaries(
        {}, optional={"lang": st.sampled_from(["zh", "en", "fr", ""]), "present": HOSTILE}
    )
    return st.tuples(fields, switches).map(lambda both: {**both[0], **both[1]})


@pytest.mark.slow
@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_opens_from_a_hostile_link(page):
    @settings(max_examples=6)
    @given(params=params_for(page))
    def opens(params):
        at = page_test(page, params).run()
        assert_no_exception(at)
        assert at.title, (page, params)  # the page ran to its first heading at least

    opens()


@pytest.mark.parametrize("end", ["low", "high"])
@pytest.mark.parametrize("page", [page for page, fields in PAGES.items() if fields])
def test_a_page_opens_with_every_number_in_its_link_at_one_end_of_its_range(page, end):
    """A field's range is what a link may set, so it must lie within its widget's: the
    playground's steps went down to 1 in the link and to 10 on the slider, and
    ``?pg_steps=1`` raised StreamlitValueBelowMinError."""
    numbers = [f for f in PAGES[page] if isinstance(f, state.IntField | state.FloatField)]
    at = page_test(page, {f.key: f.encode(getattr(f, end)) for f in numbers}).run()
    assert_no_exception(at)
    assert at.title
