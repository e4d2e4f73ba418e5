"""Office files to PDF with LibreOffice headless (Debian's libreoffice-*-nogui packages).

Each conversion is its own `soffice` run with a fresh user profile in a private temporary
directory (concurrent runs sharing a profile block each other, and a profile left by a crashed
run can wedge the next). It runs in a new session so a timeout kills the whole process group
(soffice → oosplash → soffice.bin), under `prlimit` memory and CPU limits (util-linux, always
present on Debian), and without network: `unshare --net --map-root-user` gives it a network
namespace of its own with only a loopback that is down, so a hostile document cannot fetch
or send anything (linked images, external data sources). That needs unprivileged user
namespaces (Debian's default); where the kernel refuses them the server logs it once and
converts with the network. The event loop only awaits the child. The result is validated by
the caller with `inspect_pdf`, like any uploaded PDF.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from storage.pdf.errors import Busy, ConversionFailed
from storage.pdf.sniff import FileKind

log = logging.getLogger(__name__)
GiB = 1024 * 1024 * 1024


@dataclass(frozen=True)
class ConvertLimits:
    soffice: str = "soffice"  # a path or a name on PATH; tests point it at a fake
    # A 240-page text DOCX converts in ~2 s here; tables and images take longer; 60 s is stuck.
    timeout_seconds: float = 60.0
    # soffice.bin maps ~1 GiB of address space at start; 3 GiB leaves room for big sheets.
    memory_bytes: int = 3 * GiB
    cpu_seconds: int = 120  # the wall-clock timeout acts first unless the run is all CPU
    # LibreOffice is heavy (~300 MB, a core): one run at a time keeps the server responsive.
    concurrency: int = 1
    # Uploads queued behind it beyond this are told "busy": a minute's worth of conversions.
    max_waiting: int = 16
    # The tail of soffice's output kept for the log when a run fails.
    log_tail: int = 2000
    # Convert in a network namespace of its own (no network at all), where the kernel allows.
    isolate_network: bool = True


class OfficeConverter:
    """`await converter.convert(path, kind, workdir)` → the PDF's path inside `workdir`."""

    def __init__(self, limits: ConvertLimits | None = None) -> None:
        self.limits = limits or ConvertLimits()
        self._slots = asyncio.Semaphore(self.limits.concurrency)
        self._queued = 0

    async def convert(self, source: Path, kind: FileKind, workdir: Path) -> Path:
        """Convert `source` (whose kind was sniffed from its bytes) to `workdir`/source.pdf.

        `workdir` must be an empty private directory the caller removes afterwards.
        """
        if not kind.needs_conversion:
            raise ValueError("a PDF needs no conversion")
        # The name LibreOffice sees comes from the sniffed kind, never from the client.
        named = workdir / f"source.{kind.value}"
        await asyncio.to_thread(_link, source, named)
        if self._queued >= self.limits.concurrency + self.limits.max_waiting:
            raise Busy("document_busy")
        self._queued += 1
        try:
            async with self._slots:
                await self._run(named, workdir)
        finally:
            self._queued -= 1
        result = workdir / "out" / "source.pdf"
        if not await asyncio.to_thread(_non_empty, result):
            raise ConversionFailed("document_conversion_failed")
        return result

    async def _run(self, named: Path, workdir: Path) -> None:
        process = await asyncio.create_subprocess_exec(
            *self._command(named, workdir, await self._isolation()),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=workdir,
            env=_environment(workdir),
            start_new_session=True,  # its own process group, killed as one on timeout
        )
        try:
            output, _ = await asyncio.wait_for(
                process.communicate(), timeout=self.limits.timeout_seconds
            )
        except TimeoutError:
            await _kill_group(process)
            raise ConversionFailed(
                "document_conversion_timeout", seconds=round(self.limits.timeout_seconds)
            ) from None
        except asyncio.CancelledError:
            await _kill_group(process)
            raise
        if process.returncode != 0:
            tail = output[-self.limits.log_tail :].decode("utf-8", "replace")
            log.warning("soffice exited with %s: %s", process.returncode, tail)
            raise ConversionFailed("document_conversion_failed")

    async def _isolation(self) -> tuple[str, ...]:
        """The no-network prefix; probed once, off the event loop (it runs `unshare true`)."""
        if not self.limits.isolate_network:
            return ()
        return await asyncio.to_thread(_no_network)

    def _command(self, named: Path, workdir: Path, isolation: tuple[str, ...]) -> list[str]:
        soffice = shutil.which(self.limits.soffice)
        if soffice is None:  # the server's fault, not the upload's: a 5xx with a fix
            raise RuntimeError(
                f"LibreOffice ({self.limits.soffice}) is not installed: apt-get install "
                "libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui"
            )
        limits = [f"--as={self.limits.memory_bytes}", f"--cpu={self.limits.cpu_seconds}"]
        prlimit = shutil.which("prlimit")
        if prlimit is None:
            log.warning("prlimit (util-linux) not found: LibreOffice runs without rlimits")
        wrapper = [prlimit, *limits, "--"] if prlimit else []
        wrapper = [*isolation, *wrapper]

        return [
            *wrapper,
            soffice,
            f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir / "out"),
            str(named),
        ]


@cache
def _no_network() -> tuple[str, ...]:
    """The command prefix that runs a program without network, or () where it cannot be."""
    unshare = shutil.which("unshare")
    prefix = (unshare, "--net", "--map-root-user", "--") if unshare else ()
    try:
        works = bool(prefix) and subprocess.run([*prefix, "true"], timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        works = False
    if not works:
        log.warning(
            "LibreOffice converts with network access: `unshare --net --map-root-user` failed "
            "(unprivileged user namespaces disabled? kernel.unprivileged_userns_clone)"
        )
        return ()
    return prefix


def _link(source: Path, named: Path) -> None:

    named.symlink_to(source.absolute())


def _non_empty(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def _environment(workdir: Path) -> dict[str, str]:
    # A minimal environment: LibreOffice writes to HOME and TMPDIR, both private to this run.
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "LANG": "C.UTF-8",
        "SAL_USE_VCLPLUGIN": "svp",  # no display
    }


async def _kill_group(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        await process.wait()
