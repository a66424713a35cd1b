"""The kept charts' large traces travel once per session (pages/_common/kept_parts.py): the
playground's contour and 3D surface are sent with the first view and named after that, until a
frame asks for them again."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio

from pages._common import kept_parts
from tests.helpers import assert_no_exception, figures, open_panels, page_test


def _sent(at) -> list[dict[str, bytes]]:
    """Each kept chart's bytes arguments in the last run, by name."""
    return [
        {a.key: a.bytes for a in e.proto.special_args}
        for e in at._tree
        if e.type == "component_instance"
    ]


def _named(spec: bytes) -> list[str]:
    return [t["$part"] for t in json.loads(spec)["data"] if "$part" in t]


def test_a_large_trace_is_split_off_and_put_back_whole():
    big = {"type": "contour", "z": np.linspace(0, 1, 2500), "name": "surface"}
    small = {"type": "scatter", "x": [1, 2], "y": [3, 4], "name": "adam"}
    fig = {"data": [big, small], "layout": {"title": {"text": "t"}}, "frames": []}
    skeleton, parts = kept_parts.encode(fig)
    assert len(parts) == 1 and len(skeleton) < 200
    (name,) = parts
    assert json.loads(skeleton) == {
        "data": [{"$part": name}, small],
        "layout": {"title": {"text": "t"}},
        "frames": [],
    }
    # The part reads back as plotly writes the trace (the array as a typed array).
    assert json.loads(parts[name]) == json.loads(pio.to_json(big, validate=False))
    # Named by its content: the same trace, the same name; another, another.
    assert kept_parts.encode(fig)[1].keys() == parts.keys()
    assert kept_parts.encode({"data": [big | {"name": "other"}]})[1].keys() != parts.keys()
    # A figure without one is its plain JSON, whatever else it holds.
    plain = {"data": [small], "layout": {"height": 300}}
    assert kept_parts.encode(plain) == (pio.to_json(plain, validate=False).encode(), {})
    assert json.loads(kept_parts.encode({"data": [small]})[0]) == {"data": [small]}


def test_a_changed_learning_rate_does_not_send_the_contour_and_surface_again():
    at = page_test("playground").run()
    first = _sent(at)
    named = [_named(args["spec"]) for args in first]
    assert [len(n) for n in named] == [1, 1, 0, 0]  # the map's contour, the 3D surface
    assert [set(json.loads(args["parts"])) for args in first[:2]] == [set(n) for n in named[:2]]
    before = [f["data"][0] for f in figures(at)[:2]]
    assert [t["type"] for t in before] == ["contour", "surface"]

    open_panels(at, "adam").select_slider(key="pg_adam_lr").set_value(0.05).run()
    assert_no_exception(at)
    after = _sent(at)
    assert [_named(args["spec"]) for args in after] == named  # the same parts, named...
    assert [args["parts"] for args in after] == [b"{}"] * 4  # ...and not sent again
    saved = sum(len(a["parts"]) for a in first[:2]) - sum(len(a["parts"]) for a in after[:2])
    assert saved > 150_000
    # The figures read back whole: the parts put back are the ones sent first.
    assert [f["data"][0] for f in figures(at)[:2]] == before


def _part_names(at) -> list[str]:
    """Each kept chart's plain argument naming the parts it carries."""
    return [
        json.loads(e.proto.json_args)["part_names"]
        for e in at._tree
        if e.type == "component_instance"
    ]


def test_a_frame_that_lacks_a_part_gets_it_while_it_asks():
    at = page_test("playground").run()
    (contour,) = _named(_sent(at)[0]["spec"])
    assert _part_names(at)[0] == contour
    at.run()
    assert _sent(at)[0]["parts"] == b"{}" and _part_names(at)[0] == ""
    # What the map's frame sends when its tab no longer holds the contour: the same figure
    # comes again with it, and a plain argument that says so (Streamlit's frontend hands a
    # frame new arguments only when a plain one changed).
    at.session_state["pg_map"] = {"resend": [contour], "n": 1}
    at.run()
    assert_no_exception(at)
    assert set(json.loads(_sent(at)[0]["parts"])) == {contour}
    assert _part_names(at)[0] == contour
    at.run()  # the request stands until the frame sends another value: sent again
    assert set(json.loads(_sent(at)[0]["parts"])) == {contour}
    at.session_state["pg_map"] = {"selection": {"points": [{"x": 1.0, "y": 1.0}]}}  # a click
    at.run()
    assert_no_exception(at)
    assert _sent(at)[0]["parts"] == b"{}"


def test_a_new_session_is_sent_every_part():
    first = page_test("playground").run()
    second = page_test("playground").run()
    for at in (first, second):
        assert [len(json.loads(a["parts"])) for a in _sent(at)[:2]] == [1, 1]
