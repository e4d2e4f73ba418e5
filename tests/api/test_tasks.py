"""Follow-up tasks: who sees them, who changes what, reminders and overdue with a set clock."""

from __future__ import annotations

from datetime import date, timedelta

from server import keys
from server.services import Context, tasks
from tests.api.documents_helpers import upload
from tests.api.meeting_helpers import ids, published
from tests.conftest import error_code
from tests.documents.samples import text_pdf

TODAY = date(2026, 12, 10)


async def _ended_meeting(login_as) -> tuple[dict, dict, dict]:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["tp.noivu", "tp.vanhoa"], ["xa-vinh-hanh"])
    chair = await login_as("chutich")
    for step in ("start", "end"):
        assert (await chair.post(f"/api/meetings/{meeting['id']}/{step}"))[0] == 200
    return meeting, await ids(secretary, "users"), await ids(secretary, "units")


async def test_tasks_visibility_updates_and_results(login_as) -> None:
    meeting, people, units = await _ended_meeting(login_as)
    secretary = await login_as("thuky")
    mid = meeting["id"]
    status, body = await secretary.post(
        f"/api/meetings/{mid}/tasks",
        json={
            "title": "Hoàn thiện Kế hoạch chuyển đổi số 2027",
            "due_on": (TODAY + timedelta(days=2)).isoformat(),
            "assignee_unit_id": units["p-noi-vu"],
        },
    )
    assert status == 201 and body["task"]["assignee_name"] == "Phòng Nội vụ"
    unit_task = body["task"]["id"]
    status, body = await secretary.post(
        f"/api/meetings/{mid}/tasks",
        json={
            "title": "Báo cáo hạ tầng mạng các xã",
            "due_on": (TODAY - timedelta(days=1)).isoformat(),
            "assignee_user_id": people["tp.vanhoa"],
        },
    )
    person_task = body["task"]["id"]
    status, body = await secretary.post(
        f"/api/meetings/{mid}/tasks", json={"title": "x", "due_on": TODAY.isoformat()}
    )
    assert status == 422 and error_code(body) == "task_assignee"

    noivu = await login_as("tp.noivu")
    _, mine = await noivu.get("/api/tasks")
    assert [t["id"] for t in mine["tasks"]] == [unit_task]
    _, theirs = await (await login_as("tp.tuphap")).get("/api/tasks")
    assert theirs["tasks"] == []
    status, _ = await (await login_as("tp.tuphap")).get(f"/api/tasks/{unit_task}")
    assert status == 404
    _, chairs = await (await login_as("chutich")).get("/api/tasks")
    assert {t["id"] for t in chairs["tasks"]} == {unit_task, person_task}
    _, _notes = await noivu.get("/api/notifications")
    assert _notes["notifications"][0]["kind"] == "task.assigned"

    status, body = await noivu.patch(
        f"/api/tasks/{unit_task}", json={"status": "in_progress", "result_note": "Đã dự thảo"}
    )
    assert status == 200 and body["task"]["status"] == "in_progress"
    status, body = await noivu.patch(f"/api/tasks/{unit_task}", json={"due_on": "2030-01-01"})
    assert status == 403
    status, body = await upload(
        noivu, 0, text_pdf(["Kết quả"]), name="Ket qua.pdf", path=f"/api/tasks/{unit_task}/result"
    )
    assert status == 200 and body["task"]["result_name"] == "Ket qua.pdf"
    resp = await secretary.client.get(f"/api/tasks/{unit_task}/result")
    assert resp.status == 200 and (await resp.read()).startswith(b"%PDF")


async def test_reminders_and_overdue_with_a_set_clock(login_as, server) -> None:
    meeting, people, _units = await _ended_meeting(login_as)
    secretary = await login_as("thuky")
    for title, due, assignee in (
        ("Sắp đến hạn", TODAY + timedelta(days=2), people["tp.noivu"]),
        ("Đã quá hạn", TODAY - timedelta(days=1), people["tp.vanhoa"]),
        ("Còn xa", TODAY + timedelta(days=30), people["tp.noivu"]),
    ):
        await secretary.post(
            f"/api/meetings/{meeting['id']}/tasks",
            json={"title": title, "due_on": due.isoformat(), "assignee_user_id": assignee},
        )
    app = server.app
    async with app[keys.DATABASE].session() as db:
        ctx = Context(db=db, actor=None, bus=app[keys.EVENTS])
        assert await tasks.send_reminders(ctx, TODAY) == (1, 1)
        assert await tasks.send_reminders(ctx, TODAY) == (0, 0)  # once a day
        assert await tasks.send_reminders(ctx, TODAY + timedelta(days=1)) == (1, 1)
    _, notes = await (await login_as("tp.noivu")).get("/api/notifications")
    assert "task.reminder" in [n["kind"] for n in notes["notifications"]]
    _, notes = await secretary.get("/api/notifications")
    assert next(n["title"] for n in notes["notifications"] if n["kind"] == "task.overdue").endswith(
        "Đã quá hạn"
    )
    # The overdue list (today's real date is far before TODAY, so use the service's filter).
    async with app[keys.DATABASE].session() as db:
        from server.services.auth import actor_of
        from storage.models import User

        me = await db.get(User, people["thuky"])
        rows = await tasks.list_visible(Context(db=db, actor=actor_of(me)), overdue_on=TODAY)
        assert [t.title for t in rows] == ["Đã quá hạn"]
