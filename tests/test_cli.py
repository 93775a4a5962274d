"""The command line as a user runs it: through a subprocess."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args, cwd, env=None):
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "skcv", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_top_level_help_is_plain_text(tmp_path):
    result = _run("--help", cwd=tmp_path)
    assert result.returncode == 0
    out = result.stdout
    assert out.startswith("usage: skcv")
    assert "demo" in out and "run a demo on bundled data" in out
    # no reStructuredText markup leaks into the help
    assert "``" not in out and ":func:" not in out and ".. " not in out


def test_no_command_is_an_error_with_usage(tmp_path):
    result = _run(cwd=tmp_path)
    assert result.returncode == 2
    assert "usage: skcv" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_is_an_error(tmp_path):
    result = _run("train-everything", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'train-everything'" in result.stderr


def test_demo_help_lists_demos_and_every_option_with_defaults(tmp_path):
    result = _run("demo", "--help", cwd=tmp_path)
    assert result.returncode == 0
    out = result.stdout
    assert "textures" in out and "cifar10" in out
    assert "--epochs EPOCHS" in out and "training epochs (default: 8)" in out
    assert "--download" in out
    assert "--patch-size PATCH_SIZE" in out and "(default: 64)" in out


def test_cifar10_demo_without_data_names_the_flag(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _run("demo", "cifar10", cwd=tmp_path, env={"SKCV_DATA": str(empty)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("skcv: error: CIFAR-10 is not in ")
    assert "--download" in lines[0] and "--data-home" in lines[0]
    assert result.stdout == ""


def test_cifar10_demo_rejects_bad_epochs(tmp_path):
    result = _run("demo", "cifar10", "--epochs", "0", cwd=tmp_path)
    assert result.returncode == 2
    assert "--epochs must be >= 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_cifar10_expected_time_uses_measured_rate():
    from skcv._demos.cifar10 import expected_seconds

    # 8 epochs over 50,000 images took 355 s on the 2-core CPU.
    assert expected_seconds(50_000, 8, "cpu") == pytest.approx(355.0)
    assert expected_seconds(50_000, 8, "cuda") < 60


@pytest.mark.parametrize("command", ["fit", "predict", "evaluate"])
def test_command_help_is_plain_text(tmp_path, command):
    result = _run(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "``" not in result.stdout and "(default:" in result.stdout
