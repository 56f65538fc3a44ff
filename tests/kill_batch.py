"""Kills a ``doorstroom batch`` at random moments and checks that each resume repeats and loses no run.

``python tests/kill_batch.py --kills 5`` first runs a small batch without interruption (a grid of 12
points of one parameter, one seed, scale 0.001, 2025-2026; 2 local workers, or ``--scheduler local``
for Dask), then, for each kill, starts the same batch in a fresh folder, sends SIGINT, SIGTERM or
SIGKILL (in turn) at a random moment, and checks:

- no process of the killed command is left running;
- the resumed command computes exactly the runs whose file was missing after the kill (none repeated:
  every run file present after the kill keeps its inode and modification time; none lost: the
  resume computes the others);
- ``results.parquet`` and every run file are byte-identical to the uninterrupted batch's;
- no temporary file, folder or lock is left behind.

It prints one line per kill and exits 1 on the first failure. The helpers that find processes and
leftovers are those of ``tests/kill_compare.py``.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kill_compare import ROOT, SIGNALS, kill_once, leftovers

DESIGN = """[design]
name = "kill_test"
sampler = "grid"
seeds = 1
[run]
scale = 0.001
end_year = 2026
[[uncertainty]]
name = "moving.accept_probability"
values = [0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85]
"""
"""The batch: 12 runs of about half a second each at this scale."""


def run_files(folder: Path) -> dict[str, tuple[int, int]]:
    """Each run file of a batch folder -> (inode, modification time in ns)."""
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted((folder / "runs").rglob("*.parquet"))} if (folder / "runs").exists() else {}


def snapshot(folder: Path) -> dict[str, bytes]:
    """The bytes of the results and run files (``batch.json`` has time stamps)."""
    files = [folder / "results.parquet", *sorted((folder / "runs").rglob("*.parquet"))]
    return {str(p.relative_to(folder)): p.read_bytes() for p in files if p.exists()}


def main(argv: list[str] | None = None) -> int:
    """Runs the kill test (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1, help="seed of the random kill moments")
    parser.add_argument("--scheduler", default=None, help="pass --scheduler to the batch (e.g. local)")
    args = parser.parse_args(argv)
    rnd = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="doorstroom-kill-batch-"))
    (work / "design.toml").write_text(DESIGN)
    command = [sys.executable, "-m", "experiments.cli", "batch", str(work / "design.toml"), "--workers", "2"]
    if args.scheduler:
        command += ["--scheduler", args.scheduler]
    command += ["--out"]
    t0 = time.perf_counter()
    subprocess.run([*command, str(work / "reference")], cwd=ROOT, check=True, capture_output=True)
    duration = time.perf_counter() - t0
    reference = snapshot(work / "reference")
    total = len(reference) - 1
    print(f"uninterrupted batch: {duration:.1f} s, {total} runs", flush=True)
    failures = recovered = 0
    for i in range(args.kills):
        sig = SIGNALS[i % len(SIGNALS)]
        out = work / f"trial_{i}"
        delay = rnd.uniform(0.5, duration)
        proc, err, left = kill_once([*command, str(out)], delay, sig)
        before = run_files(out)
        resumed = subprocess.run([*command, str(out)], cwd=ROOT, capture_output=True, text=True)
        computed = len(re.findall(r": done in ", resumed.stderr))
        after = run_files(out)
        kept = all(after.get(name) == stamp for name, stamp in before.items())
        exact = computed == total - len(before)
        same = resumed.returncode == 0 and snapshot(out) == reference
        junk = leftovers(out)
        traceback = "Traceback" in err
        ok = same and kept and exact and not left and not junk and not traceback
        failures += not ok
        recovered += ok
        print(f"kill {i + 1:2d}: {signal.Signals(sig).name:7s} after {delay:4.1f} s, exit "
              f"{proc.returncode:4d}; {len(before):2d} runs kept (untouched {kept}), {computed:2d} computed "
              f"on resume (exactly the missing {exact}); identical {same}; processes left {len(left)}; "
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
