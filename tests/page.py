#!/usr/bin/env python3
"""The web page in a real headless browser (Chromium through chromedriver).

    python3 tests/page.py BASE_URL OUT_DIR

BASE_URL is a running `annals serve` of the built-in chronicle. The script
opens `/?on=2023-10-02&place=bamba-camp`, reads the place panel, moves the
date slider, checks that the date and the map's data changed, and saves
`page-2023-10-02.png` and `page-moved.png` in OUT_DIR (between the two, it
taps an actor's node of the graph and a place's, which open their panels,
and an agreement's, when one is drawn, which opens nothing); then it
searches Timbuktu by its French name, opens its panel and an actor's from it.

Exit status: 0 when every check passed; 1 when one failed (the message says
which); 3 when the browser, its driver or Selenium is missing.
"""

import json
import os
import shutil
import sys
import tempfile
import time

MISSING = 3
WAIT = 30  # seconds: the longest any one condition is waited for


def fail(message, code=1):
    print(f"page test: {message}", file=sys.stderr)
    sys.exit(code)


def browser_tools():
    """The Chromium and chromedriver executables, and Selenium, or exit 3."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        fail("Selenium is missing: `python3 -m pip install selenium` (.ci/setup installs it)", MISSING)
    chromium = next(filter(None, map(shutil.which, ["chromium", "chromium-browser", "google-chrome"])), None)
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        fail("Chromium or chromedriver is missing: `apt-get install chromium chromium-driver` (.ci/setup installs them)", MISSING)
    return chromium, driver


def start(chromium, driver, profile):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1440,900",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
    ]:
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    # The size of the page itself, whatever the window around it takes.
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 1440, "height": 900, "deviceScaleFactor": 1, "mobile": False}
    )
    browser.set_page_load_timeout(WAIT)
    browser.set_script_timeout(WAIT)
    return browser


def wait_for(browser, what, condition):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(browser, WAIT, poll_frequency=0.1).until(lambda b: condition(b))
    except TimeoutException:
        logs = page_errors(browser)
        fail(f"timed out after {WAIT} s waiting for {what}{logs}")


def page_errors(browser):
    try:
        entries = browser.get_log("browser")
    except Exception:  # noqa: BLE001 (the log is a help for the message only)
        return ""
    lines = [e["message"] for e in entries if e.get("level") == "SEVERE"]
    return "; the page logged: " + " | ".join(lines) if lines else ""


def attr(browser, selector, name):
    return browser.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
        selector,
        name,
    )


def check_panel(browser):
    from selenium.webdriver.common.by import By

    wait_for(browser, "the place panel of bamba-camp", lambda b: attr(b, "#panel", "data-place") == "bamba-camp")
    panel = browser.find_element(By.ID, "panel")
    text = panel.text
    for words in ["Bamba military camp", "Malian Armed Forces", "On 2023-10-02"]:
        if words not in text:
            fail(f"the place panel does not say {words!r}:\n{text[:2000]}")
    links = [a.get_attribute("href") for a in panel.find_elements(By.CSS_SELECTOR, "ul.sources a[href]")]
    if not any(h.startswith("http") for h in links):
        fail(f"the place panel shows no source link:\n{text[:2000]}")
    events = panel.find_elements(By.CSS_SELECTOR, "ol.timeline li.event")
    bars = panel.find_elements(By.CSS_SELECTOR, "ol.timeline .track .bar, ol.timeline .track .tick")
    if len(events) < 3 or len(bars) < len(events):
        fail(f"the timeline shows {len(events)} events and {len(bars)} date marks")
    return len(links), len(events)


def move_slider(browser, before):
    """Drags the slider's thumb to the left and waits for the map of the new day."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    slider = browser.find_element(By.ID, "slider")
    width = slider.size["width"]
    value = int(slider.get_attribute("value"))
    maximum = int(slider.get_attribute("max"))
    thumb_x = (value / maximum - 0.5) * width
    ActionChains(browser).move_to_element_with_offset(slider, int(thumb_x), 0).click_and_hold().move_by_offset(
        -int(width * 0.35), 0
    ).release().perform()
    day = browser.find_element(By.ID, "date").get_attribute("value")
    if day == "2023-10-02":
        fail("moving the slider did not change the date")
    wait_for(browser, f"the map of {day}", lambda b: attr(b, "#map", "data-date") == day)
    after = attr(browser, "#map", "data-summary")
    if after == before:
        fail(f"the map's data did not change from 2023-10-02 to {day}: {after}")
    url = browser.execute_script("return window.location.search")
    if f"on={day}" not in url:
        fail(f"the URL does not hold the new day: {url}")
    return day, after


def search_and_pick(browser):
    """Finds Timbuktu by its French name, opens it, then an actor from its panel."""
    from selenium.webdriver.common.by import By

    browser.find_element(By.ID, "search").send_keys("Tombouctou")
    results = wait_for(browser, "search results", lambda b: b.find_elements(By.CSS_SELECTOR, "#results li[data-place]"))
    names = [r.text for r in results]
    if not any(n.startswith("Timbuktu") for n in names):
        fail(f"searching Tombouctou found {names}")
    results[0].click()
    wait_for(browser, "the panel of Timbuktu", lambda b: attr(b, "#panel", "data-place") == "timbuktu")
    if "place=timbuktu" not in browser.execute_script("return window.location.search"):
        fail("the URL does not hold the place picked")
    browser.find_element(By.CSS_SELECTOR, "#panel a.pick-actor").click()
    actor = wait_for(browser, "an actor's panel", lambda b: attr(b, "#panel", "data-actor"))
    if "relations on" not in browser.find_element(By.ID, "panel").text:
        fail(f"the panel of {actor} shows no relations")
    return actor


def graph_node(browser, category, other_than=None):
    """The id of a node of the drawn graph of `category`, or None."""
    return browser.execute_script(
        """const [category, other] = arguments;
        const n = window.annals.graph.cy.nodes().filter((n) => n.data('category') === category && n.id() !== other);
        return n.nonempty() ? n[0].id() : null;""",
        category,
        other_than,
    )


def tap(browser, node_id):
    """Taps node `node_id` of the graph, as a click does."""
    browser.execute_script("window.annals.graph.cy.getElementById(arguments[0]).emit('tap');", node_id)


def pick_in_graph(browser):
    """Taps an actor's node, then a place's: each opens its panel under the
    node's id; an agreement's node, when one is drawn, opens nothing."""
    picked = {}
    for category, field in (("actor", "data-actor"), ("place", "data-place")):
        shown = attr(browser, "#panel", field)
        node = wait_for(browser, f"a node of category {category} in the graph", lambda b: graph_node(b, category, shown))
        tap(browser, node)
        wait_for(browser, f"the panel of the {category} {node}", lambda b: attr(b, "#panel", field) == node)
        view = browser.execute_script("return window.annals.view")
        if view[category] != node:
            fail(f"tapping the {category} {node} selected {view}")
        picked[category] = node
    agreement = graph_node(browser, "agreement")
    if agreement:
        if not agreement.startswith("agreement::"):
            fail(f"an agreement's node id is {agreement!r}")
        before = browser.execute_script("return JSON.stringify(window.annals.view)")
        tap(browser, agreement)
        time.sleep(0.3)
        after = browser.execute_script("return JSON.stringify(window.annals.view)")
        if after != before:
            fail(f"tapping the agreement {agreement} changed the view from {before} to {after}")
        picked["agreement"] = agreement
    return picked


def main():
    if len(sys.argv) != 3:
        fail("usage: page.py BASE_URL OUT_DIR", 2)
    base, out = sys.argv[1].rstrip("/"), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    chromium, driver = browser_tools()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="annals-chromium-") as profile:
        browser = start(chromium, driver, profile)
        try:
            browser.get(f"{base}/?on=2023-10-02&place=bamba-camp")
            wait_for(browser, "the page to load", lambda b: attr(b, "body", "data-ready") == "true")
            if attr(browser, "#map", "data-date") != "2023-10-02":
                fail(f"the map shows {attr(browser, '#map', 'data-date')}, not 2023-10-02")
            places = int(attr(browser, "#map", "data-places") or 0)
            if places < 60:
                fail(f"the map draws {places} places")
            links, events = check_panel(browser)
            before = attr(browser, "#map", "data-summary")
            wait_for(browser, "the graph", lambda b: "nodes" in b.find_element("id", "graph-note").text)
            time.sleep(0.3)  # the basemap and the graph's layout settle
            browser.save_screenshot(os.path.join(out, "page-2023-10-02.png"))
            tapped = pick_in_graph(browser)
            day, after = move_slider(browser, before)
            time.sleep(0.3)
            browser.save_screenshot(os.path.join(out, "page-moved.png"))
            actor = search_and_pick(browser)
            errors = page_errors(browser)
            if errors:
                fail(f"the page logged errors{errors}")
        finally:
            browser.quit()
    print(
        json.dumps(
            {
                "places": places,
                "panel_links": links,
                "panel_events": events,
                "moved_to": day,
                "map_before": before,
                "map_after": after,
                "actor_from_timbuktu": actor,
                "tapped_in_graph": tapped,
                "seconds": round(time.monotonic() - started, 2),
                "console": errors,
            }
        )
    )


if __name__ == "__main__":
    main()
