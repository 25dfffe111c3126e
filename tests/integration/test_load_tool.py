# SPDX-License-Identifier: MIT
"""cau-load (tools/load), the load generator of the benchmarks, against a real server so
that it does not rot: three endpoints in an mcu room, each talking its own tone, must
each hear the two others and not itself; in the echo room each must hear its own. Only
delivery is asserted (tones heard, packets back), never timing or CPU."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from cau_harness import metrics

LOAD_TOOL = Path(os.environ.get("CAU_TEST_LOAD_TOOL", ""))


def run_load(server, room, n=3, extra=(), status=0):
    assert LOAD_TOOL.is_file(), f"no cau-load at {LOAD_TOOL!r} (set CAU_TEST_LOAD_TOOL)"
    proc = subprocess.run([str(LOAD_TOOL), "--url", server.ws_url, "--room", room, "--n", str(n),
                           "--sample", str(n), "--warmup", "1", "--window", "3",
                           "--watch-pid", str(server.proc.pid),
                           "--metrics-url", f"{server.url}/metrics",
                           # Delivery, not timing: a loaded machine may delay the mixer.
                           "--min-frames", "10", *extra],
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert proc.returncode == status and lines, (
        f"cau-load exit {proc.returncode}\nstdout: {proc.stdout[-2000:]}\n"
        f"stderr: {proc.stderr[-4000:]}\n{server.describe()[-4000:]}")
    return json.loads(lines[-1].replace("inf.0", "1e309"))


def test_three_talkers_in_an_mcu_room_hear_each_other_not_themselves(echo_server):
    server = echo_server()
    summary = run_load(server, "mcu:smoke")
    print(json.dumps(summary["receivers"]))
    assert summary["connected"] == 3 and summary["failed"] == 0, summary["errors"]
    receivers = {r["endpoint"]: r for r in summary["receivers"]}
    assert sorted(receivers) == [0, 1, 2]
    tones = sorted(r["tone_hz"] for r in receivers.values())
    assert len(set(tones)) == 3 and 0 not in tones
    for r in receivers.values():
        heard = r["tones_dbfs"]
        assert r["decoded"] >= 50, r
        for other in tones:
            if other != r["tone_hz"]:
                assert heard[str(other)] > -40, r
        others = min(heard[str(t)] for t in tones if t != r["tone_hz"])
        assert heard[str(r["tone_hz"])] < others - 15, r
        assert r["ok"], r
    assert summary["delivered_ok"] is True
    # The mixer's work was read from /metrics around the window: speakers + 1 encodes
    # per 20 ms tick while three talk (nothing is asserted about timing).
    assert summary["encodes_per_s"] > 0
    assert summary["windows"][0]["receiving"] == 3


def test_video_senders_reach_the_composite_every_endpoint_decodes(echo_server):
    """--video: every endpoint sends its coloured test pattern (one at 640x360, the others
    at 320x180); the three decode the room's composite and find the senders' colours in
    it, and the server's counters show it decoding and encoding them."""
    server = echo_server({"video": {"layout": "grid"}})
    summary = run_load(server, "mcu:video", extra=["--video", "320x180@15",
                                                   "--video-large", "640x360@15",
                                                   "--video-large-every", "3",
                                                   "--video-min-fps", "1"])
    print(json.dumps(summary["receivers"]))
    assert summary["connected"] == 3, summary["errors"]
    assert summary["video_sent_fps"] > 0
    decoding = [r for r in summary["receivers"] if "video" in r]
    assert len(decoding) == 3
    for r in decoding:
        video = r["video"]
        assert video["decoded"] > 0, r
        # The start tier (600 kb/s assumed until an estimate: 640x360).
        assert (video["width"], video["height"]) in [(1280, 720), (640, 360), (320, 180)], r
        # Each of the three senders' colours is in the grid.
        assert video["colours_seen"] == 3, r
        assert video["ok"], r
        # The server told each sender what its tile needs (a REMB about once a second):
        # a 2x2 grid tile of the 1280x720 picture is covered by the 640x360 tier.
        assert video["cap_kbps"] == 500, r
    assert summary["video_decodes_per_s"] > 0
    assert sum(summary["video_tier_fps"].values()) > 0
    assert summary["delivered_ok"] is True


def test_echo_room_sends_each_endpoint_its_own_tone(echo_server):
    server = echo_server()
    summary = run_load(server, "echo")
    assert summary["connected"] == 3, summary["errors"]
    for r in summary["receivers"]:
        assert r["tone_hz"] > 0
        assert r["tones_dbfs"][str(r["tone_hz"])] > -30, r
        assert r["ok"], r
    assert summary["delivered_ok"] is True
    assert metrics(server.url) is not None


def test_a_refused_room_is_reported_not_hidden(echo_server):
    server = echo_server()
    summary = run_load(server, "nowhere", n=1, extra=["--connect-timeout", "10"], status=1)
    assert summary["connected"] == 0 and summary["failed"] == 1
    assert summary["delivered_ok"] is False
    assert any("no room" in e for e in summary["errors"]), summary["errors"]
