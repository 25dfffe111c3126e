# SPDX-License-Identifier: MIT
"""The echo room in a real browser: Debian's Chromium with its fake camera and microphone
opens web/echo.html, sends audio and video to the server and decodes what comes back,
checked with RTCPeerConnection.getStats(). Also under 5 % random UDP loss (nftables in
the test namespace), where NACK/RTX must keep the echoed video decoding."""

import os
import shutil
import subprocess

import pytest

from cau_harness import admin_path, metrics, wait_for
from page_runner import node_or_skip, run_page_script

LOSS_RULES = """
table inet cau_impair {
  chain pre {
    type filter hook prerouting priority 0; policy accept;
    meta l4proto udp numgen random mod 100 < 5 drop
  }
}
"""


@pytest.fixture
def echo_page(tmp_path):
    """Runs echo-page.mjs on a URL for some seconds; returns its report."""
    node_or_skip()

    def run(url, seconds):
        return run_page_script("echo-page.mjs", [url, seconds], 120)

    return run


@pytest.fixture
def udp_loss():
    """Drops 5 % of the UDP datagrams entering the test namespace (both directions of
    every loopback path pass the prerouting hook: about 10 % on an echo round trip)."""
    nft = shutil.which("nft", path=admin_path())
    if not nft:
        pytest.skip("nft (nftables) is missing: tools/install-deps.sh installs it")
    env = dict(os.environ, PATH=admin_path())
    subprocess.run([nft, "-f", "-"], input=LOSS_RULES, text=True, check=True, env=env)
    yield
    subprocess.run([nft, "delete", "table", "inet", "cau_impair"], check=False, env=env)


def video(sample):
    return sample.get("video") or {}


def audio(sample):
    return sample.get("audio") or {}


def assert_decoding(report, under_loss=False):
    """Video frames decoded and rising to the end, audio samples rising, and the loss
    Chromium reports repaired: it counts a packet repaired by RTX both as lost (on the
    media SSRC) and as a retransmission received, so the unrepaired loss is the
    difference."""
    assert report["ok"] and report["state"] == "connected", report
    assert report["errors"] == [] and report["page_errors"] == [], report
    samples = report["samples"]
    first, middle, last = samples[1], samples[len(samples) // 2], samples[-1]
    assert video(last).get("framesDecoded", 0) > 0, report
    assert video(last)["framesDecoded"] > video(middle)["framesDecoded"] > \
        video(first).get("framesDecoded", 0), samples
    # Chromium may lower the resolution it sends when its estimate drops under loss.
    size = (video(last)["frameWidth"], video(last)["frameHeight"])
    assert size == (640, 480) or (under_loss and size[0] >= 320), last
    assert audio(last)["totalSamplesReceived"] > audio(middle)["totalSamplesReceived"] > \
        audio(first)["totalSamplesReceived"], samples
    unrepaired = video(last)["packetsLost"] - video(last).get("retransmittedPacketsReceived", 0)
    assert unrepaired <= 0.02 * video(last)["packetsReceived"], last
    if not under_loss:
        assert audio(last)["packetsLost"] <= 0.02 * audio(last)["packetsReceived"], last
        assert video(last)["packetsLost"] <= 0.02 * video(last)["packetsReceived"], last
    connected = [e for e in report["events"] if e["data"]["state"] == "connected"]
    assert connected, report["events"]


def peers_gauge(server):
    return metrics(server.url)[("cau_transport_peers", frozenset())]


def test_chromium_client_offer_trickle(echo_server, echo_page):
    """Chromium offers and trickles its candidates; the server answers active (DTLS
    client) and trickles its own."""
    server = echo_server()
    report = echo_page(server.url + "/echo.html?offer=client&trickle=1", 6)
    assert_decoding(report)
    wait_for(lambda: peers_gauge(server) == 0, 10, message="peer released after the browser")


def test_chromium_server_offer_without_trickle(echo_server, echo_page):
    """The server offers with every candidate and a=end-of-candidates; Chromium answers
    active, so the server is the DTLS server."""
    server = echo_server()
    report = echo_page(server.url + "/echo.html?offer=server&trickle=0", 6)
    assert_decoding(report)


def test_chromium_echo_under_udp_loss(echo_server, echo_page, udp_loss):
    """With 5 % random UDP loss the echoed video keeps decoding, and /metrics shows the
    server answering Chromium's NACKs (and asking for what it lost itself). The server
    offers and both sides trickle (the combination the other tests leave out)."""
    server = echo_server()
    report = echo_page(server.url + "/echo.html?offer=server&trickle=1", 12)
    assert_decoding(report, under_loss=True)
    # Frames kept coming to the end: no second of the last five without a new frame (no
    # freeze waiting for keyframes), and on average at least 5 per second (the fake camera
    # sends 30; a loaded machine slows Chromium itself, so no more is asked).
    tail = [video(s)["framesDecoded"] for s in report["samples"][-6:]]
    assert all(b > a for a, b in zip(tail, tail[1:])), report["samples"]
    assert tail[-1] - tail[0] >= 25, report["samples"]
    end = report["samples"][-1]
    assert video(end)["retransmittedPacketsReceived"] > 0, end
    samples = metrics(server.url)
    assert samples[("cau_transport_nack_answered_total", frozenset())] > 0, samples
    assert samples[("cau_transport_nack_requested_total", frozenset())] > 0, samples
    assert samples[("cau_transport_rtx_received_total", frozenset())] > 0, samples
