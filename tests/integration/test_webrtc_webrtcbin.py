# SPDX-License-Identifier: MIT
"""The echo room driven by GStreamer's webrtcbin: Opus and VP8 encoded by GStreamer go
through the server and come back to be decoded (decodebin into counting fakesinks), with
candidates trickled both ways."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from cau_harness import SYSTEM_PYTHON, metrics, wait_for

CLIENT = Path(__file__).resolve().parent / "clients" / "webrtcbin_echo.py"
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def have_webrtcbin():
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c",
         "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstWebRTC', '1.0');"
         "from gi.repository import Gst; Gst.init(None);"
         "import sys; sys.exit(0 if Gst.ElementFactory.find('webrtcbin') and "
         "Gst.ElementFactory.find('vp8enc') and Gst.ElementFactory.find('opusenc') else 1)"],
        capture_output=True, text=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(
    not have_webrtcbin(),
    reason="GStreamer webrtcbin, vp8enc or opusenc missing (gstreamer1.0-plugins-bad/-good, "
           "gstreamer1.0-nice, gir1.2-gst-plugins-bad-1.0)")


def test_webrtcbin_trickle_echo_is_decoded(echo_server):
    server = echo_server()
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    result = subprocess.run([SYSTEM_PYTHON, str(CLIENT), server.ws_url, "--seconds", "20"],
                            capture_output=True, text=True, timeout=90, env=env)
    reports = [json.loads(line)["report"] for line in result.stdout.splitlines()
               if line.startswith('{"report"')]
    assert reports, (f"webrtcbin client printed no report (exit {result.returncode})\n"
                     f"{result.stderr[-4000:]}\n{server.describe()[-4000:]}")
    report = reports[-1]
    assert report["ok"], report
    assert "connected" in report["states"], report
    assert report["video_buffers"] >= 60, report
    assert report["video_size"] == [320, 240], report
    assert report["audio_buffers"] >= 100, report
    assert report["audio_rate"] == 48000, report
    # Trickle both ways: webrtcbin's candidates went up, the server's came down as
    # events, ending with a null candidate.
    assert report["candidates_sent"] >= 1, report
    assert report["candidates_received"] >= 2, report
    wait_for(lambda: metrics(server.url)[("cau_transport_peers", frozenset())] == 0, 10,
             message="cau_transport_peers back to 0")
