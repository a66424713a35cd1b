"""pages/_common/timing.py: with GRADLAB_TIMING_LOG set, every script run leaves one record."""

import json

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from pages._common import timing
from tests.helpers import page_test


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_script_run_is_logged_with_its_page_session_and_query(tmp_path, monkeypatch):
    log = tmp_path / "timing.jsonl"
    monkeypatch.setenv(timing.ENV, str(log))
    page_test("activations", {"lt": "s1"}).run()
    [record] = records(log)
    assert record["page"] == "activations" and record["outcome"] == "done"
    assert record["query"]["lt"] == "s1" and record["session"]
    assert 0 <= record["seconds"] == round(record["end"] - record["start"], 4)


def test_an_interrupted_or_failed_run_says_how_it_ended(tmp_path, monkeypatch):
    log = tmp_path / "timing.jsonl"
    monkeypatch.setenv(timing.ENV, str(log))
    with pytest.raises(StopException), timing.timed_run("race", started=100.0):
        raise StopException()  # Streamlit ended the run for a newer request
    with pytest.raises(ValueError), timing.timed_run("race"):
        raise ValueError("bad")
    stopped, failed = records(log)
    assert (stopped["outcome"], stopped["start"]) == ("stop", 100.0)
    assert failed["outcome"] == "error"


def test_nothing_is_written_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(timing.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with timing.timed_run("home"):
        pass
    assert list(tmp_path.iterdir()) == []
