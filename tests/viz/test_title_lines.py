"""viz.title_lines: a title too wide for its chart is set on two lines, broken where its halves
are nearest even, at a space or after a Chinese character, never inside an HTML tag."""

import pytest

from viz import title_lines


def test_a_title_wider_than_its_chart_is_broken_at_the_space_nearest_its_middle():
    text = "<b>A: 20 layers, no skips, adam, full batch</b>"  # 40 characters shown
    broken = title_lines.break_title(text, width_px=400, size=24)
    assert broken == "<b>A: 20 layers, no skips,<br>adam, full batch</b>"
    assert title_lines.break_title(text, width_px=820, size=24) is None  # it fits
    # No break inside a tag, and none where there is no space
    styled = '<span style="color: red">abcdefgh ijklmnop</span>'
    assert title_lines.break_title(styled, 100, 24) == (
        '<span style="color: red">abcdefgh<br>ijklmnop</span>'
    )
    assert title_lines.break_title("x" * 80, 100, 24) is None
    assert title_lines.break_title("two<br>lines already, long enough", 10, 24) is None


def test_a_chinese_title_is_measured_wide_and_broken_between_characters():
    text = "A：20 层，无跳跃连接，adam，全批量，学习率 0.001"  # wide characters: about 1 em each
    # After the full-width comma nearest the middle of its width (not of its characters)
    assert title_lines.break_title(text, width_px=400, size=24) == (
        "A：20 层，无跳跃连接，<br>adam，全批量，学习率 0.001"
    )
    assert title_lines.break_title("梯度消失", width_px=400, size=24) is None  # four fit


def test_a_chinese_word_is_not_split_where_a_sign_between_words_is_near_the_middle():
    # The loss landscape's title in projector mode: nearest the middle is inside 连接
    # ("connection"); the 、after it is a little further, between words.
    text = "A: 20 层、无跳跃连接、adam、全批量"
    assert title_lines.break_title(text, width_px=392, size=24) == (
        "A: 20 层、无跳跃连接、<br>adam、全批量"
    )
    # With no sign near the middle, the break goes between two characters there.
    assert title_lines.break_title("一二三四五六七八九十一二三四五六七八", 300, 24) == (
        "一二三四五六七八九<br>十一二三四五六七八"
    )


# Titles as chromium measures them in the bold of Streamlit's body font (canvas measureText,
# "700 100px Source Sans", at 1280 px), in font sizes.
MEASURED = {
    "Loss above the minimum": 10.95,
    "A: 20 layers, no skips, adam, full batch": 16.75,
    "Distance to the nearest known minimum": 17.74,
    "Raw features: κ = 146": 9.31,
}


@pytest.mark.parametrize("text", MEASURED)
def test_a_title_is_thought_a_little_wider_than_it_measures_never_narrower(text):
    """Narrower, and it runs past its chart ("Loss above the minimum", three m's, did with one
    average width for every letter); a little wider only breaks a title that would just fit."""
    estimate = sum(title_lines._char_width(ch) for ch in text)
    assert MEASURED[text] <= estimate <= 1.1 * MEASURED[text]


def test_lesson_4s_third_title_breaks_in_a_third_of_the_page():
    assert title_lines.break_title("Loss above the minimum", 247, 24) == "Loss above<br>the minimum"
