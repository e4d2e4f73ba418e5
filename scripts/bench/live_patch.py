"""Instrumentation and experiments for `live.py`, applied to the bench's own server processes:
`--gc-log` and `--gc-threshold` start the servers through this module (loaded by file path,
so that the `server` package imported is the one in the server's working directory: this tree,
or the `--baseline` export). The repository's server is not changed.

* LIVE_BENCH_GC_LOG=<file>: one line per garbage collection (when, generation, ms).
* LIVE_BENCH_GC_THRESHOLD=a,b,c: `gc.set_threshold(a, b, c)` instead of the server's own
  thresholds (server/__main__.py sets them at start-up; that call is redirected here).

The fan-out and `gc.freeze()` once measured here are in the server now
(server/realtime/socketio_seams.py, server/__main__.py).
"""

from __future__ import annotations

import gc
import os
import runpy
import time
from typing import Any


def log_collections(path: str) -> None:
    """One line per collection: perf_counter_ns at its start, generation, wall ms, CPU ms,
    objects collected, and after a full collection the objects it had to look at."""
    out = open(path, "a", buffering=1)  # noqa: SIM115 (open for the life of the process)
    started = [0, 0]

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter_ns(), time.thread_time_ns()]
            return
        wall = (time.perf_counter_ns() - started[0]) / 1e6
        cpu = (time.thread_time_ns() - started[1]) / 1e6
        heap = len(gc.get_objects(generation=2)) if info["generation"] == 2 else 0
        out.write(
            f"{started[0]} {info['generation']} {wall:.3f} {cpu:.3f} {info['collected']} {heap}\n"
        )

    gc.callbacks.append(note)


def serve() -> None:
    threshold = os.environ.get("LIVE_BENCH_GC_THRESHOLD")
    if threshold:
        values = [int(v) for v in threshold.split(",")]
        original = gc.set_threshold
        original(*values)
        gc.set_threshold = lambda *_ignored: original(*values)
    if os.environ.get("LIVE_BENCH_GC_LOG"):
        log_collections(os.environ["LIVE_BENCH_GC_LOG"])
    runpy.run_module("server", run_name="__main__", alter_sys=True)


# The command line that runs a server through this file (cwd: the server's tree).
COMMAND = (
    "import importlib.util as u, sys; "
    "spec = u.spec_from_file_location('live_patch', sys.argv[1]); "
    "m = u.module_from_spec(spec); spec.loader.exec_module(m); m.serve()"
)
