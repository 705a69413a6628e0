"""The page at / in a real headless Chromium (Debian's chromium + chromedriver, via Selenium).

Skipped, with the reason, where the browser or its driver is not installed
(``apt-get install -y chromium chromium-driver``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_helpers import real_server

from embedlab.search import Index
from embedlab.serve import ServeSettings, create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.is_file(), reason="no /usr/bin/chromium (Debian: apt-get "
                       "install -y chromium chromium-driver)"),
    pytest.mark.skipif(not CHROMEDRIVER.is_file(), reason="no /usr/bin/chromedriver (Debian: "
                       "apt-get install -y chromium-driver)"),
]


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def wait_for(driver: Any, condition: Any, timeout: float = 20) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def test_type_a_text_see_results_and_a_map(browser: Any, index_dir: Path,
                                           tiny_embedder: Any) -> None:
    from selenium.webdriver.common.by import By

    index = Index.open(index_dir, model=tiny_embedder)
    app = create_app(tiny_embedder, index=index, settings=ServeSettings(api_keys=("pk",)))
    try:
        with real_server(app) as (url, _):
            expected = httpx.post(url + "/v1/search", json={"query": "guitar in the park",
                                                            "k": 5},
                                  headers={"Authorization": "Bearer pk"}).json()["data"]
            browser.get(url + "/")
            model = browser.find_element(By.ID, "model")
            wait_for(browser, lambda d: tiny_embedder.name in model.text)
            assert "no index" not in model.text

            # without the key the page shows the server's error, not results
            browser.find_element(By.ID, "query").send_keys("guitar in the park")
            browser.find_element(By.ID, "k").clear()
            browser.find_element(By.ID, "k").send_keys("5")
            browser.find_element(By.ID, "search").click()
            status = browser.find_element(By.ID, "status")
            wait_for(browser, lambda d: "API key" in status.text)
            assert status.get_attribute("class") == "error"

            browser.find_element(By.ID, "key").send_keys("pk")
            browser.find_element(By.ID, "search").click()
            wait_for(browser, lambda d: "results in" in status.text)
            rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
            assert len(rows) == len(expected) == 5
            for row, hit in zip(rows, expected, strict=True):
                cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
                assert cells == [str(hit["rank"]), f"{hit['score']:.4f}",
                                 f"{hit['id']}: {hit['text']}"]
            circles = browser.find_elements(By.CSS_SELECTOR, "#map circle.hit")
            assert len(circles) == 5
            assert len(browser.find_elements(By.CSS_SELECTOR, "#map rect.query")) == 1
            xs = {round(float(c.get_attribute("cx")), 1) for c in circles}
            assert len(xs) > 1  # the points are spread over the map, not stacked
            for c in circles:
                assert 0 <= float(c.get_attribute("cx")) <= 360
                assert 0 <= float(c.get_attribute("cy")) <= 360
    finally:
        index.close()


def test_without_an_index_the_page_says_so(browser: Any, tiny_embedder: Any) -> None:
    from selenium.webdriver.common.by import By

    with real_server(create_app(tiny_embedder)) as (url, _):
        browser.get(url + "/")
        model = browser.find_element(By.ID, "model")
        wait_for(browser, lambda d: "no index loaded" in model.text)
        assert not browser.find_element(By.ID, "search").is_enabled()
