"""Media plane: a selective forwarding relay for encoded audio and video (aiortc).

Knows rooms, publishers, subscribers and tracks -- never meetings, users or documents.
The control plane drives it through `media.interfaces.MediaBackend` (implemented by
`media.router.Relay`) and hears from it through `media.interfaces.MediaEvents`.
"""

from media.aiortc_seams import SeamError, check_seams
from media.config import IceServer, RelaySettings
from media.interfaces import (
    MediaBackend,
    MediaError,
    MediaEvents,
    NoEvents,
    PeerStats,
    RelayCounters,
    SlotInfo,
)
from media.peer import MAX_SDP_BYTES
from media.router import Relay

__all__ = [
    "MAX_SDP_BYTES",
    "IceServer",
    "MediaBackend",
    "MediaError",
    "MediaEvents",
    "NoEvents",
    "PeerStats",
    "Relay",
    "RelayCounters",
    "RelaySettings",
    "SeamError",
    "SlotInfo",
    "check_seams",
]
