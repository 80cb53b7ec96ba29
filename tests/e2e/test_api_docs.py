"""The API docs work with no network: Swagger UI and ReDoc come from the app's own static files
(drf-spectacular-sidecar), so with every request to another host aborted a lead still sees the operations.
Screenshot: api-docs-offline.png."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _offline(page, live_server) -> list[tuple[str, str]]:
    """Abort every request to a host other than the live server's; return the aborted ones (resource type, URL)."""
    own = urlsplit(live_server.url).netloc
    blocked: list[tuple[str, str]] = []

    def _route(route):
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            blocked.append((route.request.resource_type, route.request.url))
            route.abort()

    page.route("**/*", _route)
    return blocked


def test_swagger_ui_and_redoc_render_the_operations_offline(page, live_server, login, screenshot, quality_lead):
    blocked = _offline(page, live_server)
    login(page, "lead")

    page.goto(f"{live_server.url}/api/docs/")
    cases_list = page.locator("#operations-cases-cases_list")
    expect(cases_list).to_be_visible()
    expect(cases_list).to_contain_text("/api/v1/cases/")
    screenshot(page, "api-docs-offline")

    page.goto(f"{live_server.url}/api/redoc/")
    expect(page.locator("[data-section-id='tag/cases/operation/cases_list']")).to_be_attached()
    expect(page.get_by_role("heading", name="RCA quality API").first).to_be_visible()

    # Nothing the docs need came from elsewhere: ReDoc's "API docs by Redocly" footer asks for its logo image (and
    # hides it when it fails to load); no script, stylesheet, font or schema request left the host.
    assert [url for kind, url in blocked if kind != "image"] == []
