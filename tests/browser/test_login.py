"""First browser test: the secretary logs in in Vietnamese, switches to English, logs out."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.conftest import DEMO_PASSWORD


async def test_secretary_logs_in_switches_language_logs_out(new_context, screenshots) -> None:
    page = await (await new_context()).new_page()
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/login$"))
    await expect(page.locator("[data-testid=login-submit]")).to_have_text(re.compile("Đăng nhập"))
    await screenshots(page, "01-login-vi")

    await page.fill("#username", "thuky")
    await page.fill("#password", "sai-mat-khau")
    await page.click("[data-testid=login-submit]")
    await expect(page.locator("[data-testid=login-error]")).to_contain_text("không đúng")
    await screenshots(page, "02-login-error-vi")

    await page.fill("#password", DEMO_PASSWORD)
    await page.click("[data-testid=login-submit]")
    await expect(page.locator("[data-testid=current-user]")).to_contain_text("Nguyễn Thị Thu Hà")
    await expect(page.locator("html")).to_have_attribute("lang", "vi")
    await expect(page.locator("[data-testid=nav-admin-users]")).to_have_count(0)
    await screenshots(page, "03-home-vi")

    await page.click("[data-testid=lang-toggle]")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("[data-testid=logout]")).to_have_text(re.compile("Log out"))
    await screenshots(page, "04-home-en")

    await page.reload()  # the choice of language survives a reload
    await expect(page.locator("[data-testid=logout]")).to_have_text(re.compile("Log out"))

    await page.click("[data-testid=logout]")
    await expect(page).to_have_url(re.compile(r"/login$"))
    await expect(page.locator("[data-testid=login-submit]")).to_have_text(re.compile("Log in"))
    await page.goto("/")  # the session is gone on the server, not just in the page
    await expect(page).to_have_url(re.compile(r"/login$"))


async def test_admin_pages(new_context, screenshots) -> None:
    page = await (await new_context()).new_page()
    await page.goto("/login")
    await page.fill("#username", "quantri")
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("[data-testid=login-submit]")
    await page.click("[data-testid=nav-admin-units]")
    tree = page.locator("[data-testid=unit-tree]")
    await expect(tree).to_contain_text("Xã Vĩnh Hanh")
    await expect(page.locator("[data-testid=unit-row]")).to_have_count(20)
    await screenshots(page, "05-admin-units")
    await page.click("[data-testid=nav-admin-users]")
    await expect(page.locator("[data-testid=user-row][data-username=xa-vinh-hanh]")).to_be_visible()
    await screenshots(page, "06-admin-users")
    await page.click("[data-testid=nav-admin-import]")
    await page.set_input_files(
        "[data-testid=import-file]",
        files=[
            {
                "name": "can-bo.csv",
                "mimeType": "text/csv",
                "buffer": (
                    "username,full_name,unit_code,roles,email,title,password\n"
                    "cv.noivu,Lâm Thị Ngọc Hân,p-noi-vu,delegate,,Chuyên viên,\n"
                    "sai.donvi,Sai Đơn Vị,khong-co,delegate,,,\n"
                ).encode(),
            }
        ],
    )
    await page.click("[data-testid=import-submit]")
    result = page.locator("[data-testid=import-result]")
    await expect(result).to_contain_text("khong-co")
    await screenshots(page, "07-admin-import-errors")


async def test_tablet_and_hall_display_layouts(new_context, screenshots) -> None:
    for name, viewport in (
        ("tablet", {"width": 800, "height": 1280}),
        ("hall", {"width": 1920, "height": 1080}),
    ):
        page = await (await new_context(viewport=viewport)).new_page()
        await page.goto("/login")
        await page.fill("#username", "chutich")
        await page.fill("#password", DEMO_PASSWORD)
        await page.click("[data-testid=login-submit]")
        await expect(page.locator("[data-testid=current-user]")).to_contain_text("Trần Văn Minh")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: page scrolls sideways ({width}px)"
        await screenshots(page, f"08-home-{name}")
