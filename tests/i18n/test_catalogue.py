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


def _refused(lang: str, call) -> str:
    """The message of the ValueError ``call()`` raises, in a fresh context set to ``lang``."""
    import contextvars

    def run() -> str:
        i18n.set_language(lang)
        with pytest.raises(ValueError) as info:
            call()
        return str(info.value)

    return contextvars.Context().run(run)


def _refusals() -> dict[str, tuple]:
    from engine import optimizers
    from engine.expressions import compile_expression
    from engine.sequences.models import SeqConfig

    return {  # name: (call, English, Chinese)
        "an optimizer hyperparameter": (
            lambda: optimizers.create("sgd", lr=0.1, momentum=-1),
            "Invalid momentum value: -1.0",
            "动量值无效：-1.0",
        ),
        "a construct the parser refuses": (
            lambda: compile_expression("x.real"),
            "Attributes like '.real' are not allowed",
            "不允许使用 '.real' 这样的属性",
        ),
        "a syntax error with its hint": (
            lambda: compile_expression("2x + y"),
            "Syntax error at column 1 of '2x + y': invalid decimal literal"
            " (write multiplication with '*', e.g. 2*x + y)",
            "'2x + y' 第 1 列有语法错误：invalid decimal literal（乘法请用 '*'，例如 2*x + y）",
        ),
        "a network setting": (
            lambda: SeqConfig(hidden=0),
            "Invalid hidden size: 0 (must be 1..256)",
            "隐藏状态大小无效：0（须在 1..256 之间）",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "an optimizer hyperparameter",
        "a construct the parser refuses",
        "a syntax error with its hint",
        "a network setting",
    ],
)
def test_engine_refusals_speak_the_callers_language(case):
    call, english, chinese = _refusals()[case]
    assert _refused("en", call) == english
    assert _refused("zh", call) == chinese


def test_the_playground_names_an_undefined_region_in_the_callers_language():
    import contextvars

    from engine import surfaces
    from engine.surfaces.domain import region_note

    surface = surfaces.parse("log(x) + y**2")

    def note(lang: str) -> str | None:
        def run() -> str | None:
            i18n.set_language(lang)
            return region_note(surface)

        return contextvars.Context().run(run)

    english, chinese = note("en"), note("zh")
    assert english is not None and english.startswith("log(x) is undefined where x ≤ 0 (")
    assert english.endswith(" of the plotted region).")
    assert chinese is not None and chinese.startswith("log(x) 在 x ≤ 0 处无定义（占所绘区域的 ")
    assert chinese.endswith("）。")


def _in(lang: str, call):
    """``call()`` in a fresh context set to ``lang``, as a session's script run."""
    import contextvars

    def run():
        i18n.set_language(lang)
        return call()

    return contextvars.Context().run(run)


def test_link_notes_titles_and_csv_headers_follow_the_language():
    from pages._common import present
    from pages._common.state import FloatField, IntField, url_notes
    from pages._sequences.tables import records_csv

    fields = (IntField("steps", 50, low=1, high=100), FloatField("lr", 0.1, low=0.0, high=1.0))
    params = {"steps": "ten", "lr": "5"}
    assert _in("en", lambda: url_notes(fields, params)) == [
        "Ignored the link's steps='ten': not a valid value.",
        "The link's lr=5 is out of range: using 1.0.",
    ]
    assert _in("zh", lambda: url_notes(fields, params)) == [
        "已忽略链接中的 steps='ten'：不是有效的值。",
        "链接中的 lr=5 超出范围：改用 1.0。",
    ]
    # A typed formula's title keeps the formula; a built-in title is translated as before.
    assert _in("zh", lambda: present.title("Custom: x**2 + y")) == "自定义：x**2 + y"
    assert _in("en", lambda: present.title("Custom: x**2 + y")) == "Custom: x**2 + y"
    assert _in("en", lambda: records_csv({}, None)).strip() == (
        "cell,phase,training_step,quantity,t,value"
    )
    assert _in("zh", lambda: records_csv({}, None)).strip() == "单元,阶段,训练步,量,t,值"


def test_race_and_activation_csv_headers_follow_the_language():
    from engine.activations import tables
    from engine.nets import datasets, race, race_summary
    from engine.nets.networks import MLPConfig

    X, y = datasets.make("spirals", n=60, noise=0.1, seed=0, classes=2, device="cpu")
    result = race.race(MLPConfig(2, 2, 1, 4, "relu"), datasets.split(X, y), ["sgd"], 2)
    rrelu = [tables.curve_table(("rrelu", ()), -1.0, 1.0, n=11)]  # the one with a band

    def header(lang: str, csv) -> list[str]:
        return _in(lang, csv).splitlines()[0].split(",")

    race_en = header("en", lambda: race_summary.curves_csv(result))
    assert race_en[:5] == ["optimizer", "step", "seconds", "train_loss", "train_acc"]
    race_zh = header("zh", lambda: race_summary.curves_csv(result))
    assert race_zh[0] == "优化器" and race_zh[3] == "训练损失" and len(race_zh) == len(race_en)
    band_en = header("en", lambda: tables.curves_csv(rrelu, (0,)))
    assert band_en[-2:] == ["rrelu f band low", "rrelu f band high"]
    assert header("zh", lambda: tables.curves_csv(rrelu, (0,)))[-2] == "rrelu f 带下沿"
