"""The Lessons page: picker in the URL, one lesson at a time, "coming" lessons, language."""

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
