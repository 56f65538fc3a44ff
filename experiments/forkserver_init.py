"""Imported first by the forkserver of the worker processes (:func:`experiments.pool.context`).

Ctrl-C in a terminal sends SIGINT to the whole process group. The forkserver ignores SIGINT only
after it has imported its preload modules, so a Ctrl-C during those imports (a second or two) ended
it with a ``KeyboardInterrupt`` traceback on the terminal. Imported before them, this module makes it
ignore SIGINT from the start; the command itself decides how to stop (:mod:`experiments.pool`).
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
