# SPDX-License-Identifier: MIT
"""WHIP ingest and WHEP egress (RFC 9725, docs/whip.md) with a small client of our own on
aiortc (clients/whip_client.py): a WHIP publisher's tone is heard by an aiortc participant
of the room, which sees it in the roster and events; DELETE takes it out and its tone goes;
a WHEP viewer hears the room's mix; and every error the routes document.

GStreamer's whipsink is not installed on this machine (gst-inspect-1.0 whipsink finds no
such element), so the only WHIP client here is ours."""

import json
from pathlib import Path

import pytest

from cau_harness import SYSTEM_PYTHON, http_request, wait_for, ws_wait_event
from room_fixture import CommandClient, call, join, make_meeting, ok
from test_room_media import Client, hears, participants_in_mixer, wait_hears, TONE
from test_webrtc_aiortc import client_env, have_aiortc

WHIP_CLIENT = Path(__file__).resolve().parent / "clients" / "whip_client.py"
HEARD_DB = -30

pytestmark = pytest.mark.skipif(not have_aiortc(),
                                reason=f"{SYSTEM_PYTHON} lacks aiortc (python3-aiortc)")


class Whip(CommandClient):
    """One WHIP publisher (tone `room`'s) or WHEP viewer process."""

    def __init__(self, server, kind, mid, token, tone=0, announce_trickle=False):
        super().__init__(server, "WHIP client",
                         [WHIP_CLIENT, server.url, kind, mid, token, "--tone", tone,
                          "--measure", *TONE.values()] +
                         (["--announce-trickle"] if announce_trickle else []), client_env())
        self.created = self.read()["created"]

    def hears(self, room):
        return self.ask("levels", seconds=1.5)["levels"][str(TONE[room])] > HEARD_DB

@pytest.fixture
def room(echo_server):
    server = echo_server()
    mid, tokens, admin = make_meeting(server)
    chair, _ = join(server, tokens["CHAIR"])
    procs = []
    yield server, mid, tokens, admin, chair, procs
    for proc in procs:
        proc.stop()


def roster(chair):
    return {p["name"]: p for p in call(chair, "room.state")["result"]["participants"]}


def test_whip_publisher_is_heard_whep_viewer_hears_the_mix_delete_leaves(room):
    server, mid, tokens, admin, chair, procs = room
    a = Client(server, "A", tokens["A"])
    procs.append(a)
    pub = Whip(server, "whip", mid, tokens["B"], tone=TONE["B"])
    procs.append(pub)
    created = pub.created
    assert created["status"] == 201, created
    assert created["content_type"] == "application/sdp"
    assert created["location"].startswith(f"/whip/{mid}/") and created["etag"].startswith('"')
    # The device is a participant like any other, with its endpoint's name.
    joined = ws_wait_event(chair, "room.joined",
                           predicate=lambda d: d["participant"]["name"] == "Phòng họp B")
    assert joined["participant"]["role"] == "participant", joined
    assert roster(chair)["Phòng họp B"]["role"] == "participant"
    wait_for(lambda: participants_in_mixer(server, mid) == 2, 60, message="two in the mixer")
    wait_hears(a, "B", True, timeout=20)

    assert created["candidates"] > 0 and created["end_of_candidates"], created
    # A WHEP viewer receives the mix: A's tone and B's. Its offer announces trickle, as a
    # browser's does; the answer still carries every candidate (WHIP has no way to send
    # the server's later).
    viewer = Whip(server, "whep", mid, tokens["VIEWER"], announce_trickle=True)
    procs.append(viewer)
    assert viewer.created["status"] == 201, viewer.created
    assert viewer.created["candidates"] > 0 and viewer.created["end_of_candidates"]
    assert viewer.created["location"].startswith(f"/whep/{mid}/")
    wait_for(lambda: viewer.hears("A") and viewer.hears("B"), 60, interval=0.5,
             message="the WHEP viewer hears A and B")
    seat = roster(chair)["Phòng họp VIEWER"]
    assert seat["role"] == "viewer" and seat["audio_muted"], seat

    # Only the token's holder may end the session.
    reply = pub.ask("delete", token=tokens["A"])
    assert reply["status"] == 403, reply
    reply = pub.ask("delete")
    assert reply["status"] == 200, reply
    left = ws_wait_event(chair, "room.left",
                         predicate=lambda d: d["participant"]["name"] == "Phòng họp B")
    assert left["reason"] == "left"
    assert "Phòng họp B" not in roster(chair)
    wait_hears(a, "B", False)
    wait_for(lambda: not viewer.hears("B"), 15, interval=0.5, message="B's tone gone for the viewer")
    assert hears(a, "B") is False and viewer.hears("A")
    assert pub.ask("delete")["status"] == 404


def test_patch_trickles_and_refuses_an_ice_restart(room):
    server, mid, tokens, admin, chair, procs = room
    pub = Whip(server, "whip", mid, tokens["B"], tone=TONE["B"])
    procs.append(pub)
    etag = pub.created["etag"]
    frag = "a=mid:0\r\na=candidate:1 1 UDP 2130706431 10.99.0.1 9 typ host\r\na=end-of-candidates\r\n"
    frag_type = {"Content-Type": "application/trickle-ice-sdpfrag"}
    reply = pub.ask("patch", body=frag, headers={**frag_type, "If-Match": etag})
    assert reply["status"] == 204, reply
    reply = pub.ask("patch", body=frag, headers={**frag_type, "If-Match": '"stale"'})
    assert reply["status"] == 412, reply
    # An ICE restart: RFC 9725 says 501 from a server that does not support them.
    restart = "a=ice-ufrag:zzzz\r\na=ice-pwd:0123456789012345678901\r\na=mid:0\r\n"
    reply = pub.ask("patch", body=restart, headers={**frag_type, "If-Match": "*"})
    assert reply["status"] == 501 and "ICE restart" in reply["body"], reply
    reply = pub.ask("patch", body=frag, headers={"Content-Type": "text/plain"})
    assert reply["status"] == 415, reply
    reply = pub.ask("patch", body=frag, headers=frag_type, token=tokens["A"])
    assert reply["status"] == 403, reply
    reply = pub.ask("patch", body="a=mid:0\r\na=candidate:garbage\r\n", headers=frag_type)
    assert reply["status"] == 400, reply
    # The session still works after all that: the participant is still in the room.
    assert "Phòng họp B" in roster(chair)


def post(server, path, body=b"v=0\r\n", token=None, content_type="application/sdp"):
    headers = {"Content-Type": content_type} if content_type else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    status, headers, text = http_request("POST", server.url + path, body, headers)
    return status, headers, json.loads(text) if text.startswith(b"{") else text


def test_errors(room):
    server, mid, tokens, admin, chair, procs = room
    status, headers, body = post(server, f"/whip/{mid}")
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer"), body
    assert body["error"]["code"] == "unauthorized"
    status, headers, body = post(server, f"/whip/{mid}", token="not-a-token")
    assert status == 401 and "WWW-Authenticate" in headers, body
    status, _, body = post(server, f"/whip/{mid + 1000}", token=tokens["B"])
    assert status == 403 and "another meeting" in body["error"]["message"], body
    status, _, body = post(server, f"/whip/{mid}", token=tokens["VIEWER"])
    assert status == 403, body
    status, _, body = post(server, f"/whip/{mid}", token=tokens["B"], content_type="text/plain")
    assert status == 415 and body["error"]["code"] == "unsupported_media_type", body
    status, _, body = post(server, f"/whip/{mid}", b"v=0\r\nbogus line\r\n", token=tokens["B"])
    assert status == 400 and body["error"]["code"] == "bad_sdp", body
    assert "line" in body["error"]["message"], body
    # A bad offer leaves nobody behind.
    assert "Phòng họp B" not in roster(chair)
    status, headers, _ = http_request("OPTIONS", f"{server.url}/whip/{mid}")
    assert status == 204 and headers["Accept-Post"] == "application/sdp"
    status, headers, _ = http_request("OPTIONS", f"{server.url}/whep/{mid}")
    assert status == 204 and headers["Accept-Post"] == "application/sdp"
    for method in ("PATCH", "DELETE"):
        status, _, _ = http_request(method, f"{server.url}/whip/{mid}/nosuchsession", b"",
                                    {"Authorization": f"Bearer {tokens['B']}"})
        assert status == 404, method
    status, _, _ = http_request("GET", f"{server.url}/whip/{mid}")
    assert status == 405
    # A locked room refuses new devices; an ended meeting too.
    ok(chair, "room.lock")
    status, _, body = post(server, f"/whip/{mid}", token=tokens["LATE"])
    assert status == 409 and body["error"]["code"] == "room_locked", body
    ok(chair, "room.end")
    status, _, body = post(server, f"/whep/{mid}", token=tokens["VIEWER"])
    assert status == 409, body
    errors = [line for line in http_request("GET", server.url + "/metrics")[2].decode().splitlines()
              if 'route="/whip/{meeting_id}"' in line and 'status="401"' in line]
    assert errors and errors[0].endswith(" 2"), errors


def test_kick_and_a_lost_peer_release_the_session(room):
    server, mid, tokens, admin, chair, procs = room
    kicked = Whip(server, "whip", mid, tokens["B"], tone=TONE["B"])
    lost = Whip(server, "whip", mid, tokens["C"], tone=TONE["C"])
    procs += [kicked, lost]
    assert kicked.created["status"] == lost.created["status"] == 201
    wait_for(lambda: participants_in_mixer(server, mid) == 2, 60, message="two in the mixer")
    ok(chair, "room.kick", {"participant": roster(chair)["Phòng họp B"]["id"]})
    wait_for(lambda: participants_in_mixer(server, mid) == 1, 10,
             message="the kicked device's peer left the mixer")
    assert kicked.ask("delete")["status"] == 404  # its session went with its seat
    # A device that vanishes (no DELETE) loses its seat once ICE consent expires.
    lost.proc.kill()
    lost.proc.wait()
    left = ws_wait_event(chair, "room.left", timeout=30,
                         predicate=lambda d: d["participant"]["name"] == "Phòng họp C")
    assert left["reason"] == "dropped", left
    wait_for(lambda: participants_in_mixer(server, mid) is None, 10,
             message="nobody left in the meeting's mixer")
