"""Run this area's torch tests on one intra-op thread.

The networks here are tiny: on a busy machine two OpenMP threads that wait for
each other make each step many times slower than one thread (measured: the area's
tests take 11 s with one thread and 218 s with two at a load average of 4 on two
cores). The previous setting is restored after each test.
"""

import importlib.util

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread():
    if importlib.util.find_spec("torch") is None:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
