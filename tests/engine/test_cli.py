import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from engine import optimizers, surfaces
from engine.cli import main
from engine.surfaces import trajectories
from tests.helpers import ROOT


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_names_every_registry(capsys):
    code, out, _ = run_cli(capsys, "list")
    assert code == 0
    assert "rosenbrock" in out and "adam" in out and "selu" in out and "cosine" in out


def test_run_csv_matches_the_engine(capsys):
    argv = ["run", "--surface", "rosenbrock", "--optimizer", "adam:lr=0.05",
            "--optimizer", "sgd:lr=0.001", "--start", "-1.5,2", "--steps", "50"]  # fmt: skip
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 2 * 51
    expected = trajectories.run(
        surfaces.get("rosenbrock"),
        [optimizers.create("adam", lr=0.05), optimizers.create("sgd", lr=0.001)],
        [[-1.5, 2.0]],
        50,
    )
    adam_xy = np.array([[float(r["x"]), float(r["y"])] for r in rows if r["optimizer"] == "adam"])
    np.testing.assert_array_equal(adam_xy, expected.paths[0, 0])


def test_run_json_to_a_file_with_a_custom_expression(tmp_path, capsys):
    target = tmp_path / "out.json"
    argv = ["run", "--surface", "(x-1)**2 + (y+2)**2", "--optimizer", "momentum:lr=0.05",
            "--start", "2,2", "--steps", "300", "--format", "json", "-o", str(target)]  # fmt: skip
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and out == ""
    data = json.loads(target.read_text())
    assert data["optimizers"][0]["name"] == "momentum"
    assert data["paths"][0][0][-1] == pytest.approx([1.0, -2.0], abs=1e-4)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["run", "--optimizer", "adam:lr=-1"], "Invalid learning rate: -1.0"),
        (["run", "--optimizer", "adamm"], "unknown optimizer 'adamm'"),
        (["run", "--optimizer", "adam:lr"], "key=value"),
        (["run", "--optimizer", "adam:nope=1"], "no hyperparameter 'nope'"),
        (["run", "--surface", "__import__('os')"], "cannot be called"),
        (["run", "--start", "1;2"], "a start is x,y"),
        (["run", "--steps", "999999"], "Invalid steps"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, argv, needle):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and needle.lower() in err.lower(), err


def test_python_dash_m_engine_prints_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "engine", "run", "--optimizer", "sgd:lr=abc"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "lr takes a number" in proc.stderr
