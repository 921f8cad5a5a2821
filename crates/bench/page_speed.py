#!/usr/bin/env python3
"""How the web page keeps up on a large log, in a real headless browser.

    python3 crates/bench/page_speed.py BASE_URL [STEPS] [DAY]

BASE_URL is a running `annals serve` (for the figures of
docs/PERFORMANCE.md, on the 1M synthetic log). The script opens
`/?on=DAY` (default 2015-01-01), then presses the step button STEPS times
(default 20): after each press it times how long the map takes to show the
new day and how long the graph of the day takes after it. The page's long
tasks (more than 50 ms of its main thread at once, as Chromium reports
them) are summed and the longest named: while one runs, the page does not
answer a click.

It prints one JSON object: the places drawn, the first view's time, the
median, 90th percentile and largest step times, the long tasks. A
measurement, not a test: it exits 0 whatever the times (1 when the page
fails, 3 when the browser is missing, as tests/page.py).
"""

import importlib.util
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("page", os.path.join(HERE, "../../tests/page.py"))
page = importlib.util.module_from_spec(spec)
spec.loader.exec_module(page)

# Collects the page's long tasks from its start.
LONG_TASKS = """
window.__long = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__long.push(e.duration);
}).observe({ type: 'longtask', buffered: true });
"""


def quantile(values, q):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


def main():
    if len(sys.argv) < 2:
        page.fail("usage: page_speed.py BASE_URL [STEPS] [DAY]", 2)
    base = sys.argv[1].rstrip("/")
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    day = sys.argv[3] if len(sys.argv) > 3 else "2015-01-01"
    chromium, driver = page.browser_tools()
    from selenium.webdriver.common.by import By

    with tempfile.TemporaryDirectory(prefix="annals-chromium-") as profile:
        browser = page.start(chromium, driver, profile)
        try:
            browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LONG_TASKS})
            began = time.monotonic()
            browser.get(f"{base}/?on={day}")
            page.wait_for(browser, "the page to load", lambda b: page.attr(b, "body", "data-ready") == "true")
            page.wait_for(browser, f"the map of {day}", lambda b: page.attr(b, "#map", "data-date") == day)
            first_map = time.monotonic() - began
            page.wait_for(browser, "the graph", lambda b: b.find_element(By.ID, "graph-note").text.startswith(day))
            first_graph = time.monotonic() - began
            places = int(page.attr(browser, "#map", "data-places") or 0)
            maps, graphs = [], []
            for _ in range(steps):
                shown = browser.find_element(By.ID, "date").get_attribute("value")
                t = time.monotonic()
                browser.find_element(By.ID, "forward").click()
                page.wait_for(browser, "a new day", lambda b: b.find_element(By.ID, "date").get_attribute("value") != shown)
                now = browser.find_element(By.ID, "date").get_attribute("value")
                page.wait_for(browser, f"the map of {now}", lambda b: page.attr(b, "#map", "data-date") == now)
                maps.append((time.monotonic() - t) * 1000)
                page.wait_for(
                    browser, f"the graph of {now}", lambda b: b.find_element(By.ID, "graph-note").text.startswith(now)
                )
                graphs.append((time.monotonic() - t) * 1000)
            long_tasks = browser.execute_script("return window.__long || []")
            errors = page.page_errors(browser)
        finally:
            browser.quit()
    print(
        json.dumps(
            {
                "places": places,
                "first_map_s": round(first_map, 2),
                "first_graph_s": round(first_graph, 2),
                "steps": steps,
                "step_map_ms": {"p50": quantile(maps, 0.5), "p90": quantile(maps, 0.9), "max": round(max(maps), 1)},
                "step_graph_ms": {
                    "p50": quantile(graphs, 0.5),
                    "p90": quantile(graphs, 0.9),
                    "max": round(max(graphs), 1),
                },
                "long_tasks": {
                    "count": len(long_tasks),
                    "total_ms": round(sum(long_tasks)),
                    "max_ms": round(max(long_tasks, default=0)),
                },
                "console": errors,
            }
        )
    )


if __name__ == "__main__":
    main()
