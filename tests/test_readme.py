"""The README's quick tour runs as written."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.slow
def test_quick_tour_runs(capsys):
    text = README.read_text()
    code = re.search(r"## Quick tour\n\n```python\n(.*?)```", text, re.S).group(1)
    exec(compile(code, "README quick tour", "exec"), {})
    printed = capsys.readouterr().out
    shown = re.search(r"It prints[^\n]*\n\n```text\n(.*?)```", text, re.S).group(1)
    assert printed == shown  # the README shows exactly what the tour prints
    scores = [float(line.split(": ")[1].split()[0]) for line in printed.splitlines()]
    assert len(scores) == 3 and all(score > 0.9 for score in scores)


def test_readme_marks_one_test_command():
    lines = README.read_text().splitlines()
    lines = [ln for ln in lines if ln.endswith("# test-command")]
    assert len(lines) == 1 and lines[0].startswith("python -m pytest")


def test_readme_stands_alone():
    text = README.read_text()
    assert "../" not in text, "the README must not link outside the repository"
    assert "these machines" not in text
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if "://" not in target:
            assert (README.parent / target).exists(), target
