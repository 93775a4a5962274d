"""benchmarks/gpu_check.py runs end to end on the CPU (``--cpu --quick``)."""

import os
import subprocess
import sys

import pytest

pytest.importorskip("torch")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
def test_gpu_check_runs_on_cpu():
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": ROOT}
    env.pop("SKCV_DATA", None)  # synthetic data only: tests never read CIFAR-10
    proc = subprocess.run(
        [sys.executable, "benchmarks/gpu_check.py", "--cpu", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    table = proc.stdout[proc.stdout.index("| check |") :]
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    assert "FAILED" not in table
    for name in ("CNNClassifier", "FCNSegmenter", "ObjectLocalizer"):
        ran = {r[2] for r in rows if r[0] == "| fit+predict" and r[1] == name}
        ok = {r[2] for r in rows if r[1] == name and r[-1].startswith("ok")}
        assert {"float32", "bf16"} <= ran & ok, (name, ran, ok)
        to_cpu = [r for r in rows if r[0] == "| to-cpu" and r[1] == name]
        assert len(to_cpu) == 1 and float(to_cpu[0][6]) == 1.0  # same predictions
    preset = [r for r in rows if r[0] == "| preset fast"]
    assert preset and float(preset[0][6]) > 0.5  # the preset learned something
