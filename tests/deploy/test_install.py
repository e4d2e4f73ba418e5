"""deploy/install.sh, run twice into a scratch PREFIX (a self-contained installation): both
runs succeed, the second keeps the settings and secrets the first wrote, the systemd units
verify, the nginx site passes `nginx -t`, and the installed app runs: the `ecabinet` command
creates the first administrator, migrates and backs up, and the installed server logs them in."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from server.config import ROOT
from tests.deploy.conftest import debian_program
from tests.deploy.support import Remote, clean_env, free_port, run, running

pytestmark = pytest.mark.timeout(420)

PASSWORD = "mat-khau-quan-tri-2026"


def env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"(ECABINET_\w+)=(.*)", line.strip())
        if match:
            values[match[1]] = match[2].strip("'\"")
    return values


async def test_install_twice_into_a_scratch_prefix(tmp_path: Path) -> None:
    prefix = tmp_path / "root"
    env = clean_env(
        PREFIX=str(prefix), ECABINET_DOMAIN="ecabinet.test", ECABINET_MEDIA_IP="127.0.0.1"
    )
    status, first = await run(ROOT / "deploy" / "install.sh", env=env, timeout=360)
    assert status == 0, first[-5000:]
    assert "skipped systemctl" in first

    app, etc = prefix / "opt" / "ecabinet", prefix / "etc"
    settings = env_file(etc / "ecabinet" / "ecabinet.env")
    assert stat.S_IMODE((etc / "ecabinet" / "ecabinet.env").stat().st_mode) == 0o640
    assert settings["ECABINET_DATA_DIR"] == str(prefix / "var" / "lib" / "ecabinet")
    assert settings["ECABINET_TRUSTED_PROXIES"].startswith("127.0.0.1")
    secret = settings["ECABINET_TURN_SECRET"]
    assert len(secret) == 64
    assert f"static-auth-secret={secret}" in (etc / "turnserver.conf").read_text()
    assert (app / "app" / "client-web" / "dist" / "index.html").is_file()
    assert not (app / "app" / "client-web" / "node_modules").exists()
    assert (etc / "nginx" / "sites-enabled" / "ecabinet").resolve() == (
        etc / "nginx" / "sites-available" / "ecabinet"
    )
    for name in ("fullchain.pem", "privkey.pem"):
        assert (etc / "ecabinet" / "tls" / name).is_file()

    # --- again: nothing breaks, nothing written by the first run is replaced -------------------
    (etc / "ecabinet" / "ecabinet.env").write_text(
        (etc / "ecabinet" / "ecabinet.env").read_text() + "# edited by the IT officer\n"
    )
    status, second = await run(ROOT / "deploy" / "install.sh", env=env, timeout=360)
    assert status == 0, second[-5000:]
    assert (
        "keeping" in second
        and "edited by the IT officer" in (etc / "ecabinet" / "ecabinet.env").read_text()
    )
    assert env_file(etc / "ecabinet" / "ecabinet.env")["ECABINET_TURN_SECRET"] == secret
    assert not list(etc.rglob("*.ecabinet-new"))  # the shipped files did not change

    # --- the units are valid systemd units; the site is valid nginx configuration ------------
    units = etc / "systemd" / "system"
    status, out = await run(
        "systemd-analyze",
        "verify",
        *(
            units / u
            for u in ("ecabinet.service", "ecabinet-backup.service", "ecabinet-backup.timer")
        ),
        env=env,
    )
    assert status == 0 and not out.strip(), out
    unit = (units / "ecabinet.service").read_text()
    assert "Restart=on-failure" in unit and f"EnvironmentFile={etc}/ecabinet/ecabinet.env" in unit
    conf = tmp_path / "nginx-check.conf"
    conf.write_text(
        f"events {{}}\nhttp {{ include /etc/nginx/mime.types; "
        f"include {etc}/nginx/sites-enabled/ecabinet; }}\n"
    )
    status, out = await run(debian_program("nginx", "nginx"), "-t", "-q", "-c", conf, env=env)
    assert status == 0, out

    # --- the installed app works: first administrator, migrate, backup, serve -----------------
    ecabinet = prefix / "usr" / "local" / "sbin" / "ecabinet"
    (tmp_path / "password").write_text(PASSWORD + "\n")
    status, out = await run(
        ecabinet,
        "create-admin",
        "--unit-name",
        "Ủy ban nhân dân huyện Thử Nghiệm",
        "--unit-code",
        "ubnd-thu-nghiem",
        "--full-name",
        "Nguyễn Văn Quản Trị",
        "--password-file",
        tmp_path / "password",
        env=env,
    )
    assert status == 0, out
    status, out = await run(ecabinet, "migrate", "--check", env=env)
    assert status == 0 and "up to date" in out, out
    status, out = await run(ecabinet, "backup", env=env)
    assert status == 0, out
    assert list((prefix / "var" / "backups" / "ecabinet").glob("ecabinet-*.tar.gz"))

    port = free_port()
    installed = clean_env(**{**settings, "ECABINET_PORT": str(port), "ECABINET_MEDIA": "0"})
    python = app / "venv" / "bin" / "python"
    async with running(installed, tmp_path / "app.log", python=python, cwd=app / "app") as server:
        admin = await Remote(server.base).login("quantri", PASSWORD)
        try:
            status, body = await admin.call("GET", "/api/units")
            assert status == 200 and body["units"][0]["code"] == "ubnd-thu-nghiem", body
            status, page = await admin.call("GET", "/")
            assert status == 200 and b'<div id="app">' in page
        finally:
            await admin.close()
    assert os.environ.get("PREFIX") is None  # nothing leaked into the test run
