# SPDX-License-Identifier: MIT
"""The landing page in a real browser (Debian's Chromium via playwright-core)."""

import json
import subprocess

import pytest

from cau_harness import http_get
from page_runner import BROWSER_DIR, node_env, node_or_skip

MIN_SCREENSHOT_BYTES = 5000


@pytest.fixture
def load_page(tmp_path):
    """Runs load-page.mjs on a URL; returns (exit code, report dict, screenshot path)."""
    node = node_or_skip()

    def run(url):
        screenshot = tmp_path / "page.png"
        result = subprocess.run([node, str(BROWSER_DIR / "load-page.mjs"), url, str(screenshot)],
                                cwd=BROWSER_DIR, env=node_env(), stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=90)
        report_lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        assert report_lines, (f"load-page.mjs printed no report (exit {result.returncode})\n"
                              f"stdout: {result.stdout}\nstderr: {result.stderr}")
        return result.returncode, json.loads(report_lines[-1]), screenshot

    return run


def test_landing_page_shows_server_running(cau_server, load_page):
    """Opening / in Chromium shows the status "ok" once /healthz and a
    WebSocket ping succeed, titled "Cầu", with no error in the console, and
    renders a real screenshot."""
    server = cau_server()
    code, report, screenshot = load_page(server.url + "/")
    assert report["state"] == "ok", report
    assert "Cầu" in report["title"], report
    assert report["errors"] == [], report
    assert code == 0, report
    assert screenshot.is_file()
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > MIN_SCREENSHOT_BYTES


def test_load_page_fails_when_server_is_gone(cau_server, load_page):
    """load-page.mjs reports failure (non-zero exit, ok false, an error) when
    the page cannot be loaded, so a broken page cannot pass unnoticed."""
    server = cau_server()
    url = server.url + "/"
    assert server.stop() == 0
    code, report, screenshot = load_page(url)
    assert code != 0
    assert report["ok"] is False
    assert "ERR_CONNECTION_REFUSED" in report.get("error", ""), report
    assert not screenshot.exists()


def test_favicon_is_served(cau_server):
    """Browsers ask for /favicon.ico (or the icon the page names); the landing
    page provides one, so its console stays free of 404 errors."""
    server = cau_server()
    status, _, _ = http_get(server.url + "/favicon.ico")
    assert status == 200
