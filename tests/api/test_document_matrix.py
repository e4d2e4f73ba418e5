"""The document authorisation matrix: role × confidentiality × action, as one table."""

from __future__ import annotations

import pytest

from tests.api.documents_helpers import REPORT, upload
from tests.api.meeting_helpers import ids, published
from tests.documents.samples import text_pdf

LEVELS = ("normal", "restricted", "secret")
# who -> per level: True reads and downloads, False reads only, None is not told it exists.
MATRIX = {
    "thuky": {
        "normal": True,
        "restricted": False,
        "secret": True,
    },  # organiser
    "chutich": {
        "normal": True,
        "restricted": False,
        "secret": True,
    },  # chair
    "tp.noivu": {
        "normal": True,
        "restricted": False,
        "secret": True,
    },  # invitee
    "pct.vinh-nhuan": {
        "normal": True,
        "restricted": False,
        "secret": True,
    },  # substitute
    "xa-vinh-hanh": {
        "normal": True,
        "restricted": False,
        "secret": True,
    },  # site
    "tp.tainguyen": {
        "normal": True,
        "restricted": False,
        "secret": None,
    },  # observer
    "tp.tuphap": {
        "normal": None,
        "restricted": None,
        "secret": None,
    },  # a stranger to a closed meeting
}


@pytest.fixture
async def documents(login_as) -> dict:
    secretary = await login_as("thuky")
    people = await ids(secretary, "users")
    open_meeting = await published(
        secretary, ["tp.noivu", "ct.vinh-nhuan"], ["xa-vinh-hanh"], access="open"
    )
    closed = await published(
        secretary, ["tp.noivu", "ct.vinh-nhuan"], ["xa-vinh-hanh"], title="Họp kín"
    )
    await (await login_as("ct.vinh-nhuan")).post(
        f"/api/meetings/{open_meeting['id']}/answer",
        json={"answer": "delegated", "substitute_id": people["pct.vinh-nhuan"]},
    )
    await (await login_as("ct.vinh-nhuan")).post(
        f"/api/meetings/{closed['id']}/answer",
        json={"answer": "delegated", "substitute_id": people["pct.vinh-nhuan"]},
    )
    made = {}
    for name, meeting in (("open", open_meeting), ("closed", closed)):
        for level in LEVELS:
            _, body = await upload(
                secretary, meeting["id"], text_pdf(REPORT), confidentiality=level
            )
            made[(name, level)] = (meeting["id"], body["document"]["id"])
    return made


@pytest.mark.parametrize("who", sorted(MATRIX))
async def test_matrix(login_as, documents, who) -> None:
    api = await login_as(who)
    for (meeting_kind, level), (meeting_id, doc_id) in documents.items():
        expected = MATRIX[who][level]
        if who == "tp.tuphap" and meeting_kind == "open":
            expected = MATRIX["tp.tainguyen"][
                level
            ]  # the stranger is an observer of an open meeting
        if who == "tp.tainguyen" and meeting_kind == "closed":
            expected = None
        _, listing = await api.get(f"/api/meetings/{meeting_id}/documents")
        listed = doc_id in [d["id"] for d in listing.get("documents", [])]
        view = (await api.client.get(f"/api/documents/{doc_id}/file")).status
        download = (await api.client.get(f"/api/documents/{doc_id}/download")).status
        where = (who, meeting_kind, level)
        if expected is None:
            assert (listed, view, download) == (False, 404, 404), where
        else:
            assert listed and view == 200, where
            assert download == (200 if expected else 403), where
