"""The Lessons page: picker in the URL, one lesson at a time, "coming" lessons, language."""

import pytest

from pages._lessons import catalog
from tests.helpers import assert_no_exception, page_test
from tests.pages.lesson_links import lesson


def test_default_is_lesson_one_with_the_frame():
    at = lesson(1)
    assert at.title[0].value == "Lessons"
    assert at.header[0].value.startswith("1. Why momentum")
    assert at.radio[0].options  # the "predict first" prompt
    assert [s.value for s in at.subheader] == ["What happened"]
    assert at.get("link_button")[0].proto.label == "Open in the full page"


def test_lesson_in_url_and_back():
    at = page_test("lessons", {"lesson": "1"})
    at.run()
    assert_no_exception(at)
    assert at.selectbox[0].value == 1
    assert "lesson" not in at.query_params  # the default is left out of the URL


def test_coming_lesson_says_so():
    coming = [le for le in catalog.LESSONS if not catalog.ready(le)]
    if not coming:
        return
    at = lesson(coming[0].number)
    assert "coming" in at.info[0].value
    assert not at.get("plotly_chart")


def test_bad_lesson_number_falls_back():
    for bad in ("0", "99", "abc", "-3"):
        at = page_test("lessons", {"lesson": bad})
        at.run()
        assert_no_exception(at)
        assert at.selectbox[0].value in (1, 10)


def test_chinese_text_from_the_url():
    at = page_test("lessons", {"lang": "zh"})
    at.run()
    assert_no_exception(at)
    assert at.title[0].value == "课程"
    assert at.header[0].value.startswith("1. 为什么需要动量")
    assert "lang=zh" in at.get("link_button")[0].proto.url


EXTREMES = {
    1: {"kappa": 400, "beta": 0.99},
    2: {"schedule": "cosine", "large": 0.3},
    3: {"convention": "course", "schedule": "exponential"},
    4: {"scale": 20, "rate": 0.5},
    5: {"depth": 50, "sigma": 4.0},
}


@pytest.mark.parametrize("number", sorted(EXTREMES))
def test_extreme_settings_still_measure_something(number):
    at = lesson(number, **EXTREMES[number])
    assert not at.error
    assert at.get("plotly_chart")
    assert "nan" not in at.markdown[-1].value.lower()  # "What happened" has its numbers


@pytest.mark.parametrize("number", sorted(EXTREMES))
def test_a_stale_control_value_falls_back_to_the_default(number):
    # Set before the first run: AppTest cannot re-send a drawn widget's value outside its options.
    at = page_test("lessons", {"lesson": str(number)})
    for name in EXTREMES[number]:
        at.session_state[f"ls{number:02d}_{name}"] = "not an option"
    at.run()
    assert_no_exception(at)
    assert not at.error and not at.warning
    assert at.get("plotly_chart")


def test_a_failing_lesson_shows_a_message_not_a_traceback(monkeypatch):
    from pages._lessons import l01_momentum

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(l01_momentum, "study", broken)
    at = page_test("lessons")
    at.run()
    assert_no_exception(at)
    assert "failed" in at.error[0].value and "boom" in at.error[0].value
    assert not at.get("link_button")
