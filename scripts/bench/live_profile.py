"""Summarise py-spy's collapsed stacks (`live.py --profile DIR` writes them): where the server's
CPU went, by function, inclusive and self, and by the buckets that matter for page-follow.

    .venv/bin/python scripts/bench/live_profile.py /tmp/prof/sqlite1-500-paced-a.txt [--top 25]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

LINE = re.compile(r":\d+\)")

# (bucket, a frame that marks it): the first bucket whose marker is in a stack wins.
BUCKETS = [
    ("page op: permission + presentable checks (DB)", "check_presentable ("),
    ("page op: meeting access load (DB)", "load (server/services/live/access.py"),
    ("page op: commit", "AsyncSession.commit ("),
    ("page op: other (state, emit bookkeeping)", "present (server/services/live/stage.py"),
    ("fan-out: emit to room (task per client)", "AsyncManager.emit ("),
    ("fan-out: per-client send task", "AsyncServer._send_eio_packet ("),
    ("websocket write (engine.io writer, aiohttp)", "AsyncSocket._websocket_handler"),
    ("roll-call / presence", "rollcall.py"),
    ("redis pub/sub", "redis"),
    ("event loop (select, callbacks)", "BaseEventLoop._run_once ("),
]


def read(path: Path, keep_lines: bool = False) -> Counter[tuple[str, ...]]:
    stacks: Counter[tuple[str, ...]] = Counter()
    for raw in path.read_text().splitlines():
        stack, _, count = raw.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        if not keep_lines:
            frames = [LINE.sub(")", f) for f in frames]
        stacks[tuple(frames)] += int(count)
    return stacks


def summarise(stacks: Counter[tuple[str, ...]], top: int) -> str:
    total = sum(stacks.values()) or 1
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    for frames, count in stacks.items():
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
        joined = ";".join(frames)
        bucket = next((name for name, mark in BUCKETS if mark in joined), "other")
        buckets[bucket] += count
    out = [f"{total} samples"]
    out.append("\nby bucket:")
    out += [f"  {n / total:6.1%}  {name}" for name, n in buckets.most_common()]
    out.append(f"\ninclusive (top {top}):")
    out += [f"  {n / total:6.1%}  {f}" for f, n in inclusive.most_common(top)]
    out.append(f"\nself (top {top}):")
    out += [f"  {n / total:6.1%}  {f}" for f, n in own.most_common(top)]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", type=Path, nargs="+")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--lines", action="store_true", help="keep line numbers in frames")
    args = ap.parse_args()
    for path in args.files:
        print(f"== {path}")
        print(summarise(read(path, args.lines), args.top))


if __name__ == "__main__":
    main()
