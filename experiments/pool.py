"""Stopping cleanly on signals, and running tasks in worker processes that can be stopped.

**Signals.** Inside :func:`stop_on_signals` the first SIGINT (Ctrl-C) or SIGTERM (``kill``, ``timeout``,
cluster schedulers) raises :class:`Stopped` in the main thread, so that the command stops where it
is: finished work is kept, work under way is discarded (every write is atomic), workers are
stopped, and the command exits with 128 + the signal number (130, 143). A second signal ends the
process at once, without a traceback.

**Workers.** :func:`run_parallel` runs each task in a process of its own (forked from a server that
has already imported the model, so starting one costs milliseconds), at most ``workers`` at a time.
Unlike a ``concurrent.futures`` pool, every worker can be terminated: on a signal or an error the
running workers are stopped and none is left behind. Workers ignore SIGINT (the terminal sends it to
the whole process group; the parent decides) and on Linux die with their parent, even when the
parent is killed with SIGKILL (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
PR_SET_PDEATHSIG = 1
"""``prctl`` option: the signal a process receives when its parent dies (Linux)."""
MODEL_PRELOAD = ("experiments.runs",)
"""What the forkserver of the workers of compare and batch imports before their first run: the model
and the run function (about a second)."""
TERMINATE_GRACE_SECONDS = 5.0
"""Time a terminated worker gets to exit before it is killed."""


class Stopped(BaseException):
    """A stop signal arrived (raised in the main thread by :func:`stop_on_signals`).

    Attributes:
        signum: The signal number.
    """

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The conventional exit code: 128 + the signal number."""
        return 128 + self.signum


class WorkerError(RuntimeError):
    """A task failed in a worker process (the message names the task and the error)."""


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turns the first SIGINT or SIGTERM into :class:`Stopped`; a second one exits at once."""
    received = []

    def handler(signum, _frame):
        received.append(signum)
        if len(received) > 1:
            os._exit(128 + signum)
        raise Stopped(signum)

    previous = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Holds SIGINT and SIGTERM back until the block ends (they are delivered then)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _die_with_parent() -> None:
    """Asks the kernel to kill this process when its parent dies (Linux; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _child(function: Callable[[Any], Any], task: Any, conn) -> None:
    """Runs one task in a worker process and sends ``("ok", result)`` or ``("error", text)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # a spawned child inherits the mask
    _die_with_parent()
    try:
        message = ("ok", function(task))
    except BaseException as exc:  # the parent reports it
        message = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    try:
        conn.send(message)
        conn.close()
    except OSError:  # the parent is gone (killed): nobody to tell, and nothing to print
        os._exit(1)


def context(preload: Sequence[str] = ()):
    """The multiprocessing context of the workers: forkserver (with ``preload``) where available."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["experiments.forkserver_init", *preload])
        return ctx
    return multiprocessing.get_context("spawn")


def start_server(preload: Sequence[str] = ()) -> None:
    """Starts the forkserver now, so that it imports ``preload`` while this process does other work.

    The first worker otherwise waits for those imports (about a second for the model). Does nothing
    where there is no forkserver. Call it with the ``preload`` that :func:`run_parallel` will get.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context(preload)
        multiprocessing.forkserver.ensure_running()


def stop_workers(processes) -> None:
    """Terminates the given worker processes and waits for them (kills those that do not exit)."""
    for p in processes:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + TERMINATE_GRACE_SECONDS
    for p in processes:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join()


def _receive(conn) -> Any:
    """The worker's message, or ``None`` when it ended without sending one (its pipe is closed)."""
    try:
        return conn.recv()
    except EOFError:
        return None


def run_parallel(tasks: Sequence[Any], function: Callable[[Any], Any], workers: int,
                 on_done: Callable[[Any, Any], None], describe: Callable[[Any], str] = str,
                 preload: Sequence[str] = (),
                 on_error: Callable[[Any, WorkerError], None] | None = None) -> None:
    """Runs ``function(task)`` for every task in worker processes, ``workers`` at a time.

    ``on_done(task, result)`` is called in this process as each task finishes (in the order they
    finish). On an error in a task the running workers are stopped and the :class:`WorkerError`
    propagates, unless ``on_error(task, error)`` is given: then it is called and the other tasks go
    on. On any other exception here (:class:`Stopped` included) the running workers are stopped and
    it propagates; tasks not started are not run.

    Raises:
        WorkerError: When a task raises or its worker dies, naming the task (``describe(task)``).
    """
    ctx = context(preload)
    pending = list(tasks)
    # by the receiving end of each worker's pipe: (process, task). A worker's result is read as soon
    # as the pipe is readable, not after the worker ended: a result larger than the pipe's buffer
    # keeps the worker writing until it is read
    running: dict[Any, tuple[Any, Any]] = {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                task = pending.pop(0)
                with signals_held():  # a worker is either not started or known, never half-way
                    receive, send = ctx.Pipe(duplex=False)
                    proc = ctx.Process(target=_child, args=(function, task, send), daemon=True)
                    proc.start()
                    send.close()
                    running[receive] = (proc, task)
            by_sentinel = {proc.sentinel: receive for receive, (proc, _) in running.items()}
            ready = multiprocessing.connection.wait([*running, *by_sentinel], timeout=1.0)
            for receive in dict.fromkeys(by_sentinel.get(obj, obj) for obj in ready):
                proc, task = running.pop(receive)
                message = _receive(receive)
                receive.close()
                proc.join()
                if message is None:
                    error = WorkerError(f"{describe(task)}: the worker process ended without a "
                                        f"result (exit code {proc.exitcode})")
                elif message[0] != "ok":
                    error = WorkerError(f"{describe(task)} failed: {message[1]}")
                else:
                    on_done(task, message[1])
                    continue
                if on_error is None:
                    raise error
                on_error(task, error)
    finally:
        stop_workers([proc for proc, _ in running.values()])
