"""Media relay benchmark: hub-spoke district conference, encoded forwarding vs aiortc MediaRelay.

    .venv/bin/python scripts/bench/media.py --quick          # K = 2, 5 (about a minute)
    .venv/bin/python scripts/bench/media.py                  # K = 2, 5, 13, 25, four modes
    .venv/bin/python scripts/bench/media.py --sites 50 100 --modes forward

Topology (the issue's policy): the hall and K communes publish 360p/15 fps VP8 (~500 kbps)
and Opus; the hall receives every commune; each commune receives the hall and the floor
holder; one probe viewer per site process receives the hall and the floor and decodes them.
The relay runs in its own process; its CPU is read from /proc, like the generators' own.
Not part of the test suite; figures go to docs/media.md.
"""

from __future__ import annotations

import argparse
import bisect
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script: this directory holds a module called media.py, which must not shadow
# the media package, so the repository root comes first instead.
ROOT = Path(__file__).resolve().parents[2]
sys.path[:] = [str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts/bench"
]

import multiprocessing as mp  # noqa: E402

from media.synthetic import load_clip, make_clip, save_clip  # noqa: E402
from scripts.bench import media_relay, media_sites  # noqa: E402

CLIP = ROOT / "var/bench/clip-640x360-15fps-500k.bin"
TICK = os.sysconf("SC_CLK_TCK")
# Sites per generator process: 13 sites (26 connections) keep one process's event loop
# under a core at these rates; more processes than cores would only contend.
SITES_PER_PROCESS = 13
FPS, AUDIO_RATE = 15, 50  # the clip's frames per second, Opus packets per second


def ensure_clip() -> Path:
    if not CLIP.exists():
        CLIP.parent.mkdir(parents=True, exist_ok=True)
        print(f"encoding the clip once into {CLIP} ...", flush=True)
        clip = make_clip(seconds=10, width=640, height=360, fps=15, bitrate=500_000, noise=24)
        save_clip(clip, CLIP)
    return CLIP


def cpu_seconds(pid: int) -> float:
    return sum(cpu_split(pid))


def cpu_split(pid: int) -> tuple[float, float]:
    """(user, kernel) CPU seconds of a process, all threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICK, int(fields[12]) / TICK


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


@dataclass
class Result:
    mode: str
    sites: int
    video_streams: int = 0
    audio_streams: int = 0
    relay_cpu: float = math.nan  # % of one core
    relay_cpu_full: float = math.nan  # the same, scaled to what full delivery would cost
    # Of relay_cpu, the part spent in the kernel: mostly sendto(), which on loopback also
    # charges the relay for delivering each datagram into the receiving site's socket.
    relay_kernel: float = math.nan
    generator_cpu: float = math.nan
    others_cpu: float = math.nan  # the rest of the machine meanwhile
    fps_mean: float = math.nan
    fps_min: float = math.nan
    audio_mean: float = math.nan
    audio_min: float = math.nan
    latency_p50: float = math.nan  # ms, hall camera -> probe viewer, decoded
    latency_p95: float = math.nan
    join_ms: float = math.nan  # late joiner: request -> first decoded picture
    join_connected_ms: float = math.nan  # late joiner: connection up -> first picture
    switch_ms: float = math.nan  # floor switch request -> new floor picture at a viewer
    error: str = ""

    @property
    def per_stream(self) -> float:
        """% of a core per forwarded stream (video or audio) at full delivery."""
        return self.relay_cpu_full / max(1, self.video_streams + self.audio_streams)


class Child:
    def __init__(self, ctx: Any, target: Any, *args: Any) -> None:
        self.conn, theirs = ctx.Pipe()
        self.process = ctx.Process(target=target, args=(*args, theirs), daemon=True)
        self.process.start()

    def ask(self, command: str, arg: Any = None, timeout: float = 60) -> Any:
        self.conn.send((command, arg))
        return self.expect(timeout)

    def expect(self, timeout: float) -> Any:
        if not self.conn.poll(timeout):
            raise TimeoutError("a benchmark process did not answer")
        try:
            return self.conn.recv()
        except EOFError:
            self.process.join(1)
            raise RuntimeError(f"a benchmark process died (exit {self.process.exitcode})") from None

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)

    def end(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


def _specs(k: int, url: str, clip: Path, communes_muted: bool) -> list[dict[str, Any]]:
    communes = [f"c{i}" for i in range(k)]
    base = {
        "url": url,
        "clip": str(clip),
        "publishers": k + 1,
        "communes": communes,
        "communes_muted": communes_muted,
    }
    specs = [{**base, "sites": [media_sites.HALL], "probe": None}]
    groups = max(1, math.ceil(k / SITES_PER_PROCESS))
    for g in range(groups):
        specs.append({**base, "sites": communes[g::groups], "probe": f"probe-{g}"})
    return specs


Snapshot = tuple[dict[str, Any], float]  # counters per viewer and m-line, when read


def _rates(before: list[Snapshot], after: list[Snapshot]) -> dict[str, list[float]]:
    """Frames per second of every forwarded stream, each process over its own interval."""
    rates: dict[str, list[float]] = {"video": [], "audio": []}
    for (old, start), (new, end) in zip(before, after, strict=True):
        for viewer, mids in new.items():
            for mid, (kind, frames, _) in mids.items():
                previous = old.get(viewer, {}).get(mid, (kind, 0, 0))[1]
                rates[kind].append((frames - previous) / (end - start))
    return rates


def _latencies(sends: list[tuple[float, int]], pictures: list[tuple[float, int]]) -> list[float]:
    by_index: dict[int, list[float]] = {}
    for sent, index in sends:
        by_index.setdefault(index, []).append(sent)
    out = []
    for received, index in pictures:
        times = by_index.get(index, [])
        at = bisect.bisect_right(times, received)
        if at:
            out.append((received - times[at - 1]) * 1000)
    return out


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(
    mode: str, k: int, clip: Path, warmup: float, window: float, communes_muted: bool = False
) -> Result:
    ctx = mp.get_context("spawn")
    result = Result(f"{mode} (communes muted)" if communes_muted else mode, k)
    children: list[Child] = []
    try:
        relay = Child(ctx, media_relay.main, mode)
        children.append(relay)
        port = relay.expect(30)
        specs = _specs(k, f"http://127.0.0.1:{port}", clip, communes_muted)
        sites = [Child(ctx, media_sites.main, spec) for spec in specs]
        children += sites
        for site in sites:
            site.expect(120 + 3 * k)  # "ready"
        _measure(result, relay, sites, warmup, window)
        result.join_ms, result.join_connected_ms = _late_join(sites[1])
        subscribers = [c for c in specs[0]["communes"] if c not in ("c0", "c1")]
        subscribers += [s["probe"] for s in specs[1:]]
        switch = sites[1].ask("floor_switch", subscribers)[0]
        result.switch_ms = switch["switch_ms"]
        for site in sites:
            site.ask("stop", timeout=30)
        relay.conn.send("stop")
        relay.expect(30)
    except Exception as exc:  # a saturated run is a result too
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        for child in children:
            child.end()
    return result


def _late_join(site: Child) -> tuple[float, float]:
    joined = site.ask("late_join")[0]
    return joined["join_ms"], joined["after_connect_ms"]


def _measure(
    result: Result, relay: Child, sites: list[Child], warmup: float, window: float
) -> None:
    time.sleep(warmup)
    before = [s.ask("snapshot") for s in sites]
    cpu_relay, cpu_sites = relay.cpu(), sum(s.cpu() for s in sites)
    kernel_relay = cpu_split(relay.process.pid)[1]
    busy, _ = machine_busy()
    wall, start = time.time(), time.monotonic()
    time.sleep(window)
    relay_used, sites_used = relay.cpu() - cpu_relay, sum(s.cpu() for s in sites) - cpu_sites
    busy2, _ = machine_busy()
    wall2, span = time.time(), time.monotonic() - start
    after = [s.ask("snapshot") for s in sites]
    result.relay_cpu = relay_used / span * 100
    result.relay_kernel = (cpu_split(relay.process.pid)[1] - kernel_relay) / span * 100
    result.generator_cpu = sites_used / span * 100
    result.others_cpu = max(0.0, (busy2 - busy) - relay_used - sites_used) / span * 100
    rates = _rates(before, after)
    result.video_streams, result.audio_streams = len(rates["video"]), len(rates["audio"])
    result.fps_mean, result.fps_min = statistics.fmean(rates["video"]), min(rates["video"])
    result.audio_mean, result.audio_min = statistics.fmean(rates["audio"]), min(rates["audio"])
    expected = result.video_streams * FPS + result.audio_streams * AUDIO_RATE
    delivered = sum(rates["video"]) + sum(rates["audio"])
    result.relay_cpu_full = result.relay_cpu * expected / max(delivered, 1.0)
    sends = sites[0].ask("logs")[0]
    pictures = [p for s in sites[1:] for p in s.ask("logs")[1] if wall <= p[0] <= wall2]
    latencies = _latencies([(t, i) for t, i in sends], [(t, i) for t, i in pictures])
    result.latency_p50, result.latency_p95 = (
        _percentile(latencies, 0.5),
        _percentile(latencies, 0.95),
    )


def _f(value: float, digits: int = 0) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def table(results: list[Result]) -> str:
    rows = [
        "| K | mode | streams v+a | relay CPU % (at full rate) | of which kernel % | "
        "CPU %/stream | ratio | "
        "fps mean/min | "
        "audio pkt/s mean/min | latency p50/p95 ms | late join ms (after connect) | "
        "floor switch ms | generator CPU % | others CPU % |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    base = {r.sites: r for r in results if r.mode == "mediarelay"}
    for r in results:
        ratio = ""
        if r.mode != "mediarelay" and r.sites in base and not math.isnan(base[r.sites].per_stream):
            ratio = f"{base[r.sites].per_stream / r.per_stream:.0f}x" if r.per_stream else ""
        rows.append(
            f"| {r.sites} | {r.mode} | {r.video_streams}+{r.audio_streams} | "
            f"{_f(r.relay_cpu)} ({_f(r.relay_cpu_full)}) | {_f(r.relay_kernel)} | "
            f"{_f(r.per_stream, 2)} | {ratio} | "
            f"{_f(r.fps_mean, 1)}/{_f(r.fps_min, 1)} | "
            f"{_f(r.audio_mean, 1)}/{_f(r.audio_min, 1)} | "
            f"{_f(r.latency_p50)}/{_f(r.latency_p95)} | "
            f"{_f(r.join_ms)} ({_f(r.join_connected_ms)}) | "
            f"{_f(r.switch_ms)} | {_f(r.generator_cpu)} | {_f(r.others_cpu)} |"
            + (f" {r.error}" if r.error else "")
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="K = 2, 5 with short windows")
    parser.add_argument("--sites", type=int, nargs="*", help="values of K (default 2 5 13 25)")
    parser.add_argument(
        "--modes",
        nargs="*",
        choices=list(media_relay.MODES),
        help="forward: the relay as `python -m server` runs it (direct send through "
        "media/_fastpath.c); forward-python: direct send in Python (the relay before 30 Nov); "
        "forward-aiortc: av.Packet through aiortc's RTCRtpSender; mediarelay: aiortc's "
        "MediaRelay (baseline). Default: all four (--quick: forward and mediarelay)",
    )
    parser.add_argument("--baseline-max", type=int, default=13, help="largest K for MediaRelay")
    parser.add_argument("--window", type=float, help="measurement seconds per run")
    parser.add_argument(
        "--communes-muted",
        action="store_true",
        help="also run each mode as a meeting runs: communes publish audio but the hall "
        "receives only the floor holder's (they are muted until given the floor)",
    )
    args = parser.parse_args()
    sites = args.sites or ([2, 5] if args.quick else [2, 5, 13, 25])
    modes = args.modes or (
        ["forward", "mediarelay"]
        if args.quick
        else ["forward", "forward-python", "forward-aiortc", "mediarelay"]
    )
    window = args.window or (5.0 if args.quick else 10.0)
    warmup = 2.0 if args.quick else 3.0
    clip = ensure_clip()
    load_clip(clip)  # fail early on a damaged cache
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before the run")
    results = []
    for k in sites:
        for mode in modes:
            if mode == "mediarelay" and k > args.baseline_max:
                continue
            for muted in (
                (False, True) if args.communes_muted and mode != "mediarelay" else (False,)
            ):
                started = time.monotonic()
                result = run(mode, k, clip, warmup, window, muted)
                results.append(result)
                took = time.monotonic() - started
                cpu = _f(result.relay_cpu)
                print(
                    f"K={k} {result.mode}: relay {cpu} % of a core ({took:.0f} s) {result.error}",
                    flush=True,
                )

    print(f"load average after: {os.getloadavg()[0]:.2f}\n")
    print(table(results))


if __name__ == "__main__":
    main()
