"""The Chinese catalogue is complete and compiled: pybabel's own reading of the code and of the
catalogue, from the test suite."""

from __future__ import annotations

import gettext
import subprocess
import sys
from pathlib import Path

import pytest

from engine.core import i18n

babel = pytest.importorskip("babel")
from babel.messages.pofile import read_po  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PO = i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")


def _extract(tmp_path: Path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "--ignore-dirs=.* __pycache__", "-o", str(pot)]
        + ["app.py", "pages", "viz", "engine"],
        cwd=ROOT,
        check=True,
    )
    with open(pot, "rb") as fh:
        return read_po(fh)


def _catalogue():
    with open(PO, "rb") as fh:
        return read_po(fh)


def _first(value):
    return value if isinstance(value, str) else value[0]


def test_every_message_of_the_code_has_a_chinese_translation(tmp_path):
    code = _extract(tmp_path)
    catalogue = _catalogue()
    assert len(code) > 10  # the extraction found the code's messages
    missing = [m.id for m in code if m.id and m.id not in catalogue]
    assert not missing, f"not in the catalogue (run `make i18n`, then translate): {missing}"
    untranslated = [m.id for m in code if m.id and not _first(catalogue[m.id].string).strip()]
    assert not untranslated, f"empty translations: {untranslated}"
    fuzzy = [m.id for m in code if m.id and catalogue[m.id].fuzzy]
    assert not fuzzy, f"fuzzy translations: {fuzzy}"


def test_the_catalogue_has_no_stale_messages_and_keeps_the_format_fields(tmp_path):
    code = {m.id for m in _extract(tmp_path) if m.id}
    catalogue = _catalogue()
    stale = [m.id for m in catalogue if m.id and m.id not in code]
    assert not stale, f"messages no longer in the code: {stale}"
    for message in catalogue:
        if not message.id:
            continue
        errors = list(message.check(catalogue))  # python-format placeholders must match
        assert not errors, (message.id, errors)


def test_the_compiled_catalogue_is_the_source_catalogue():
    with open(MO, "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for message in _catalogue():
        if message.id and isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string, "run `make i18n`"


def test_the_language_is_per_context():
    import contextvars

    i18n.set_language("zh")
    try:
        assert i18n._("Gradient lab") == "梯度实验室"
        assert contextvars.Context().run(i18n._, "Gradient lab") == "Gradient lab"
    finally:
        i18n.set_language("en")
    assert i18n._("Gradient lab") == "Gradient lab"


def test_a_range_check_refuses_in_the_callers_language():
    import contextvars

    from engine.core.checks import check_int, check_number

    def refusal(lang: str, check, *args, **kw) -> str:
        def run() -> str:
            i18n.set_language(lang)
            with pytest.raises(ValueError) as info:
                check(*args, **kw)
            return str(info.value)

        return contextvars.Context().run(run)  # a fresh context, as a session's script run

    assert refusal("en", check_number, "beta", -2, 0.0, 1.0) == (
        "Invalid beta: -2.0 (must be in [0, 1])"
    )
    assert (
        refusal("zh", check_number, "beta", -2, 0.0, 1.0) == "beta 无效：-2.0（须在 [0, 1] 之内）"
    )
    assert refusal("zh", check_int, "steps", 0, 1, 5000) == (
        "steps 无效：0（须为 1..5000 之间的整数）"
    )
    assert refusal("zh", check_number, "lr", -1, 0.0, open_low=True) == "lr 无效：-1.0（须 > 0）"
