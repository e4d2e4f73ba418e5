"""The meetings flow in the browser, on the seeded district (no meetings yet): the secretary
creates, fills and publishes a meeting; an official is notified live and confirms; a commune
site declines with a reason; the secretary's attendance board shows both."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import BrowserContext, Page, expect

from tests.conftest import DEMO_PASSWORD

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TITLE = "Hội nghị trực tuyến sơ kết công tác cải cách hành chính và chuyển đổi số quý IV năm 2026"
AGENDA = [
    # (title, presenter option label or None, free-text presenter, minutes)
    (
        "Báo cáo sơ kết công tác cải cách hành chính quý IV năm 2026",
        "Phạm Văn Đức — Trưởng phòng Nội vụ",
        "",
        45,
    ),
    (
        "Báo cáo tình hình chuyển đổi số, triển khai Đề án 06",
        None,
        "Đại diện Viettel An Giang",
        60,
    ),
    (
        "Thảo luận và kết luận của Chủ tịch UBND huyện",
        "Trần Văn Minh — Chủ tịch UBND huyện",
        "",
        75,
    ),
]
DECLINE_REASON = "Trùng lịch tiếp công dân định kỳ của UBND xã"


def tid(name: str) -> str:
    return f"[data-testid={name}]"


async def log_in(context: BrowserContext, username: str) -> Page:
    page = await context.new_page()
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click(tid("login-submit"))
    await expect(page.locator(tid("current-user"))).to_be_visible()
    return page


async def no_sideways_scroll(page: Page, what: str) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport and width <= viewport["width"], f"{what}: page scrolls sideways ({width}px)"


async def test_secretary_publishes_official_confirms_commune_declines(
    new_context, screenshots
) -> None:
    day = (datetime.now(VN) + timedelta(days=7)).date()

    # The official is already logged in: the invitation must reach him live.
    official = await log_in(await new_context(), "tp.noivu")
    # The first live connection of the run (long-polling handshake, then upgrade) on a loaded
    # 2-core CI machine: give it more than the default 5 s.
    await expect(official.locator(tid("notification-bell"))).to_have_attribute(
        "data-live", "connected", timeout=20_000
    )
    await expect(official.locator(tid("notification-count"))).to_have_count(0)

    # --- the secretary creates the meeting -------------------------------------------------
    secretary = await log_in(await new_context(), "thuky")
    await expect(secretary.locator(tid("page-title"))).to_have_text("Cuộc họp của tôi")
    await expect(secretary.locator(tid("meetings-empty"))).to_be_visible()
    await screenshots(secretary, "10-home-empty")

    await secretary.click(tid("meeting-create"))
    await expect(secretary).to_have_url(re.compile(r"/meetings/new$"))
    await secretary.fill(tid("meeting-title-input"), TITLE)
    await secretary.select_option(tid("meeting-kind"), "thematic")
    await secretary.fill(tid("meeting-start-date"), day.isoformat())
    await secretary.fill(tid("meeting-start-time"), "08:00")
    await expect(secretary.locator(tid("meeting-end-date"))).to_have_value(day.isoformat())
    await secretary.fill(tid("meeting-end-time"), "11:00")
    await secretary.fill(tid("meeting-location"), "Hội trường UBND huyện Châu Thành")
    await secretary.select_option(tid("meeting-chair"), label="Trần Văn Minh — Chủ tịch UBND huyện")
    await screenshots(secretary, "11-meeting-new")
    await secretary.click(tid("meeting-save"))
    await expect(secretary).to_have_url(re.compile(r"/meetings/\d+\?tab=agenda$"))
    meeting_path = re.sub(r"^https?://[^/]+", "", secretary.url).split("?")[0]
    await expect(secretary.locator(tid("draft-note"))).to_be_visible()
    await expect(secretary.locator(tid("meeting-status"))).to_have_text("Bản nháp")

    # --- three agenda items ------------------------------------------------------------------
    for title, presenter, free_text, minutes in AGENDA:
        await secretary.click(tid("agenda-add"))
        form = secretary.locator(tid("agenda-form"))
        await form.locator(tid("agenda-title")).fill(title)
        if presenter:
            await form.locator(tid("agenda-presenter")).select_option(label=presenter)
        else:
            await form.locator(tid("agenda-presenter")).select_option("other")
            await form.locator(tid("agenda-presenter-name")).fill(free_text)
        await form.locator(tid("agenda-duration")).fill(str(minutes))
        await form.locator(tid("agenda-save")).click()
        await expect(form).to_have_count(0)
    items = secretary.locator(tid("agenda-item"))
    await expect(items).to_have_count(3)
    await expect(items.locator(tid("agenda-time"))).to_have_text(["08:00", "08:45", "09:45"])
    await expect(secretary.locator(tid("agenda-planned-end"))).to_contain_text("11:00")
    await expect(items.nth(1)).to_contain_text("Đại diện Viettel An Giang")
    # move the last item up and back: the full order goes to the server each time
    await items.nth(2).locator(tid("agenda-up")).click()
    await expect(items.locator(tid("agenda-time"))).to_have_text(["08:00", "08:45", "10:00"])
    await expect(items.nth(1)).to_contain_text("Thảo luận và kết luận")
    await items.nth(1).locator(tid("agenda-down")).click()
    await expect(items.nth(2)).to_contain_text("Thảo luận và kết luận")
    await expect(items.locator(tid("agenda-time"))).to_have_text(["08:00", "08:45", "09:45"])
    await screenshots(secretary, "12-agenda-editor")

    # publishing with nobody invited is refused with the server's message
    await secretary.click(tid("meeting-publish"))
    await secretary.click(tid("confirm-ok"))
    await expect(secretary.locator(tid("dialog-error"))).to_contain_text("chưa mời ai")
    await secretary.keyboard.press("Escape")
    await expect(secretary.locator(tid("publish-dialog"))).to_have_count(0)

    # --- invitations: a department as a whole, one official, all 13 commune sites -------
    await secretary.click(tid("tab-invitees"))
    panel = secretary.locator(tid("invite-panel"))
    await panel.locator(
        f"{tid('invite-department')}[data-unit-code=p-van-hoa-thong-tin] input"
    ).check()
    await panel.locator(tid("invite-people-search")).fill("pham van duc")
    await panel.locator(f"{tid('invite-people-option')}[data-username='tp.noivu'] input").check()
    await panel.locator(tid("invite-all-sites")).check()
    await expect(panel.locator(f"{tid('invite-site')} input:checked")).to_have_count(13)
    await expect(panel.locator(tid("invite-selection"))).to_contain_text(
        "1 người, 1 phòng ban, 13 điểm cầu"
    )
    await screenshots(secretary, "13-invite-selected")
    await panel.locator(tid("invite-submit")).click()
    await expect(secretary.locator(tid("invite-result"))).to_contain_text("Đã thêm 15 lời mời")
    await expect(secretary.locator(tid("invited-site"))).to_have_count(13)
    await expect(secretary.locator(tid("invited-person"))).to_have_count(2)
    await expect(panel.locator(tid("invite-all-sites"))).to_be_disabled()
    await screenshots(secretary, "14-invited")

    await secretary.click(tid("meeting-publish"))
    await expect(secretary.locator(tid("publish-dialog"))).to_be_visible()
    await secretary.click(tid("confirm-ok"))
    await expect(secretary.locator(tid("meeting-head"))).to_have_attribute(
        "data-status", "published"
    )
    await expect(secretary.locator(tid("meeting-notice"))).to_contain_text("Đã phát hành")
    await expect(secretary.locator(tid("meeting-publish"))).to_have_count(0)
    await expect(secretary.locator(tid("meeting-postpone"))).to_be_visible()
    await screenshots(secretary, "15-published")

    # --- the official: live notification, opens the meeting, attends --------------------
    count = official.locator(tid("notification-count"))
    await expect(count).to_have_text("1")
    await screenshots(official, "20-official-bell")
    await official.click(tid("notification-bell"))
    menu = official.locator(tid("notification-menu"))
    await expect(menu.locator(tid("notification-item"))).to_have_count(1)
    await expect(menu).to_contain_text(TITLE)
    await screenshots(official, "21-official-notification-menu")
    await menu.locator(tid("notification-item")).click()
    await expect(official).to_have_url(re.compile(re.escape(meeting_path) + "$"))
    await expect(count).to_have_count(0)  # opening it marked it read
    invitation = official.locator(tid("my-invitation"))
    await expect(invitation).to_have_attribute("data-answer", "pending")
    await expect(official.locator(tid("meeting-time"))).to_contain_text(
        f"08:00 – 11:00 ngày {day:%d/%m/%Y}"
    )
    await expect(official.locator(tid("agenda-item"))).to_have_count(3)
    await expect(official.locator(tid("tab-attendance"))).to_have_count(0)
    await screenshots(official, "22-official-meeting")
    await official.click(tid("answer-attend"))
    await expect(invitation).to_have_attribute("data-answer", "attending")
    await expect(official.locator(tid("my-answer"))).to_have_text("Tham dự")
    # a plain delegate may not read the directory: the substitute picker says so
    await official.click(tid("answer-delegate"))
    await expect(official.locator(tid("substitute-forbidden"))).to_be_visible()
    await screenshots(official, "23-official-substitute-forbidden")
    await official.keyboard.press("Escape")
    await official.click(tid("nav-home"))
    row = official.locator(tid("meeting-row"))
    await expect(row).to_have_count(1)
    await expect(row.locator(tid("meeting-row-answer"))).to_have_text("Tham dự")
    await screenshots(official, "24-official-home")
    await official.click(tid("nav-notifications"))
    note = official.locator(tid("notification-item"))
    await expect(note).to_have_count(1)
    await expect(note).to_have_attribute("data-read", "true")
    await expect(note).to_contain_text(f"Kính mời tham dự “{TITLE}” lúc 08:00 ngày {day:%d/%m/%Y}")
    await screenshots(official, "26-official-notifications")
    # ... and in English, worded by the client from the facts the server sent with it
    await official.click(tid("lang-toggle"))
    await expect(note).to_contain_text(f"Meeting invitation: {TITLE}")
    await expect(note).to_contain_text(f"You are invited to “{TITLE}” at 08:00, {day:%d/%m/%Y}")
    await screenshots(official, "26-official-notifications-en")
    await official.click(tid("lang-toggle"))

    # a wrong current password is refused in the form; the session stays
    await official.click(tid("nav-account"))
    await official.fill(tid("password-current"), "sai-mat-khau")
    await official.fill(tid("password-new"), "mat-khau-moi-2026")
    await official.fill(tid("password-again"), "mat-khau-moi-2026")
    await official.click(tid("password-submit"))
    await expect(official.locator(tid("password-error"))).to_contain_text("không đúng")
    await expect(official.locator(tid("current-user"))).to_contain_text("Phạm Văn Đức")
    await screenshots(official, "27-official-account")

    # --- the commune site of Tân Phú declines with a reason ------------------------------
    commune = await log_in(await new_context(), "xa-tan-phu")
    await expect(commune.locator(tid("notification-count"))).to_have_text("1")
    await commune.click(tid("meeting-link"))
    await expect(commune.locator(tid("my-invitation"))).to_contain_text("Xã Tân Phú")
    # the meeting's page is open: its notification counts as read
    await expect(commune.locator(tid("notification-count"))).to_have_count(0)
    await commune.click(tid("answer-decline"))
    dialog = commune.locator(tid("decline-dialog"))
    await expect(dialog.locator(tid("answer-submit"))).to_be_disabled()  # a reason is required
    await dialog.locator(tid("decline-reason")).fill(DECLINE_REASON)
    await screenshots(commune, "30-commune-decline")
    await dialog.locator(tid("answer-submit")).click()
    await expect(commune.locator(tid("my-invitation"))).to_have_attribute("data-answer", "declined")
    await expect(commune.locator(tid("my-reason"))).to_contain_text(DECLINE_REASON)
    await screenshots(commune, "31-commune-declined")

    # --- the secretary's attendance board ------------------------------------------------
    await secretary.click(tid("tab-attendance"))
    board = secretary.locator(tid("attendance-board"))
    person = board.locator(tid("attendance-person")).filter(has_text="Phạm Văn Đức")
    await expect(person).to_have_attribute("data-answer", "attending")
    site = board.locator(tid("attendance-site")).filter(has_text="Xã Tân Phú")
    await expect(site).to_have_attribute("data-answer", "declined")
    await expect(site.locator(tid("attendance-reason"))).to_have_text(DECLINE_REASON)
    await expect(board.locator(tid("summary-people-attending"))).to_have_text("1")
    await expect(board.locator(tid("summary-people-pending"))).to_have_text("1")
    await expect(board.locator(tid("summary-sites-declined"))).to_have_text("1")
    await expect(board.locator(tid("summary-sites-pending"))).to_have_text("12")
    await screenshots(secretary, "16-attendance-board")
    await board.locator(tid("attendance-remind")).click()
    await expect(board.locator(tid("attendance-reminded"))).to_contain_text("13")

    # the calendar shows it on its day, in the week and month views
    await secretary.click(tid("nav-calendar"))
    await secretary.click(tid("calendar-next"))
    day_cell = secretary.locator(f"{tid('calendar-day')}[data-day='{day.isoformat()}']")
    await expect(day_cell.locator(tid("calendar-meeting"))).to_contain_text("08:00")
    await screenshots(secretary, "17-calendar-week")
    await secretary.click(tid("calendar-view-month"))
    if not await day_cell.count():  # a week ahead may fall in next month
        await secretary.click(tid("calendar-next"))
    await expect(day_cell.locator(tid("calendar-meeting"))).to_have_count(1)
    await screenshots(secretary, "18-calendar-month")

    # English, and the tablet and hall-display layouts of the meeting page
    await secretary.goto(meeting_path + "?tab=attendance")
    await secretary.click(tid("lang-toggle"))
    await expect(secretary.locator(tid("tab-attendance"))).to_have_text("Attendance")
    await expect(secretary.locator(tid("meeting-status"))).to_have_text("Published")
    await screenshots(secretary, "19-attendance-en")
    await secretary.click(tid("lang-toggle"))
    for name, size in (("tablet", (800, 1280)), ("hall", (1920, 1080))):
        for page, shot in ((secretary, "attendance"), (official, "meeting")):
            await page.set_viewport_size({"width": size[0], "height": size[1]})
            if page is official:
                await official.goto(meeting_path)
                await expect(official.locator(tid("my-invitation"))).to_be_visible()
            await no_sideways_scroll(page, f"{shot} on {name}")
            await screenshots(page, f"25-{shot}-{name}")


async def create_meeting(page: Page, title: str, day: str, start: str, end: str) -> str:
    """Fill the new-meeting form (the logged-in user chairs); returns the meeting's path."""
    await page.click(tid("nav-home"))
    await page.click(tid("meeting-create"))
    await page.fill(tid("meeting-title-input"), title)
    await page.select_option(tid("meeting-kind"), "regular")
    await page.fill(tid("meeting-start-date"), day)
    await page.fill(tid("meeting-start-time"), start)
    await page.fill(tid("meeting-end-time"), end)
    await page.fill(tid("meeting-location"), "Phòng họp số 1, UBND huyện")
    await page.select_option(tid("meeting-chair"), label="Trần Văn Minh — Chủ tịch UBND huyện")
    await page.click(tid("meeting-save"))
    await expect(page).to_have_url(re.compile(r"/meetings/\d+\?tab=agenda$"))
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


async def add_item(page: Page, title: str, minutes: int, under: int | None = None) -> None:
    if under is None:
        await page.click(tid("agenda-add"))
    else:
        await page.locator(tid("agenda-item")).nth(under).locator(tid("agenda-add-sub")).click()
    form = page.locator(tid("agenda-form"))
    await form.locator(tid("agenda-title")).fill(title)
    await form.locator(tid("agenda-duration")).fill(str(minutes))
    await form.locator(tid("agenda-save")).click()
    await expect(form).to_have_count(0)


async def test_chair_organises_substitute_site_attendees_and_lifecycle(
    new_context, screenshots
) -> None:
    """The chair organises a meeting: sub-items and a withdrawn item, the secretary sends a
    substitute from her unit, a commune site lists its attendees, then postpone, start, end,
    archive; and a draft is cancelled with a reason."""
    day = (datetime.now(VN) + timedelta(days=3)).date()
    later = day + timedelta(days=1)
    chair = await log_in(await new_context(), "chutich")

    # a draft cancelled with a reason
    await create_meeting(chair, "Họp thử nghiệm hệ thống", day.isoformat(), "07:00", "07:30")
    await chair.click(tid("meeting-cancel"))
    await chair.fill(tid("cancel-reason"), "Tạo nhầm")
    await chair.click(tid("cancel-submit"))
    await expect(chair.locator(tid("meeting-head"))).to_have_attribute("data-status", "cancelled")
    await expect(chair.locator(tid("status-reason"))).to_contain_text("Tạo nhầm")

    path = await create_meeting(
        chair, "Họp giao ban UBND huyện tháng 12/2026", day.isoformat(), "14:00", "16:00"
    )
    await add_item(chair, "Tình hình kinh tế – xã hội tháng 12", 30)
    await add_item(chair, "Công tác chuẩn bị Tết Nguyên đán", 20)
    await add_item(chair, "Phương án trực Tết", 10, under=1)
    items = chair.locator(tid("agenda-item"))
    await expect(items.locator(tid("agenda-time"))).to_have_text(["14:00", "14:30", "14:50"])
    await items.nth(0).locator(tid("agenda-withdraw")).click()
    await expect(items.nth(0)).to_contain_text("Đã rút")
    await expect(items.locator(tid("agenda-time"))).to_have_text(["—", "14:00", "14:20"])
    await expect(items.nth(2)).to_have_attribute("data-number", "1.1")
    await expect(chair.locator(tid("agenda-planned-end"))).to_contain_text("14:30")
    await screenshots(chair, "40-chair-agenda-nested")

    await chair.click(tid("tab-invitees"))
    panel = chair.locator(tid("invite-panel"))
    await panel.locator(tid("invite-people-search")).fill("thu ha")
    await panel.locator(f"{tid('invite-people-option')}[data-username=thuky] input").check()
    await panel.locator(f"{tid('invite-site')}[data-unit-code=xa-vinh-hanh] input").check()
    await panel.locator(tid("invite-sites-vote")).check()
    await panel.locator(tid("invite-submit")).click()
    await expect(chair.locator(tid("invite-result"))).to_contain_text("Đã thêm 2 lời mời")
    await chair.click(tid("meeting-publish"))
    await chair.click(tid("confirm-ok"))
    await expect(chair.locator(tid("meeting-head"))).to_have_attribute("data-status", "published")
    # details stay editable once published
    await chair.click(tid("tab-details"))
    await chair.fill(tid("meeting-location"), "Hội trường UBND huyện Châu Thành")
    await chair.click(tid("meeting-save"))
    await expect(chair.locator(tid("form-saved"))).to_be_visible()

    # the secretary (invited) sends a colleague of her unit as substitute
    secretary = await log_in(await new_context(), "thuky")
    await expect(secretary.locator(tid("notification-count"))).to_have_text("2")
    await secretary.goto(path)
    await secretary.click(tid("answer-delegate"))
    dialog = secretary.locator(tid("delegate-dialog"))
    await dialog.locator(tid("substitute-select")).select_option(
        label="Lê Quốc Bảo — Quản trị hệ thống"
    )
    await screenshots(secretary, "41-secretary-substitute")
    await dialog.locator(tid("answer-submit")).click()
    await expect(secretary.locator(tid("my-invitation"))).to_have_attribute(
        "data-answer", "delegated"
    )
    await expect(secretary.locator(tid("my-substitute"))).to_contain_text("Lê Quốc Bảo")

    # the commune site confirms and lists who sits in its room
    site = await log_in(await new_context(), "xa-vinh-hanh")
    await site.goto(path)
    await expect(site.locator(tid("my-invitation"))).to_contain_text("biểu quyết")
    await expect(site.locator(tid("answer-delegate"))).to_have_count(0)
    await site.click(tid("answer-attend"))
    await site.fill(
        tid("site-attendees"),
        "Ngô Văn Hải – Chủ tịch UBND xã\nLê Văn Bình – Công chức Văn phòng – Thống kê",
    )
    await site.click(tid("answer-submit"))
    await expect(site.locator(tid("my-invitation"))).to_have_attribute("data-answer", "attending")
    await expect(site.locator(tid("my-attendees"))).to_contain_text("Lê Văn Bình")
    await screenshots(site, "42-site-confirmed")

    # the chair's board, then postpone, start, end, archive
    await chair.click(tid("tab-attendance"))
    board = chair.locator(tid("attendance-board"))
    row = board.locator(tid("attendance-person")).filter(has_text="Nguyễn Thị Thu Hà")
    await expect(row).to_have_attribute("data-answer", "delegated")
    await expect(row).to_contain_text("Lê Quốc Bảo")
    await expect(board.locator(tid("attendance-site"))).to_contain_text("Ngô Văn Hải")
    await screenshots(chair, "43-chair-attendance")

    await chair.click(tid("meeting-postpone"))
    await chair.fill(tid("postpone-date"), later.isoformat())
    await chair.fill(tid("postpone-start"), "08:00")
    await chair.fill(tid("postpone-end"), "10:00")
    await chair.fill(tid("postpone-reason"), "Trùng lịch làm việc với đoàn công tác của tỉnh")
    await chair.click(tid("postpone-submit"))
    await expect(chair.locator(tid("meeting-status"))).to_have_text("Đã dời lịch")
    await expect(chair.locator(tid("status-reason"))).to_contain_text("đoàn công tác")
    await expect(chair.locator(tid("meeting-head"))).to_contain_text(
        f"08:00 – 10:00 ngày {later:%d/%m/%Y}"
    )
    await screenshots(chair, "44-chair-postponed")
    # the secretary's open page reloads from the live notification
    await expect(secretary.locator(tid("meeting-status"))).to_have_text("Đã dời lịch")

    for action, status in (("start", "in_progress"), ("end", "ended"), ("archive", "archived")):
        await chair.click(tid(f"meeting-{action}"))
        await chair.click(tid("confirm-ok"))
        await expect(chair.locator(tid("meeting-head"))).to_have_attribute("data-status", status)
    await chair.click(tid("tab-agenda"))
    await expect(chair.locator(tid("agenda-add"))).to_have_count(0)
    await expect(chair.locator(tid("meeting-status"))).to_have_text("Đã lưu trữ")
    await screenshots(chair, "45-chair-archived")
