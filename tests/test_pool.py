"""The worker pool (experiments/pool.py): results of any size come back, a dead worker is reported."""

import os
import signal

import pytest

from experiments.pool import WorkerError, run_parallel


@pytest.fixture
def deadline():
    """Fails the test instead of hanging when the pool deadlocks."""
    def expired(signum, frame):
        raise TimeoutError("run_parallel did not finish within 60 s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_results_larger_than_the_pipe_buffer_come_back(deadline):
    """A worker blocks writing a result larger than the pipe's buffer (64 KiB) until it is read: the
    pool must read before it waits for the worker to end (results version 37's validate runs
    deadlocked on this)."""
    sizes = [4_000_000, 10, 3_000_000, 200_000]
    got = {}
    run_parallel(sizes, bytes, 2, lambda task, result: got.__setitem__(task, len(result)))
    assert got == {n: n for n in sizes}


def test_a_worker_that_ends_without_a_result_is_reported(deadline):
    with pytest.raises(WorkerError, match="ended without a result"):
        run_parallel([3], os._exit, 1, lambda task, result: None)
    errors = []
    run_parallel([3, 5], os._exit, 2, lambda task, result: None,
                 on_error=lambda task, error: errors.append(task))
    assert sorted(errors) == [3, 5]
