# SPDX-License-Identifier: MIT
"""The mcu room's video in real browsers: three Chromium pages (fake cameras) join one mcu
room and each decodes the composed picture the server sends it: framesDecoded rising to
the end, at the width of a video tier (640: [video] start_kbps without REMB from
Chromium, and the send-side estimate from its transport-wide feedback starts there).
/metrics shows the room composing three sources, and each receiver with an estimate."""

import json
import os
import shutil
import subprocess
import time

from cau_harness import metrics

from test_echo import BROWSER_DIR, CHROMIUM, PLAYWRIGHT, PROXY_VARIABLES

import pytest

TIER_WIDTHS = {1280, 640, 320}


def run_pages(url, count, seconds, during):
    """Runs mcu-pages.mjs; while it runs, calls during() until it returns true."""
    node = shutil.which("node")
    missing = [what for what, present in [
        (str(CHROMIUM), CHROMIUM.is_file()),
        (f"{PLAYWRIGHT} (run `PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci` in {BROWSER_DIR})",
         PLAYWRIGHT.is_dir()),
        ("node", node is not None),
    ] if not present]
    if missing:
        pytest.skip("browser test needs " + ", ".join(missing))
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    proc = subprocess.Popen([node, str(BROWSER_DIR / "mcu-pages.mjs"), url, str(count),
                             str(seconds)], cwd=BROWSER_DIR, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while proc.poll() is None and not during():
            time.sleep(0.2)
        stdout, stderr = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    assert lines, (f"mcu-pages.mjs printed no report (exit {proc.returncode})\n"
                   f"stdout: {stdout}\nstderr: {stderr}")
    return json.loads(lines[-1])


def test_three_chromium_pages_decode_the_composite(echo_server):
    server = echo_server({"video": {"layout": "grid"}})
    room = frozenset({("room", "browsers")})
    seen = {}

    def three_receivers():
        seen.update(metrics(server.url))
        return seen.get(("cau_video_receivers", room | {("tier", "640x360")})) == 3 and \
            seen.get(("cau_video_receivers_estimated", room)) == 3

    report = run_pages(server.url + "/echo.html?room=mcu:browsers", 3, 8, three_receivers)
    assert report["ok"], report
    during = seen
    for page in report["pages"]:
        assert page["state"] == "connected", page
        assert page["errors"] == [] and page["page_errors"] == [], page
        samples = [s.get("video") or {} for s in page["samples"]]
        first, middle, last = samples[1], samples[len(samples) // 2], samples[-1]
        print(f"\npage {page['peer']}: framesDecoded {first.get('framesDecoded')} → "
              f"{middle.get('framesDecoded')} → {last.get('framesDecoded')}, "
              f"{last.get('frameWidth')}x{last.get('frameHeight')}")
        assert last.get("framesDecoded", 0) > middle.get("framesDecoded", 0) > \
            first.get("framesDecoded", 0), samples
        assert last["frameWidth"] in TIER_WIDTHS, last
        assert last["frameWidth"] * 9 == last["frameHeight"] * 16, last
    assert during[("cau_video_sources", room)] == 3, during
    assert during[("cau_video_frames_decoded_total", room)] > 0, during
    assert during[("cau_video_receivers", room | {("tier", "640x360")})] == 3, during
    # Chromium's transport-wide feedback gives each a send-side estimate (it sends no REMB).
    wait_est = [v for (name, labels), v in seen.items()
                if name == "cau_video_receivers_estimated" and labels == room]
    assert wait_est == [3], seen
