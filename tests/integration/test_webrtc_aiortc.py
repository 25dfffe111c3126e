# SPDX-License-Identifier: MIT
"""The echo room driven by aiortc, an independent WebRTC stack: Opus and VP8 made by
aiortc go through the server and come back decoded (client offer and server offer, so
both DTLS roles); a wrong DTLS fingerprint closes the peer with an error; a client that
vanishes is detected by consent freshness and its resources are released."""

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from cau_harness import (SYSTEM_PYTHON, metrics, wait_for, ws_call, ws_connect,
                         ws_wait_event)

CLIENT = Path(__file__).resolve().parent / "clients" / "aiortc_echo.py"
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
LITE = {"ice": {"lite": "true"}}
FULL = {"ice": {"lite": "false"}}  # a libnice agent and a socket per peer


def client_env():
    return {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}


def have_aiortc():
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import aiortc, av, numpy"],
                           capture_output=True, text=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not have_aiortc(),
                                reason=f"{SYSTEM_PYTHON} lacks aiortc (python3-aiortc)")


def run_client(server, *args, timeout=60):
    """Runs the aiortc client to the end; returns its report (fails with its output)."""
    result = subprocess.run([SYSTEM_PYTHON, str(CLIENT), server.ws_url, *args],
                            capture_output=True, text=True, timeout=timeout, env=client_env())
    reports = [json.loads(line)["report"] for line in result.stdout.splitlines()
               if line.startswith('{"report"')]
    assert reports, (f"aiortc client printed no report (exit {result.returncode})\n"
                     f"stdout: {result.stdout}\nstderr: {result.stderr[-4000:]}\n"
                     f"{server.describe()[-6000:]}")
    return reports[-1]


def peers_gauge(server):
    return metrics(server.url)[("cau_transport_peers", frozenset())]


def assert_echo_decoded(report):
    """What arrives back at aiortc: decoded VP8 frames of the size sent and Opus audio
    whose spectrum peaks at the tone that was sent."""
    assert report["ok"], report
    assert report["errors"] == [], report
    assert report["video_frames"] >= 30, report
    assert report["video_size"] == [320, 240], report
    assert report["audio_frames"] >= 50, report
    assert report["tone_ratio"] > 50, report
    tracks = {t["kind"]: t for t in report["server_stats"]["tracks"]}
    for kind in ("audio", "video"):
        assert tracks[kind]["packets_received"] > 0, report
        assert tracks[kind]["packets_sent"] > 0, report
    assert tracks["audio"]["codec"].lower() == "opus"
    assert tracks["video"]["codec"].upper() == "VP8"
    assert "result" in report["close_reply"], report


def test_client_offer_echo_is_decoded(echo_server):
    """aiortc offers (the server answers active: DTLS client, ICE controlled); the
    echoed Opus and VP8 decode."""
    server = echo_server()
    report = run_client(server)
    assert_echo_decoded(report)
    wait_for(lambda: peers_gauge(server) == 0, 10, message="cau_transport_peers back to 0")


def test_server_offer_echo_is_decoded(echo_server):
    """The server offers (actpass, ICE controlling; aiortc answers active, so the server
    is the DTLS server); the echoed Opus and VP8 decode."""
    server = echo_server()
    report = run_client(server, "--server-offer")
    assert_echo_decoded(report)
    wait_for(lambda: peers_gauge(server) == 0, 10, message="cau_transport_peers back to 0")


def test_wrong_dtls_fingerprint_closes_the_peer(echo_server):
    """An offer whose a=fingerprint does not match the certificate aiortc presents: the
    server fails the handshake, closes the peer and tells the signalling client why."""
    server = echo_server()
    report = run_client(server, "--tamper-fingerprint", "--seconds", "20")
    states = report.get("server_states", [])
    failed = [s for s in states if s["state"] == "failed"]
    assert failed, report
    assert failed[0]["error"] == "dtls_fingerprint", failed
    assert "fingerprint" in failed[0]["reason"], failed
    assert report["video_frames"] == 0
    wait_for(lambda: peers_gauge(server) == 0, 10, message="cau_transport_peers back to 0")
    samples = metrics(server.url)
    assert samples[("cau_transport_peers_failed_total",
                    frozenset({("error", "dtls_fingerprint")}))] == 1, samples


def test_vanished_client_is_released_within_the_consent_timeout(echo_server):
    """The aiortc process is killed while the signalling connection (held here) stays
    open: the server notices that nothing arrives any more, fails the peer with a
    consent-expired reason within [ice] consent_timeout_s, and frees its resources."""
    server = echo_server({"ice": {"consent_timeout_s": "2"}})
    ws = ws_connect(server, timeout=30)
    proc = subprocess.Popen([SYSTEM_PYTHON, str(CLIENT), "-", "--seconds", "3", "--hold"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=client_env())
    try:
        report = None
        for line in proc.stdout:
            message = json.loads(line)
            if "signal" in message:
                reply = ws_call(ws, message["signal"])
                proc.stdin.write(json.dumps(reply) + "\n")
                proc.stdin.flush()
            elif "report" in message:
                report = message["report"]
                break
        assert report and report["video_frames"] > 0, (report, proc.stderr.read()
                                                       if proc.poll() is not None else "")
        assert peers_gauge(server) == 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        state = ws_wait_event(ws, "peer.state", timeout=10,
                              predicate=lambda d: d["state"] in ("failed", "closed"))
        assert state["peer"] == report["peer"]
        assert state["state"] == "failed", state
        assert state["error"] == "consent_expired", state
        wait_for(lambda: peers_gauge(server) == 0, 5, message="cau_transport_peers back to 0")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        ws.close()


@pytest.mark.parametrize("lite", [False, True], ids=["own-socket", "lite"])
def test_bad_input_is_counted_and_dropped(echo_server, lite):
    """Datagrams that fail SRTP authentication, SRTP of an SSRC no track has, SRTCP that
    is not RTCP, bytes of no RFC 7983 class, STUN signed with the wrong password, STUN
    whose attribute runs past its end and 3000-byte datagrams all arrive over the
    connected ICE pair, and more from an address that is not the selected remote's; the
    server (reading the pair's socket itself, or the worker's shared socket with [ice]
    lite) drops and counts each by reason, and the echo goes on."""
    server = echo_server(LITE if lite else FULL)
    report = run_client(server, "--inject-bad")
    assert_echo_decoded(report)
    samples = metrics(server.url)

    def dropped(reason):
        return samples[("cau_transport_dropped_total", frozenset({("reason", reason)}))]

    assert dropped("srtp_auth") >= 5, samples
    assert dropped("unknown_ssrc") >= 5, samples
    assert dropped("malformed") >= 10, samples  # the SRTCP and the oversized
    assert dropped("unknown_type") >= 5, samples
    assert dropped("stun") >= 10, samples
    assert dropped("unknown_source") >= 5, samples
    # On a shared socket the strangers' datagrams belong to no peer: the transport's.
    assert report["server_stats"]["dropped"] >= (35 if lite else 40), report


@pytest.mark.parametrize("lite", [False, True], ids=["own-socket", "lite"])
def test_consent_checks_are_answered_both_ways(echo_server, lite):
    """With full ICE ([ice] lite = false), once ICE has selected a pair the server reads
    its socket itself ([ice] direct_receive, the default); with [ice] lite (the default)
    it is an ICE-lite agent on its workers' shared sockets, and aiortc controls in both
    roles (it reads a=ice-lite). Either way the server answers aiortc's RFC 7675 consent
    checks (aiortc would drop the connection after 30 s without answers) and sends its
    own, which aiortc answers with the right credentials; media echoes and decodes, in
    both ICE roles (aiortc offers, then answers the server's offer)."""
    server = echo_server(LITE if lite else FULL)
    for args in ([], ["--server-offer"]):
        report = run_client(server, "--seconds", "14", *args)
        assert_echo_decoded(report)
        ice = report["server_stats"]["ice"]
        assert ice["direct"] is True, report["server_stats"]
        # aiortc checks every 4-6 s, so do we: two or more each way in 14 s.
        assert ice["checks_answered"] >= 2, ice
        assert ice["consent_sent"] >= 2, ice
        assert ice["consent_answered"] >= 2, ice
        assert ice["consent_answered"] <= ice["consent_sent"], ice
    samples = metrics(server.url)
    assert samples.get(("cau_transport_consent_lost_total", frozenset()), 0) == 0, samples


def test_libnice_reads_everything_when_direct_receive_is_off(echo_server):
    """With full ICE, [ice] direct_receive = false: libnice keeps the socket, answers the checks itself,
    and the echo still decodes."""
    server = echo_server({"ice": {"direct_receive": "false", "lite": "false"}})
    report = run_client(server)
    assert_echo_decoded(report)
    ice = report["server_stats"]["ice"]
    assert ice == {"direct": False, "checks_answered": 0, "consent_sent": 0,
                   "consent_answered": 0}, ice
