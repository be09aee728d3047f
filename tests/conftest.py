"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sitekit import (
    CHROMIUM_ARGS,
    HTML,
    TIMEOUT_MS,
    Site,
    find_browser,
    first_shard,
    serve,
    setup_problem,
)


@pytest.fixture(scope="session")
def site(request: pytest.FixtureRequest) -> Iterator[Site]:
    """The built site served locally and one headless Chromium, for the whole session.

    Every page is visited once, and what that visit measured (``sitekit.Probe``) shared by
    the tests; the first test to ask visits every page the session's tests read. When
    something is missing, each test fails saying what (``Site.require``).
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
            site = Site(context, url)
            site.plan(request.session.items)
            yield site
        finally:
            browser.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With SITE_SHARD=k/n (k > 1), keep only the browser tests of this shard's pages: the
    tests of the whole site (screenshots, the phone menu, ...) run in the first shard."""
    if first_shard():
        return
    keep, drop = [], []
    for item in items:
        per_page = "page" in getattr(getattr(item, "callspec", None), "params", {})
        (keep if per_page and item.get_closest_marker("browser") else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
