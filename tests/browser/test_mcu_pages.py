# SPDX-License-Identifier: MIT
"""The mcu room's video in real browsers: three Chromium pages (fake cameras) join one mcu
room and each decodes the composed picture the server sends it: framesDecoded rising to
the end, at the width of a video tier (640: [video] start_kbps without REMB from
Chromium, and the send-side estimate from its transport-wide feedback starts there).
/metrics shows the room composing three sources, and each receiver with an estimate."""

import os
import subprocess
import tempfile

from cau_harness import metrics, wait_for

from page_runner import run_page_script
from test_echo import echo_page  # noqa: F401 (a fixture)

TIER_WIDTHS = {1280, 640, 320}
LOAD_TOOL = os.environ.get("CAU_TEST_LOAD_TOOL", "")
GRID_PAGE = 25  # tiles on a grid page (5x5)
HIDDEN_MAX_BPS = 100_000  # the server asks 50 kb/s of a camera no view shows


def run_pages(url, count, seconds, during):
    """Runs mcu-pages.mjs; while it runs, calls during() until it returns true."""
    return run_page_script("mcu-pages.mjs", [url, count, seconds], seconds + 180, during)


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


def test_chromium_camera_no_view_shows_is_capped(echo_server, echo_page):
    """A camera that no view shows is asked for 50 kb/s (a REMB, the server's cap towards
    senders), and Chromium's target bitrate follows it, although Chromium estimates from
    the server's transport-wide feedback: cau-load's 25 cameras fill the grid's first page
    and the page joins 26th, onto the second, which nobody is shown. (Measured the same
    way, the page alone in a room has a target of about 1.1 Mb/s.)"""
    assert os.path.isfile(LOAD_TOOL), f"no cau-load at {LOAD_TOOL!r} (set CAU_TEST_LOAD_TOOL)"
    server = echo_server({"video": {"layout": "grid"}})
    room = frozenset({("room", "caps")})
    with tempfile.TemporaryFile("w+") as err:
        load = subprocess.Popen(
            [LOAD_TOOL, "--url", server.ws_url, "--room", "mcu:caps", "--n", str(GRID_PAGE),
             "--video", "320x180@15", "--talkers", "1", "--warmup", "600", "--window", "1",
             "--windows", "1"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=err, text=True)
        try:
            wait_for(lambda: metrics(server.url).get(("cau_video_sources", room)) == GRID_PAGE
                     or load.poll() is not None, 60, message="cau-load's cameras in the room")
            assert load.poll() is None, "cau-load ended early"
            report = echo_page(server.url + "/echo.html?room=mcu:caps", 20)
            caps = metrics(server.url).get(("cau_video_sender_caps_sent_total", room))
        finally:
            load.kill()
            load.wait()
    assert report["ok"] and report["state"] == "connected", report
    sent = [s["sent"] for s in report["samples"]]
    first, last = sent[len(sent) // 2], sent[-1]
    seconds = len(sent) - 1 - len(sent) // 2
    kbps = (last["bytesSent"] - first["bytesSent"]) * 8 / 1000 / seconds
    print(f"\nthe hidden camera: target {last['targetBitrate']} b/s, {kbps:.1f} kb/s sent "
          f"over the last {seconds} s, {last['frameWidth']} wide, limited by "
          f"{last['qualityLimitationReason']}; {caps} caps sent")
    assert caps and caps > 0, caps
    assert last["targetBitrate"] <= HIDDEN_MAX_BPS, sent
    assert last["qualityLimitationReason"] == "bandwidth", sent
    assert kbps <= HIDDEN_MAX_BPS / 1000, sent
