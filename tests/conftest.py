"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sitekit import CHROMIUM_ARGS, HTML, TIMEOUT_MS, Site, find_browser, serve, setup_problem


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    """The built site served locally and one headless Chromium, for the whole session.

    Every page is visited once and its report shared by the tests. When something is
    missing, each test fails saying what (``Site.require``).
    """
    if problem := setup_problem():
        yield Site(None, "", problem)
        return
    from playwright.sync_api import sync_playwright

    with serve(HTML) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_browser(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            yield Site(context, url)
        finally:
            browser.close()
