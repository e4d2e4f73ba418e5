"""The aiortc internals the relay relies on are still there (run at start-up too)."""

from __future__ import annotations

import aiortc
import pytest
from aiortc.rtcrtpreceiver import RTCRtpReceiver

from media import MediaBackend, Relay, SeamError, aiortc_seams, check_seams


def test_seams_match_the_installed_aiortc() -> None:
    check_seams()


@pytest.mark.parametrize(
    ("target", "name", "value", "message"),
    [
        (aiortc, "__version__", "9.9.9", "version differs"),
        (RTCRtpReceiver, "_send_rtcp_pli", lambda self: None, "_send_rtcp_pli"),
        # The lean receive path replicates it: any change to it must be re-verified.
        (RTCRtpReceiver, "_handle_rtp_packet", lambda self, packet: None, "_handle_rtp_packet"),
    ],
)
def test_a_changed_aiortc_is_refused_with_the_seam_named(
    monkeypatch: pytest.MonkeyPatch, target: object, name: str, value: object, message: str
) -> None:
    monkeypatch.setattr(target, name, value)
    with pytest.raises(SeamError, match=message):
        check_seams()
    with pytest.raises(SeamError):
        Relay()  # the relay refuses to start


def test_the_relay_is_the_backend_the_control_plane_expects() -> None:
    def backend(relay: Relay) -> MediaBackend:
        return relay  # mypy checks the structural match; this checks the names at run time

    names = [n for n in dir(MediaBackend) if not n.startswith("_")]
    assert all(callable(getattr(Relay, n, None)) for n in names)
    assert backend is not None


def test_a_relay_without_its_compiled_modules_says_so_and_still_starts(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A build without a C compiler (simulated: the modules did not import) is slower, not
    broken: the relay starts on its Python path and the log says why it costs more."""
    Relay()
    assert "not built" not in caplog.text  # this machine builds them
    monkeypatch.setattr(aiortc_seams, "_receive", None)
    monkeypatch.setattr(aiortc_seams, "_fastpath", None)
    check_seams()
    Relay()
    assert "media/_fastpath.c and media/_receive.c not built" in caplog.text
