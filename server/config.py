"""Settings read from ECABINET_* environment variables, with safe embedded defaults."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PREFIX = "ECABINET_"
ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(PREFIX + name, default)


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(PREFIX + name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything the server can be told from outside. See README "Settings"."""

    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = ROOT / "var"
    database_url: str = ""
    client_dir: Path = ROOT / "client-web" / "dist"
    seed_demo: bool = True
    seed_demo_meeting: bool = True  # the scenario's meeting, a week after the first start
    # A working day plus margin: officials stay logged in through a long meeting.
    session_hours: int = 12
    cookie_secure: bool = False
    # JSON bodies are small; uploads get their own limit on their own routes.
    max_json_bytes: int = 1_000_000
    # A CSV of a province's officials (~5 000 rows) is well under 2 MB.
    max_csv_bytes: int = 2_000_000
    # A scanned report of a few hundred pages; configurable for bigger archives.
    max_upload_bytes: int = 200 * 1024 * 1024
    # Per-viewer watermarked copies kept on disk; older ones are remade on demand.
    derived_cache_bytes: int = 2 * 1024**3

    login_max_failures: int = 5
    login_window_seconds: int = 900
    log_level: str = "INFO"
    log_json: bool = True
    trusted_origins: tuple[str, ...] = field(default_factory=tuple)
    demo_password: str = "ecabinet2026"
    # STUN/TURN servers for browsers and the relay, as RTCIceServer dicts (JSON in the env):
    # none by default — the embedded mode is one network; never a public server.
    ice_servers: tuple[dict[str, Any], ...] = ()
    # The relay's ICE host candidates on these addresses only (comma list); empty: every
    # interface but loopback, as aioice does.
    media_hosts: tuple[str, ...] = ()
    media: bool = True  # the video relay (aiortc); off leaves documents and meetings working
    # The unit's PKCS#12 signing certificate (the chair types its password when signing) and the
    # CA certificates trusted when verifying; without them the demo makes its own local CA.
    signing_p12: Path | None = None
    trust_roots: tuple[Path, ...] = ()
    redis_url: str = ""  # several server processes share live rooms through Redis
    redis_channel: str = "ecabinet"  # one channel per installation sharing a Redis
    instance: str = ""  # this process's stable name (default host:port)
    public_url: str = ""  # how users reach the server, for links in e-mails
    smtp_host: str = ""  # e-mail is sent only when this is set
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_from: str = "ecabinet@localhost"
    # argon2 memory cost; 0 keeps argon2-cffi's default (64 MiB). The test suite lowers it.
    password_memory_kib: int = 0
    # The edge (server/ops/edge.py, README "Install on a server"): HTTPS served by this process
    # (PEM certificate chain and key), a plain-HTTP port that redirects to it, HSTS on HTTPS
    # answers (0: none), and the reverse proxies whose X-Forwarded-* headers are believed.
    tls_cert: str = ""
    tls_key: str = ""
    http_redirect_port: int = 0
    hsts_seconds: int = 31_536_000
    trusted_proxies: tuple[str, ...] = ()
    # TURN with time-limited credentials (coturn's use-auth-secret): the shared secret, the
    # turn:/turns: URLs handed out with them, and how long a credential lasts.
    turn_secret: str = ""
    turn_urls: tuple[str, ...] = ()
    turn_ttl_hours: int = 24

    @property
    def instance_name(self) -> str:
        return self.instance or f"{self.host}:{self.port}"

    @property
    def link_base(self) -> str:
        return (
            self.public_url or f"{'https' if self.tls_cert else 'http'}://{self.host}:{self.port}"
        )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'ecabinet.sqlite3'}"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment; keyword overrides win (tests use them)."""
    values: dict[str, object] = {
        "host": _env("HOST", "127.0.0.1"),
        "port": int(_env("PORT", "8080")),
        "data_dir": Path(_env("DATA_DIR", str(ROOT / "var"))),
        "database_url": _env("DATABASE_URL", ""),
        "client_dir": Path(_env("CLIENT_DIR", str(ROOT / "client-web" / "dist"))),
        "seed_demo": _bool("SEED_DEMO", True),
        "seed_demo_meeting": _bool("SEED_DEMO_MEETING", True),
        "session_hours": int(_env("SESSION_HOURS", "12")),
        "cookie_secure": _bool("COOKIE_SECURE", False),
        "login_max_failures": int(_env("LOGIN_MAX_FAILURES", "5")),
        "login_window_seconds": int(_env("LOGIN_WINDOW_SECONDS", "900")),
        "max_upload_bytes": int(_env("MAX_UPLOAD_MB", "200")) * 1024 * 1024,
        "log_level": _env("LOG_LEVEL", "INFO"),
        "log_json": _bool("LOG_JSON", True),
        "trusted_origins": tuple(o for o in _env("TRUSTED_ORIGINS", "").split(",") if o),
        "demo_password": _env("DEMO_PASSWORD", "ecabinet2026"),
        "ice_servers": tuple(json.loads(_env("ICE_SERVERS", "[]"))),
        "media_hosts": tuple(h for h in _env("MEDIA_HOSTS", "").split(",") if h),
        "media": _bool("MEDIA", True),
        "signing_p12": Path(_env("SIGNING_P12", "")) if _env("SIGNING_P12", "") else None,
        "trust_roots": tuple(Path(p) for p in _env("TRUST_ROOTS", "").split(",") if p),
        "redis_url": _env("REDIS_URL", ""),
        "redis_channel": _env("REDIS_CHANNEL", "ecabinet"),
        "instance": _env("INSTANCE", ""),
        "public_url": _env("PUBLIC_URL", ""),
        "smtp_host": _env("SMTP_HOST", ""),
        "smtp_port": int(_env("SMTP_PORT", "25")),
        "smtp_user": _env("SMTP_USER", ""),
        "smtp_password": _env("SMTP_PASSWORD", ""),
        "smtp_starttls": _bool("SMTP_STARTTLS", False),
        "smtp_from": _env("SMTP_FROM", "ecabinet@localhost"),
        "password_memory_kib": int(_env("PASSWORD_MEMORY_KIB", "0")),
        "tls_cert": _env("TLS_CERT", ""),
        "tls_key": _env("TLS_KEY", ""),
        "http_redirect_port": int(_env("HTTP_REDIRECT_PORT", "0")),
        "hsts_seconds": int(_env("HSTS_SECONDS", "31536000")),
        "trusted_proxies": tuple(p for p in _env("TRUSTED_PROXIES", "").split(",") if p.strip()),
        "turn_secret": _env("TURN_SECRET", ""),
        "turn_urls": tuple(u for u in _env("TURN_URLS", "").split(",") if u.strip()),
        "turn_ttl_hours": int(_env("TURN_TTL_HOURS", "24")),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
