"""Every page takes any few of its settings, in any order, mid-session: a property test
(hypothesis). A visitor (or a preset, or a lesson's link) sets some of a page's fields to values
of their ranges, its ends included, one after the other, each followed by the page's run; the
page must raise nothing at any point. Nothing long is asked for (no Run button is pressed)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pages._common import state
from tests.helpers import assert_no_exception, page_test
from tests.pages.test_url_page_properties import PAGES


def values_of(field: state.Field):
    """Values of the field's own range: its ends, its default, and one between."""
    if isinstance(field, state.BoolField):
        return st.booleans()
    if isinstance(field, state.MultiChoiceField):
        return st.lists(st.sampled_from(list(field.choices)), min_size=1, max_size=3,
                        unique=True)  # fmt: skip
    if isinstance(field, state.ChoiceField):
        return st.sampled_from(list(field.choices))
    if isinstance(field, state.IntField):
        return st.sampled_from(
            [field.low, field.high, field.default, (field.low + field.high) // 2]
        )
    if isinstance(field, state.FloatField) and field.default is not None:
        return st.sampled_from([field.low, field.high, field.default, (field.low + field.high) / 2])
    return st.just(field.default)  # text, points: their own tests


def settings_for(page: str):
    fields = PAGES[page]
    one = st.integers(0, len(fields) - 1).flatmap(
        lambda i: st.tuples(st.just(fields[i]), values_of(fields[i]))
    )
    return st.lists(one, min_size=1, max_size=4)


@pytest.mark.slow
@pytest.mark.parametrize("page", [page for page, fields in PAGES.items() if fields])
def test_a_page_takes_any_few_of_its_settings_one_after_the_other(page):
    @settings(max_examples=4)  # about a minute in all; the explore profile draws fresh ones
    @given(changes=settings_for(page))
    def takes(changes):
        at = page_test(page).run()
        assert_no_exception(at)
        for field, value in changes:
            at.session_state[field.key] = value
            at.run()
            assert_no_exception(at)

    takes()
