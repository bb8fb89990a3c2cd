"""Issue 12: staff use GraphiQL at /graphql on a network without internet.

In headless Chromium, with every host but 127.0.0.1 unreachable (a request elsewhere is
recorded and aborted): the page renders, a `login` mutation runs, a query with the token in
the headers editor returns data, the docs pane shows the schema's Chinese descriptions, and
the console has no error (a CSP violation, a failed SRI check or a 404 would be one). Then
what the browser kept: neither the token nor the password is in localStorage, the login is
not in the history, and after a reload the headers editor is empty.

Before: the page loaded seven files from a CDN and stayed at "Loading…"; GraphiQL kept
every operation's headers (the bearer token) in the history in localStorage."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from core.config import PROJECT_ROOT
from tests.support.api import PASSWORD, Api

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.db,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium: apt-get install chromium (.ci/run does)"),
]

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOGIN_NAME = "graphiqlstaff"
SCREENSHOTS = PROJECT_ROOT / "var" / "browser"

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
RESPONSE = ".graphiql-response .CodeMirror"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"


async def _set(page, selector: str, text: str) -> None:
    await page.eval_on_selector(selector, "(element, text) => element.CodeMirror.setValue(text)", text)


async def _text(page, selector: str) -> str:
    return await page.eval_on_selector(selector, "element => element.CodeMirror.getValue()")


async def _run(page, query: str, expect: str) -> dict:
    """Put `query` in the editor, run it, wait for a response containing `expect`."""
    await _set(page, QUERY_EDITOR, query)
    await page.click("button.graphiql-execute-button")
    await page.wait_for_function(
        "([selector, expect]) => document.querySelector(selector)?.CodeMirror.getValue().includes(expect)",
        arg=[RESPONSE, expect])
    return json.loads(await _text(page, RESPONSE))


@pytest.fixture
async def person(live_server, clean_db) -> str:
    async with httpx.AsyncClient(base_url=live_server.url, timeout=20) as client:
        await Api(client).register_person(loginName=LOGIN_NAME)
    return LOGIN_NAME


async def test_graphiql_works_without_internet(live_server, person):
    from playwright.async_api import async_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    elsewhere: list[str] = []
    console: list[str] = []

    async def only_this_machine(route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort("internetdisconnected")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1400, "height": 900})
            context.set_default_timeout(15_000)
            await context.route("**/*", only_this_machine)
            page = await context.new_page()
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
            page.on("requestfailed", lambda r: console.append(f"requestfailed: {r.url} {r.failure}"))

            response = await page.goto(f"{live_server.url}/graphql")
            assert response.status == 200
            await page.wait_for_selector(QUERY_EDITOR)

            # A new user logs in as the welcome text says: a literal password in the query.
            login = await _run(page, f'mutation {{ login(login: "{person}", password: "{PASSWORD}") '
                                     "{ token errors { code message } } }", '"token"')
            token = login["data"]["login"]["token"]
            assert token and login["data"]["login"]["errors"] == []

            await page.click("button[data-name=headers]")
            await _set(page, HEADERS_EDITOR, json.dumps({"Authorization": f"Bearer {token}"}))
            me = await _run(page, "{ me { loginName kind } }", person)
            assert me["data"] == {"me": {"loginName": person, "kind": "PERSON"}}
            assert me["extensions"] == {"cost": {"requested": 1}}  # a person: reported, not limited

            await page.click("button[aria-label='Show Documentation Explorer']")
            await page.click(".graphiql-doc-explorer a:has-text('Query')")
            await page.wait_for_selector(".graphiql-doc-explorer :text('当前登录的账号；未登录或令牌失效时为空')")
            await page.screenshot(path=str(SCREENSHOTS / "graphiql-docs.png"))

            # The settings dialog inserts an inline <style> (allowed by its hash in the CSP).
            await page.click("button[aria-label='Open settings dialog']")
            await page.wait_for_selector("[role=dialog]")
            await page.keyboard.press("Escape")
            await page.wait_for_selector("[role=dialog]", state="detached")

            # What stays in the browser once the tab state is stored (debounced by GraphiQL).
            await page.wait_for_function("() => (localStorage.getItem('graphiql:tabState') || '').includes('me {')")
            stored = await page.evaluate("() => Object.fromEntries(Object.entries(localStorage))")
            everything = json.dumps(stored)
            assert token not in everything and PASSWORD not in everything
            history = json.loads(stored["graphiql:queries"])["queries"]
            assert [entry["query"] for entry in history] == ["{ me { loginName kind } }"]

            await page.reload()
            await page.wait_for_selector(QUERY_EDITOR)
            await page.click("button[data-name=headers]")
            assert (await _text(page, HEADERS_EDITOR)).strip() == ""
        finally:
            await browser.close()

    assert elsewhere == []
    assert console == []
