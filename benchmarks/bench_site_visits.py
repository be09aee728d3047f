"""Where a page visit of the site tests spends its time: loading, and each probe.

``make test-site`` visits every page once (``sitekit.Site.result``): load and typeset,
inspect (``INSPECT_JS``), then the probes the test modules register (axe's light pass,
its dark pass, the equations' measurements). This times each step, one tab at a time
(the tests keep two at work), and prints the wall and the CPU time of the browser's
processes and of this one, per page and in all. Run on a quiet machine to compare.

    BOOK_HTML=_build/html .venv/bin/python benchmarks/bench_site_visits.py [page.html ...]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

# Importing the test modules registers their probes (tests/ is not a package).
import test_site  # noqa: E402, F401
import test_site_accessibility  # noqa: E402, F401
import test_site_equations  # noqa: E402, F401
from sitekit import (  # noqa: E402
    CHROMIUM_ARGS,
    HTML,
    INSPECT_JS,
    PAGES,
    PROBES,
    RAW_TEX,
    PageReport,
    Site,
    find_browser,
    serve,
    setup_problem,
)

SEEN: dict[int, float] = {}  # browser process id -> CPU seconds when last looked at


def cpu_seconds() -> float:
    """User and system CPU seconds of this process and of the browser's processes, those
    that ended (a closed tab's renderer) counted as last seen (read from /proc)."""
    own = os.times()
    ticks = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # the process ended meanwhile
        if b"chrom" in cmdline and int(stat.parent.name) != os.getpid():
            SEEN[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return own.user + own.system + sum(SEEN.values())


class Laps:
    """Wall and CPU seconds of each step since the one before."""

    def __init__(self) -> None:
        self.times: dict[str, tuple[float, float]] = {}
        self.mark = (time.perf_counter(), cpu_seconds())

    def __call__(self, step: str) -> None:
        now = (time.perf_counter(), cpu_seconds())
        self.times[step] = (now[0] - self.mark[0], now[1] - self.mark[1])
        self.mark = (time.perf_counter(), cpu_seconds())


def main(pages: list[str]) -> int:
    if problem := setup_problem():
        print(problem)
        return 2
    from playwright.sync_api import sync_playwright

    steps = ["load", "inspect", *sorted(PROBES, key=lambda n: PROBES[n].order)]
    totals = dict.fromkeys(steps, (0.0, 0.0))
    with serve(HTML) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_browser(), headless=True, args=CHROMIUM_ARGS
        )
        site = Site(browser.new_context(viewport={"width": 1280, "height": 900}), url)
        print(f"{'page':58s} " + " ".join(f"{s:>16s}" for s in steps) + "  (wall/CPU s)")
        for path in pages:
            lap = Laps()
            tab = site.open(path, PageReport(path), idle=False)
            lap("load")
            tab.evaluate(INSPECT_JS, RAW_TEX.pattern)
            lap("inspect")
            for name in steps[2:]:
                probe = PROBES[name]
                probe.finish(tab, probe.start(tab) if probe.start else None)
                lap(name)
            tab.close()
            for step, (wall, cpu) in lap.times.items():
                totals[step] = (totals[step][0] + wall, totals[step][1] + cpu)
            print(
                f"{path[-58:]:58s} "
                + " ".join(f"{w:7.2f}/{c:7.2f} " for w, c in lap.times.values())
            )
        browser.close()
    print(
        f"{'all ' + str(len(pages)) + ' pages':58s} "
        + " ".join(f"{w:7.1f}/{c:7.1f} " for w, c in totals.values())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or PAGES))
