"""Kills a 2-worker ``doorstroom compare`` at random moments and checks that it always recovers.

``python tests/kill_compare.py --kills 20`` first runs one comparison without interruption, then, for
each kill, starts the same comparison in a fresh folder, sends SIGINT, SIGTERM or SIGKILL (in turn) at
a random moment, checks that no process of it is left running, reruns the same command and checks
that the result is byte-identical to the uninterrupted one (run files, ``differences.csv``,
``summary.csv``, figures) and that no temporary file, folder or lock is left behind. It prints one line
per kill and exits 1 on the first failure.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    """Process ids of the descendants of ``pid`` (Linux ``/proc``)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = [int(k) for k in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            continue
        out += kids
        todo += kids
    return out


def alive(pids) -> list[int]:
    """The processes of ``pids`` that still exist (zombies count as gone)."""
    out = []
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.append(p)
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    """The bytes of every result file of a comparison folder (``compare.json`` has time stamps)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "compare.json"}


def kill_once(command: list[str], delay: float, sig: int) -> tuple[subprocess.Popen, str, list[int]]:
    """Starts ``command``, sends ``sig`` after ``delay`` seconds and waits for it and its processes.

    Returns:
        The finished process, its stderr, and the processes of it still alive 15 s after it ended.
    """
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + delay
    family = set()
    while time.monotonic() < deadline and proc.poll() is None:
        family |= set(descendants(proc.pid))
        time.sleep(0.05)
    family |= set(descendants(proc.pid))
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    end = time.monotonic() + 15
    while alive(family) and time.monotonic() < end:
        time.sleep(0.1)
    return proc, err, alive(family)


def leftovers(folder: Path) -> list[str]:
    """Temporary files, folders or locks in or beside ``folder``."""
    names = [p for p in folder.rglob("*") if ".tmp-" in p.name or ".old-" in p.name]
    names += [p for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]
    return [str(p) for p in names]


def main(argv: list[str] | None = None) -> int:
    """Runs the kill test (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1, help="seed of the random kill moments")
    args = parser.parse_args(argv)
    rnd = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="doorstroom-kill-"))
    (work / "base.toml").write_text('[scenario]\nname = "baseline"\n')
    (work / "policy.toml").write_text('[scenario]\nname = "policy"\n[[change]]\nyear = 2027\n'
                                      '[change.policy]\nmoving_allowance_eur = 5000.0\n')
    command = [sys.executable, "-m", "experiments.cli", "compare", str(work / "base.toml"),
               str(work / "policy.toml"), "--seeds", "3", "--scale", "0.003", "--end", "2030",
               "--workers", "2", "--out"]
    t0 = time.perf_counter()
    subprocess.run([*command, str(work / "reference")], cwd=ROOT, check=True, capture_output=True)
    duration = time.perf_counter() - t0
    reference = snapshot(work / "reference")
    print(f"uninterrupted comparison: {duration:.1f} s, {len(reference)} files", flush=True)
    failures = recovered = 0
    for i in range(args.kills):
        sig = SIGNALS[i % len(SIGNALS)]
        out = work / f"trial_{i}"
        delay = rnd.uniform(0.5, duration)
        proc, err, left = kill_once([*command, str(out)], delay, sig)
        resumed = subprocess.run([*command, str(out)], cwd=ROOT, capture_output=True, text=True)
        same = resumed.returncode == 0 and snapshot(out) == reference
        junk = leftovers(out)
        traceback = "Traceback" in err
        ok = same and not left and not junk and not traceback
        failures += not ok
        recovered += ok
        print(f"kill {i + 1:2d}: {signal.Signals(sig).name:7s} after {delay:5.1f} s, exit "
              f"{proc.returncode:4d}; processes left {len(left)}; resumed identical {same}; "
              f"leftovers {len(junk)}; traceback {traceback}: {'ok' if ok else 'FAILED'}", flush=True)
        if not ok:
            print(resumed.stderr[-2000:], err[-2000:], junk, left, sep="\n")
            break
        shutil.rmtree(out)
    shutil.rmtree(work, ignore_errors=True)
    print(f"{recovered} of {args.kills} kills recovered ({time.perf_counter() - t0:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
