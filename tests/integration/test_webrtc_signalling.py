# SPDX-License-Identifier: MIT
"""The peer.* methods and events of /ws without a media client: refused SDPs name the
line, unknown rooms and peers, server offers with and without trickle, candidates, and
peers closed with their signalling connection."""

import re

from cau_harness import ICE_ADDRESS, REPO_ROOT, metrics, wait_for, ws_call, ws_connect, ws_wait_event

CAPTURES = REPO_ROOT / "tests" / "data" / "sdp"


def chromium_offer():
    # read_bytes: read_text would turn the captures' CRLF line ends into LF
    return (CAPTURES / "chromium-av-offer.sdp").read_bytes().decode("utf-8")


def peers_gauge(server):
    return metrics(server.url)[("cau_transport_peers", frozenset())]


def create(ws, **params):
    return ws_call(ws, {"id": 1, "method": "peer.create", "params": {"room": "echo", **params}})


def test_offer_without_rtcp_mux_is_refused_naming_the_line(echo_server):
    server = echo_server()
    ws = ws_connect(server)
    offer = chromium_offer().replace("a=rtcp-mux\r\n", "", 1)
    reply = create(ws, offer=offer)
    assert reply["error"]["code"] == "bad_sdp", reply
    assert reply["error"]["message"].startswith("line 8 (m=audio, mid 0): no a=rtcp-mux"), reply
    assert peers_gauge(server) == 0


def test_malformed_offer_is_refused_naming_the_line(echo_server):
    server = echo_server()
    ws = ws_connect(server)
    offer = chromium_offer().replace("a=rtpmap:111 opus/48000/2", "a=rtpmap:abc opus/48000/2")
    reply = create(ws, offer=offer)
    assert reply["error"]["code"] == "bad_sdp", reply
    assert re.match(r"line \d+: a=rtpmap", reply["error"]["message"]), reply


def test_offer_without_bundle_is_refused(echo_server):
    server = echo_server()
    ws = ws_connect(server)
    reply = create(ws, offer=chromium_offer().replace("a=group:BUNDLE 0 1\r\n", ""))
    assert reply["error"]["code"] == "bad_sdp", reply
    assert "BUNDLE" in reply["error"]["message"], reply


def test_unknown_room_and_peer(echo_server):
    server = echo_server()
    ws = ws_connect(server)
    reply = ws_call(ws, {"id": 1, "method": "peer.create", "params": {"room": "nowhere"}})
    assert reply["error"]["code"] == "not_found", reply
    for method, params in [("peer.answer", {"answer": "v=0"}), ("peer.candidate", {}),
                           ("peer.close", {}), ("peer.stats", {})]:
        reply = ws_call(ws, {"id": 2, "method": method, "params": {"peer": "nope", **params}})
        assert reply["error"]["code"] == "not_found", (method, reply)
    reply = ws_call(ws, {"id": 3, "method": "peer.create", "params": {"room": "echo", "x": 1}})
    assert reply["error"]["code"] == "bad_request", reply


def test_client_offer_answer_carries_everything(echo_server):
    """An offer without trickle (aiortc's kind) is answered with every candidate, on the
    configured address, and a=end-of-candidates; the server takes the DTLS client role."""
    server = echo_server()
    ws = ws_connect(server)
    offer = chromium_offer().replace("a=ice-options:trickle\r\n", "")
    reply = create(ws, offer=offer)
    answer = reply["result"]["answer"]
    assert re.search(rf"a=candidate:\S+ 1 udp \d+ {re.escape(ICE_ADDRESS)} \d+ typ host", answer)
    assert "a=end-of-candidates" in answer
    assert "a=setup:active" in answer
    assert "a=ice-options:trickle" not in answer
    assert "a=group:BUNDLE 0 1" in answer
    assert peers_gauge(server) == 1
    ws.close()
    wait_for(lambda: peers_gauge(server) == 0, 10, message="peers closed with the WebSocket")


def test_trickle_offer_gets_candidates_as_events(echo_server):
    """A trickle offer (Chromium's) is answered at once without candidates; they follow as
    peer.candidate events, then a null candidate for the end."""
    server = echo_server()
    ws = ws_connect(server)
    reply = create(ws, offer=chromium_offer())
    peer = reply["result"]["peer"]
    assert "a=candidate" not in reply["result"]["answer"]
    assert "a=ice-options:trickle" in reply["result"]["answer"]
    first = ws_wait_event(ws, "peer.candidate")
    assert first["peer"] == peer and first["sdpMid"] == "0" and first["sdpMLineIndex"] == 0
    assert ICE_ADDRESS in first["candidate"]
    ws_wait_event(ws, "peer.candidate", predicate=lambda d: d["candidate"] is None)
    # Trickled remote candidates: a good one, an mDNS one (ignored), the end.
    for candidate in ["candidate:1 1 udp 2122260223 127.0.0.2 40000 typ host",
                      "candidate:2 1 udp 2122260223 abcd.local 40001 typ host", None]:
        reply = ws_call(ws, {"id": 5, "method": "peer.candidate",
                             "params": {"peer": peer, "candidate": candidate, "sdpMid": "0"}})
        assert reply.get("result") == {}, reply
    reply = ws_call(ws, {"id": 6, "method": "peer.candidate",
                         "params": {"peer": peer, "candidate": "candidate:bad"}})
    assert reply["error"]["code"] == "bad_sdp", reply
    reply = ws_call(ws, {"id": 7, "method": "peer.close", "params": {"peer": peer}})
    assert reply == {"id": 7, "result": {}}
    wait_for(lambda: peers_gauge(server) == 0, 10, message="closed peer released")


def test_server_offer_with_and_without_trickle(echo_server):
    server = echo_server()
    ws = ws_connect(server)
    reply = create(ws)
    offer = reply["result"]["offer"]
    assert "a=setup:actpass" in offer
    assert "a=candidate:" in offer and "a=end-of-candidates" in offer
    assert "a=group:BUNDLE 0 1" in offer
    assert "opus/48000/2" in offer and "VP8/90000" in offer and "rtx/90000" in offer
    reply = create(ws, trickle=True)
    offer = reply["result"]["offer"]
    assert "a=candidate:" not in offer and "a=ice-options:trickle" in offer
    ws_wait_event(ws, "peer.candidate", predicate=lambda d: d["peer"] == reply["result"]["peer"])
    # An answer the server cannot accept leaves the peer as it was.
    bad = ws_call(ws, {"id": 9, "method": "peer.answer",
                       "params": {"peer": reply["result"]["peer"], "answer": "v=0\r\n"}})
    assert bad["error"]["code"] == "bad_sdp", bad
    assert peers_gauge(server) == 2
    ws.close()
    wait_for(lambda: peers_gauge(server) == 0, 10, message="peers closed with the WebSocket")


def candidate_endpoints(sdp):
    return [(m[1], int(m[2])) for m in re.finditer(
        r"a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host", sdp)]


def offer_endpoints(server):
    ws = ws_connect(server)
    try:
        return candidate_endpoints(create(ws)["result"]["offer"])
    finally:
        ws.close()


def test_port_range_and_interface(echo_server):
    """[ice] interfaces names the device (cau0 carries the namespace's 127.0.0.2) and,
    with full ICE, port_min..port_max bound the host candidates' ports."""
    server = echo_server({"ice": {"addresses": "", "interfaces": "cau0", "lite": "false",
                                  "port_min": "41000", "port_max": "41009"}})
    endpoints = offer_endpoints(server)
    assert endpoints, endpoints
    for address, port in endpoints:
        assert address == ICE_ADDRESS and 41000 <= port <= 41009, endpoints


def test_public_address_replaces_host_addresses(echo_server):
    """Behind 1:1 NAT the announced address replaces the local one; ports stay."""
    server = echo_server({"ice": {"public_address": "203.0.113.7"}})
    endpoints = offer_endpoints(server)
    assert endpoints and all(address == "203.0.113.7" for address, _ in endpoints), endpoints


def test_lite_listens_on_one_port_per_worker(echo_server):
    """[ice] lite (auto, the default, without STUN or TURN servers): every offer says
    a=ice-lite and its only candidates are the workers' shared sockets, worker i on
    port_min + i."""
    server = echo_server({"ice": {"addresses": "", "interfaces": "cau0",
                                  "port_min": "41010", "port_max": "41019"},
                          "transport": {"workers": "2"}})
    sockets, seen = [], set()
    try:
        for _ in range(4):  # peers go to the least loaded worker: both get some
            sockets.append(ws_connect(server))
            offer = create(sockets[-1])["result"]["offer"]
            assert "a=ice-lite\r\n" in offer, offer
            seen |= set(candidate_endpoints(offer))
    finally:
        for ws in sockets:
            ws.close()
    assert seen == {(ICE_ADDRESS, 41010), (ICE_ADDRESS, 41011)}, seen


def test_bad_ice_settings_stop_the_server(cau_server):
    for settings, expect in [
            ({"stun_server": "no such host.invalid:3478"}, "stun_server"),
            ({"interfaces": "nosuchif0"}, "nosuchif0"),
            ({"public_address": "not-an-ip"}, "public_address"),
            ({"lite": "true", "turn_server": "127.0.0.1:3478"},
             "[ice] lite = true and turn_server exclude each other"),
            ({"lite": "true", "stun_server": "127.0.0.1:3478"},
             "[ice] lite = true and stun_server exclude each other"),
            ({"lite": "maybe"}, '[ice] lite = "maybe": not one of auto|true|false'),
            ({"lite": "true", "port_min": "41020", "port_max": "41020"},
             "[ice] lite: the 2 workers need ports 41020..41021, past port_max 41020")]:
        server = cau_server({"ice": settings, "transport": {"workers": "2"}}, wait=False)
        # 2: the file itself is wrong; 1: its settings cannot be used.
        assert server.proc.wait(30) == (2 if "maybe" in expect else 1), server.describe()
        assert expect in server.stderr_text(), server.describe()
