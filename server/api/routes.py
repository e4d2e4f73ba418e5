"""Every HTTP route, declared in one place. The OpenAPI document is generated from this table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from pydantic import BaseModel

from server import schemas as s
from server.api import (
    auth,
    documents,
    live,
    meetings,
    minutes,
    notifications,
    system,
    tasks,
    units,
    users,
)
from server.schemas import documents as d
from server.schemas import live as lv
from server.schemas import meetings as m
from server.schemas import minutes as mn
from server.schemas import tasks as t

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | str | None = None  # a model, or a media type for raw bodies
    response: type[BaseModel] | None = None
    status: int = 200
    csrf: bool = True  # state-changing routes need the X-CSRF-Token header
    query: tuple[str, ...] = ()
    errors: tuple[int, ...] = field(default=(401, 403))


# One line of intent per route; kept compact on purpose (fmt: off) so the table reads as one.
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", "/healthz", system.healthz, "Liveness and database check", "system",
          response=s.Health, errors=(503,)),
    Route("GET", "/metrics", system.metrics, "Prometheus metrics", "system", errors=()),
    Route("GET", "/api/openapi.json", system.openapi, "This document", "system", errors=()),
    Route("POST", "/api/auth/login", auth.login, "Log in with username and password", "auth",
          body=s.LoginIn, response=s.SessionOut, csrf=False, errors=(401, 422, 429)),
    Route("GET", "/api/auth/session", auth.current_session, "The current session", "auth",
          response=s.SessionOut, errors=(401,)),
    Route("POST", "/api/auth/logout", auth.logout, "End this session", "auth", status=204),
    Route("POST", "/api/auth/logout-all", auth.logout_all, "End every session of mine", "auth",
          status=204),
    Route("POST", "/api/me/password", auth.change_password, "Change my password", "auth",
          body=s.PasswordChangeIn, status=204, errors=(401, 422)),
    Route("GET", "/api/units", units.list_units, "The organisation tree (flat list)", "units",
          response=s.UnitList),
    Route("POST", "/api/units", units.create_unit, "Create a unit", "units",
          body=s.UnitIn, response=s.UnitEnvelope, status=201, errors=(401, 403, 404, 409, 422)),
    Route("PATCH", "/api/units/{id}", units.update_unit, "Edit or disable a unit", "units",
          body=s.UnitPatch, response=s.UnitEnvelope, errors=(401, 403, 404, 409, 422)),
    Route("GET", "/api/users", users.list_users, "List users", "users",
          response=s.UserList, query=("unit_id", "q", "role")),
    Route("POST", "/api/users", users.create_user, "Create a user (password generated)", "users",
          body=s.UserIn, response=s.CreatedUser, status=201, errors=(401, 403, 404, 409, 422)),
    Route("POST", "/api/users/import", users.import_users, "Import users from CSV", "users",
          body="text/csv", response=s.ImportResult, errors=(401, 403, 413, 415, 422)),
    Route("GET", "/api/users/{id}", users.read_user, "One user", "users",
          response=s.UserEnvelope, errors=(401, 403, 404)),
    Route("PATCH", "/api/users/{id}", users.update_user, "Edit or disable a user", "users",
          body=s.UserPatch, response=s.UserEnvelope, errors=(401, 403, 404, 409, 422)),
    Route("POST", "/api/users/{id}/reset-password", users.reset_password,
          "Give a user a new generated password", "users", response=s.NewPassword,
          errors=(401, 403, 404)),
    Route("GET", "/api/audit", system.list_audit, "The audit log, newest first", "system",
          response=s.AuditList, query=("object_type", "limit")),
    # Meetings
    Route("GET", "/api/meetings", meetings.list_meetings,
          "My meetings (organised, invited, substituting, chaired, open), by time, title or unit",
          "meetings", response=m.MeetingList, query=("from", "to", "q", "unit_id", "limit")),
    Route("POST", "/api/meetings", meetings.create_meeting, "Create a draft meeting", "meetings",
          body=m.MeetingIn, response=m.MeetingEnvelope, status=201, errors=(401, 403, 404, 422)),
    Route("GET", "/api/meetings/{id}", meetings.read_meeting, "One meeting", "meetings",
          response=m.MeetingEnvelope, errors=(401, 404)),
    Route("PATCH", "/api/meetings/{id}", meetings.update_meeting,
          "Edit a meeting (invitees are told what changed once published)", "meetings",
          body=m.MeetingPatch, response=m.MeetingEnvelope, errors=(401, 403, 404, 409, 422)),
    Route("POST", "/api/meetings/{id}/publish", meetings.publish_meeting,
          "Publish: every invitee is notified", "meetings", response=m.MeetingEnvelope,
          errors=(401, 403, 404, 409, 422)),
    Route("POST", "/api/meetings/{id}/postpone", meetings.postpone_meeting,
          "Move a published meeting, with a reason", "meetings", body=m.PostponeIn,
          response=m.MeetingEnvelope, errors=(401, 403, 404, 409, 422)),
    Route("POST", "/api/meetings/{id}/cancel", meetings.cancel_meeting,
          "Cancel, with a reason", "meetings", body=m.ReasonIn, response=m.MeetingEnvelope,
          errors=(401, 403, 404, 409, 422)),
    Route("POST", "/api/meetings/{id}/start", meetings.start_meeting, "Start the meeting",
          "meetings", response=m.MeetingEnvelope, errors=(401, 403, 404, 409)),
    Route("POST", "/api/meetings/{id}/end", meetings.end_meeting, "End the meeting", "meetings",
          response=m.MeetingEnvelope, errors=(401, 403, 404, 409)),
    Route("POST", "/api/meetings/{id}/archive", meetings.archive_meeting,
          "Archive an ended meeting (read-only from then on)", "meetings",
          response=m.MeetingEnvelope, errors=(401, 403, 404, 409)),
    Route("GET", "/api/meetings/{id}/agenda", meetings.read_agenda,
          "The agenda with computed start times", "agenda", response=m.Agenda, errors=(401, 404)),
    Route("POST", "/api/meetings/{id}/agenda", meetings.add_agenda_item, "Add an agenda item",
          "agenda", body=m.AgendaItemIn, response=m.AgendaItemEnvelope, status=201,
          errors=(401, 403, 404, 409, 422)),
    Route("PATCH", "/api/meetings/{id}/agenda/{item_id}", meetings.update_agenda_item,
          "Edit or withdraw an agenda item", "agenda", body=m.AgendaItemPatch,
          response=m.AgendaItemEnvelope, errors=(401, 403, 404, 409, 422)),
    Route("PUT", "/api/meetings/{id}/agenda/order", meetings.reorder_agenda,
          "Reorder the agenda (and nest items one level)", "agenda", body=m.AgendaOrderIn,
          response=m.Agenda, errors=(401, 403, 404, 409, 422)),
    Route("POST", "/api/meetings/{id}/invitations", meetings.invite,
          "Invite people, departments as a whole, and commune sites", "invitations",
          body=m.InviteIn, response=m.InviteResult, errors=(401, 403, 404, 409, 422)),
    Route("DELETE", "/api/meetings/{id}/invitations/{invitation_id}", meetings.uninvite,
          "Withdraw an invitation", "invitations", status=204, errors=(401, 403, 404, 409)),
    Route("POST", "/api/meetings/{id}/answer", meetings.answer,
          "Answer my invitation: attend, decline with a reason, or send a substitute",
          "invitations", body=m.AnswerIn, response=m.InvitationEnvelope,
          errors=(401, 403, 404, 409, 422)),
    Route("GET", "/api/meetings/{id}/substitutes", meetings.substitutes,
          "Colleagues I may send in my place (ủy quyền)", "invitations",
          response=m.PeopleList, errors=(401, 403, 404)),
    Route("GET", "/api/meetings/{id}/attendance", meetings.attendance,
          "The attendance board, per person and per commune", "invitations",
          response=m.AttendanceBoard, errors=(401, 403, 404)),
    Route("POST", "/api/meetings/{id}/remind", meetings.remind,
          "Remind those who have not answered", "invitations", response=m.ReminderResult,
          errors=(401, 403, 404, 409)),
    Route("GET", "/api/meetings/{id}/votes", live.list_votes,
          "The meeting's votes and results; names per ballot for closed open votes", "live",
          response=lv.VoteList, errors=(401, 404)),
    # Documents
    Route("GET", "/api/meetings/{id}/documents", documents.list_documents,
          "The meeting's materials I may see", "documents", response=d.DocumentList,
          errors=(401, 404)),
    Route("POST", "/api/meetings/{id}/documents", documents.create_document,
          "Upload a material (PDF, DOC/DOCX, XLS/XLSX, PPT/PPTX, ODT; multipart: file, title, "
          "agenda_item_id, confidentiality, access_until)", "documents", body="multipart/form-data",
          response=d.DocumentEnvelope, status=201, errors=(401, 403, 404, 409, 413, 415, 422)),
    Route("GET", "/api/meetings/{id}/pack", documents.meeting_pack,
          "The agenda pack: all materials in agenda order with an outline (PDF)", "documents",
          errors=(401, 404)),
    Route("GET", "/api/documents/{id}", documents.read_document, "A document and its versions",
          "documents", response=d.DocumentEnvelope, errors=(401, 403, 404)),
    Route("PATCH", "/api/documents/{id}", documents.update_document, "Edit a document's details",
          "documents", body=d.DocumentPatch, response=d.DocumentEnvelope,
          errors=(401, 403, 404, 422)),
    Route("POST", "/api/documents/{id}/versions", documents.add_version,
          "Upload a new version (supersedes the current one)", "documents",
          body="multipart/form-data", response=d.DocumentEnvelope,
          errors=(401, 403, 404, 409, 413, 415, 422)),
    Route("POST", "/api/documents/{id}/withdraw", documents.withdraw_document,
          "Withdraw a document", "documents", response=d.DocumentEnvelope, errors=(401, 403, 404)),

    Route("POST", "/api/documents/{id}/revoke", documents.revoke_document,
          "End everyone's access to a secret document now", "documents",
          response=d.DocumentEnvelope, errors=(401, 403, 404, 422)),
    Route("GET", "/api/documents/{id}/file", documents.view_file,
          "The PDF to read (watermarked per viewer when secret); Range and ETag", "documents",
          query=("version",), errors=(401, 403, 404)),
    Route("GET", "/api/documents/{id}/download", documents.download_file,
          "Download the PDF (not for restricted documents)", "documents", errors=(401, 403, 404)),
    Route("GET", "/api/documents/{id}/readers", documents.readers,
          "Who has opened the document, and who has not", "documents", response=d.Readers,
          errors=(401, 403, 404)),
    Route("GET", "/api/documents/{id}/notes", documents.list_notes, "My private notes",
          "notes", response=d.NoteList, errors=(401, 403, 404)),
    Route("POST", "/api/documents/{id}/notes", documents.create_note, "Add a private note",
          "notes", body=d.NoteIn, response=d.NoteEnvelope, status=201, errors=(401, 403, 404, 422)),
    Route("PATCH", "/api/notes/{id}", documents.update_note, "Edit my note", "notes",
          body=d.NoteText, response=d.NoteEnvelope, errors=(401, 404, 422)),
    Route("DELETE", "/api/notes/{id}", documents.delete_note, "Delete my note", "notes",
          status=204, errors=(401, 404)),
    Route("POST", "/api/documents/{id}/opinion-round", documents.open_round,
          "Open the document for comments until a deadline", "opinions", body=d.RoundIn,
          response=d.RoundOut, errors=(401, 403, 404, 422)),
    Route("POST", "/api/documents/{id}/opinion-round/close", documents.close_round,
          "Close the comments now", "opinions", status=204, errors=(401, 403, 404, 409)),
    Route("GET", "/api/documents/{id}/comments", documents.list_comments,
          "Comments (all, per unit, for organisers; one's own otherwise)", "opinions",
          response=d.Comments, errors=(401, 403, 404)),
    Route("POST", "/api/documents/{id}/comments", documents.add_comment,
          "Comment on a page while the round is open", "opinions", body=d.CommentIn,
          response=d.CommentEnvelope, status=201, errors=(401, 403, 404, 409, 422)),
    Route("GET", "/api/documents/{id}/comments.csv", documents.comments_csv,
          "The consolidated opinions as CSV (Excel-ready)", "opinions", errors=(401, 403, 404)),
    Route("GET", "/api/documents/{id}/comments.pdf", documents.comments_pdf,
          "The consolidated opinions as PDF", "opinions", errors=(401, 403, 404)),
    Route("GET", "/api/search", documents.search_documents,

          "Find documents and pages in the meetings I may see (diacritics-insensitive)",
          "documents", response=d.SearchResults, query=("q",), errors=(401, 422)),
    Route("GET", "/api/archive", meetings.archive,
          "Past meetings by title, date, unit, and the text of their minutes and documents",
          "meetings", response=m.ArchiveList, query=("q", "from", "to", "unit_id"), errors=(401,)),
    # Minutes and the conclusion notice

    Route("GET", "/api/meetings/{id}/minutes", minutes.list_minutes,
          "Versions of the minutes and the notice (participants see the signed ones)",
          "minutes", response=mn.MinutesList, errors=(401, 404)),
    Route("GET", "/api/meetings/{id}/minutes/{kind}", minutes.current,
          "The current version of the minutes or notice (drafted from the record the first "
          "time)", "minutes", response=mn.MinutesEnvelope, errors=(401, 403, 404, 409)),
    Route("PUT", "/api/meetings/{id}/minutes/{kind}", minutes.save, "Save the edited draft",
          "minutes", body=mn.MinutesContent, response=mn.MinutesEnvelope,
          errors=(401, 403, 404, 409, 422)),
    Route("POST", "/api/meetings/{id}/minutes/{kind}/new-version", minutes.new_version,
          "Start a correction of a signed version", "minutes", response=mn.MinutesEnvelope,
          status=201, errors=(401, 403, 404, 409)),
    Route("GET", "/api/meetings/{id}/minutes/{kind}/preview", minutes.preview,
          "The draft rendered as PDF", "minutes", errors=(401, 403, 404, 422)),
    Route("POST", "/api/meetings/{id}/minutes/{kind}/sign", minutes.sign,
          "The chair signs (PAdES) with the unit's certificate", "minutes", body=mn.SignIn,
          response=mn.MinutesEnvelope, errors=(401, 403, 404, 409, 422)),
    Route("GET", "/api/minutes/{id}/file", minutes.signed_file, "Download a signed PDF",
          "minutes", errors=(401, 404)),
    Route("POST", "/api/minutes/verify", minutes.verify,
          "Check a PDF's signature (raw PDF body)", "minutes", body="application/pdf",
          response=mn.VerificationOut, errors=(401, 413)),
    # Follow-up tasks
    Route("GET", "/api/tasks", tasks.list_tasks,
          "Tasks assigned to me or my unit, and those of meetings I organise or chair",
          "tasks", response=t.TaskList, query=("meeting_id", "overdue"), errors=(401,)),
    Route("POST", "/api/meetings/{id}/tasks", tasks.create_task,
          "Turn a conclusion into a task for a unit or an official", "tasks",
          body=t.TaskCreate, response=t.TaskEnvelope, status=201,
          errors=(401, 403, 404, 409, 422)),
    Route("GET", "/api/tasks/{id}", tasks.read_task, "One task", "tasks",
          response=t.TaskEnvelope, errors=(401, 404)),
    Route("PATCH", "/api/tasks/{id}", tasks.update_task,
          "Report progress (assignees); move the due date (organisers, chair)", "tasks",
          body=t.TaskPatch, response=t.TaskEnvelope, errors=(401, 403, 404, 422)),
    Route("POST", "/api/tasks/{id}/result", tasks.attach_result,
          "Attach the result (PDF or Office file)", "tasks", body="multipart/form-data",
          response=t.TaskEnvelope, errors=(401, 404, 413, 415, 422)),
    Route("GET", "/api/tasks/{id}/result", tasks.download_result, "The attached result",
          "tasks", errors=(401, 404)),
    Route("GET", "/api/notifications", notifications.list_notifications,
          "My notifications, newest first", "notifications", response=m.NotificationList,
          query=("unread",), errors=(401,)),
    Route("POST", "/api/notifications/{id}/read", notifications.mark_read,
          "Mark one notification read", "notifications", status=204, errors=(401, 404)),
    Route("POST", "/api/notifications/read-all", notifications.mark_all_read,
          "Mark all my notifications read", "notifications", response=m.Count, errors=(401,)),
)
# fmt: on


def add_routes(app: web.Application) -> None:
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)


def route_of(request: web.Request) -> Route | None:
    """The declared route a request matched, if any."""
    info = request.match_info.route
    resource = info.resource
    if resource is None:
        return None
    return _BY_KEY.get((info.method, resource.canonical))


_BY_KEY = {(r.method, r.path): r for r in ROUTES}
