"""Runs of a batch on a Dask distributed cluster (``doorstroom batch --scheduler``).

Imported only by batches that use Dask (:mod:`experiments.batch`). Each run is computed on a Dask
worker, which sends its indicator columns back; this process writes the run's file, so the workers
need the model installed but no shared folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from distributed import Client, LocalCluster, as_completed

from experiments.batch import describe_run
from experiments.pool import WorkerError
from experiments.runs import RunTask, run_one
from experiments.writers import write_run_file
from sim.outputs import RESULTS_VERSION
from sim.params import ParameterError

DASK_CONNECT_SECONDS = 30
"""How long to wait for a Dask scheduler to answer (an assumption: long enough for a cluster being
started, short enough to report a wrong address promptly)."""


def columns_of_run(task: RunTask) -> tuple[dict[str, np.ndarray], float, int]:
    """Computes one run on a Dask worker.

    Returns:
        Its indicator columns, its wall time in seconds, and the worker's results version (checked
        against this process's: a cluster of another model version would give other results under
        the same run identity).
    """
    t0 = time.perf_counter()
    columns = run_one(task.scenario, task.settings)
    return columns, time.perf_counter() - t0, RESULTS_VERSION


def connect(scheduler: str) -> Client:
    """A client of the running Dask scheduler at ``scheduler``.

    Raises:
        ParameterError: When no scheduler answers there within :data:`DASK_CONNECT_SECONDS`.
    """
    try:
        return Client(scheduler, timeout=DASK_CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ParameterError(f"--scheduler {scheduler!r}: no Dask scheduler answered within "
                             f"{DASK_CONNECT_SECONDS} s ({exc})") from None


def check_scheduler(scheduler: str) -> None:
    """Refuses, before anything is written, a scheduler address where no scheduler answers."""
    if scheduler != "local":
        connect(scheduler).close()


def dask_executor(scheduler: str, workers: int, log: Callable[[str], None]) -> Callable:
    """An executor for :func:`experiments.runs.execute` that sends the runs to a Dask cluster.

    Args:
        scheduler: ``"local"`` for a ``LocalCluster`` of ``workers`` processes on this machine (one
            thread each), or the address of a running scheduler.
        workers: Processes of the local cluster (ignored for a running scheduler).
        log: Receives a line naming the cluster.
    """
    def run(todo: list[RunTask], finished: Callable[[RunTask, float], None]) -> None:
        cluster = None
        try:
            if scheduler == "local":
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
                client = Client(cluster)
            else:
                client = connect(scheduler)
        except BaseException:
            if cluster is not None:
                cluster.close()
            raise
        futures: dict = {}
        try:
            n = len(client.scheduler_info().get("workers", {}))
            run.workers = n
            log(f"  computing {len(todo)} run(s) on Dask ({scheduler}, {n} worker(s))")
            futures = {client.submit(columns_of_run, task, pure=False): task for task in todo}
            for future in as_completed(futures):
                task = futures[future]
                try:
                    columns, seconds, version = future.result()
                except Exception as exc:
                    raise WorkerError(f"{describe_run(task)} failed on a Dask worker: "
                                      f"{type(exc).__name__}: {exc}") from exc
                if version != RESULTS_VERSION:
                    raise WorkerError(f"{describe_run(task)}: the Dask worker runs results version "
                                      f"{version}, this command {RESULTS_VERSION}; install the same "
                                      "revision on the workers")
                write_run_file(task.path, columns, task.meta)
                finished(task, seconds)
        finally:
            if futures:
                client.cancel(list(futures))
            client.close()
            if cluster is not None:
                cluster.close()
    return run
