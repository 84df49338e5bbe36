"""A real Chromium (Debian's, never a downloaded one) against the whole stack served over
real HTTP: the app under uvicorn, a real worker, the dev server and a real database.

Every page a test opens is watched: a request to any host but the app's fails the test,
for government networks (政务网) are offline and a page that needs a CDN is blank there.
"""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, Request, async_playwright
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow.api.app import create_app
from agencyflow.config.settings import Settings
from agencyflow.worker import build_worker
from tests.serving import _let_the_app_go, over_http

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    browser_tests = [item for item in items if "tests/browser/" in str(item.fspath)]
    if browser_tests and not CHROMIUM.exists():
        raise pytest.UsageError(
            "the browser tests need Debian's Chromium and a CJK font: "
            "apt-get install chromium fonts-noto-cjk (or leave out tests/browser)"
        )


@pytest_asyncio.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            # As root (CI, containers) Chromium's sandbox cannot start.
            args=["--no-sandbox"] if os.geteuid() == 0 else [],
        )
        yield launched
        await launched.close()


@pytest_asyncio.fixture
async def site(api_settings: Settings, engine: Engine, temporal: Client) -> AsyncIterator[str]:
    """The app over real HTTP on a free port, with a real worker behind it."""
    app = create_app(api_settings, temporal=temporal, engine=engine)
    try:
        async with build_worker(temporal, api_settings, engine), over_http(app) as url:
            yield url
    finally:
        _let_the_app_go()


class Outside:
    """Requests a page made to any host but the app's."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.requests: list[str] = []

    def watch(self, request: Request) -> None:
        if not (request.url.startswith(self.origin + "/") or request.url.startswith("data:")):
            self.requests.append(request.url)


class Profiles:
    """Fresh browser profiles (one per person: each keeps its own session cookie) at
    desktop size, each watched for requests that leave the app."""

    def __init__(self, browser: Browser, site: str) -> None:
        self.browser, self.site = browser, site
        self.outside = Outside(site)
        self.made: list[BrowserContext] = []

    async def new(self) -> BrowserContext:
        made = await self.browser.new_context(viewport=DESKTOP, base_url=self.site, locale="zh-CN")
        made.on("request", self.outside.watch)
        # Nothing leaves this machine even if a page tried: the request fails, not hangs.
        await made.route(lambda url: not url.startswith(self.site), lambda route: route.abort())
        self.made.append(made)
        return made


@pytest_asyncio.fixture
async def profiles(browser: Browser, site: str) -> AsyncIterator[Profiles]:
    """Fails the test if any page in any of its profiles asked for anything outside the app."""
    made = Profiles(browser, site)
    yield made
    for context in made.made:
        await context.close()
    assert made.outside.requests == [], (
        f"pages asked for outside resources: {made.outside.requests}"
    )


@pytest_asyncio.fixture
async def context(profiles: Profiles) -> BrowserContext:
    return await profiles.new()


@pytest_asyncio.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()
