# SPDX-License-Identifier: MIT
"""Chair actions checked on the media: aiortc participants of a meeting room each send
their own tone; after the chair mutes one, the others' decoded audio no longer holds its
tone and it comes back on unmute; with everyone muted, the participant given the floor
is heard and silenced again when the floor is taken back; a kicked participant's peer
closes and its tone goes; a participant whose WebSocket drops comes back with its resume
token, keeps its seat and is heard again; ending the meeting closes every peer."""

from pathlib import Path

import pytest

from cau_harness import SYSTEM_PYTHON, metrics, wait_for, ws_wait_event
from room_fixture import CommandClient, join, make_meeting, ok
from test_webrtc_aiortc import client_env, have_aiortc

CLIENT = Path(__file__).resolve().parent / "clients" / "aiortc_room.py"
TONE = {"A": 440, "B": 660, "C": 990}
HEARD_DB = -30  # a tone in the mix measures about -12 dB; a muted one below -60

pytestmark = pytest.mark.skipif(not have_aiortc(),
                                reason=f"{SYSTEM_PYTHON} lacks aiortc (python3-aiortc)")


class Client(CommandClient):
    """One aiortc participant process (clients/aiortc_room.py)."""

    def __init__(self, server, room, token):
        self.room = room
        super().__init__(server, f"client {room}",
                         [CLIENT, server.ws_url, token, "--tone", TONE[room], "--measure",
                          *TONE.values()], client_env())
        self.joined = self.read()["joined"]
        assert "result" in self.joined, self.joined
        self.id = self.joined["result"]["participant"]["id"]

    def levels(self, seconds=1.5):
        return self.ask("levels", seconds=seconds)["levels"]


def hears(listener, room, seconds=1.5):
    return listener.levels(seconds)[str(TONE[room])] > HEARD_DB


def wait_hears(listener, room, expected, timeout=15):
    """Polls until `listener` does (or does not) hear `room`'s tone over the last 1.5 s."""
    wait_for(lambda: hears(listener, room) == expected, timeout, interval=0.5,
             message=f"{listener.room} {'hears' if expected else 'no longer hears'} {room}: "
                     f"{listener.levels()}")


def participants_in_mixer(server, mid):
    return metrics(server.url).get(
        ("cau_mixer_participants", frozenset({("room", f"meeting-{mid}")})))


@pytest.fixture
def meeting(echo_server):
    """A room with a chair (no media, signalling only) and aiortc participants A, B, C."""
    server = echo_server()
    mid, tokens, admin = make_meeting(server)
    chair, _ = join(server, tokens["CHAIR"])
    clients = {}
    try:
        for room in ("A", "B", "C"):
            clients[room] = Client(server, room, tokens[room])
        wait_for(lambda: participants_in_mixer(server, mid) == 3, 60,
                 message="three participants in the mixer")
        for listener, room in (("B", "A"), ("A", "B"), ("A", "C")):
            wait_hears(clients[listener], room, True, timeout=20)
        yield server, mid, admin, chair, clients, tokens
    finally:
        for client in clients.values():
            client.stop()


def test_mute_unmute_and_the_floor_on_the_media(meeting):
    server, mid, admin, chair, c, _ = meeting
    a, b = c["A"], c["B"]

    ok(chair, "room.mute", {"participant": a.id})
    wait_hears(b, "A", False)
    assert hears(b, "C")  # only A went
    ok(chair, "room.unmute", {"participant": a.id})
    wait_hears(b, "A", True)

    # Everyone muted: nobody's tone reaches A, not even C's.
    ok(chair, "room.mute_all")
    wait_hears(a, "B", False)
    wait_hears(a, "C", False)
    wait_hears(b, "A", False)
    reply = b.ask("call", method="room.unmute")["reply"]
    assert reply["error"]["code"] == "forbidden", reply
    # B raises its hand, the chair gives it the floor: B is heard, the others still not.
    assert b.ask("call", method="room.hand.raise")["reply"]["result"] == {}
    ws_wait_event(chair, "room.hand_raised")
    ok(chair, "room.floor.grant")
    wait_hears(a, "B", True)
    assert not hears(a, "C")
    # The chair takes the floor back: B is silent again.
    ok(chair, "room.floor.revoke")
    wait_hears(a, "B", False)
    speaking = [e for e in admin.call("GET", f"/meetings/{mid}/events")[1]
                if e["kind"] == "speaking"]
    assert speaking, "speaking turns recorded for the minutes"


def test_kick_closes_the_peer_and_its_tone_goes(meeting):
    server, mid, admin, chair, c, _ = meeting
    ok(chair, "room.kick", {"participant": c["C"].id})
    wait_for(lambda: participants_in_mixer(server, mid) == 2, 10,
             message="the kicked peer left the mixer")
    wait_hears(c["A"], "C", False)
    events = c["C"].ask("events")["events"]
    assert any(e["event"] == "room.kicked" and e["data"]["participant"]["id"] == c["C"].id
               for e in events), events
    assert hears(c["A"], "B")


def test_reconnect_within_the_grace_keeps_the_seat_and_media(meeting):
    server, mid, admin, chair, c, _ = meeting
    a, b = c["A"], c["B"]
    assert a.ask("call", method="room.hand.raise")["reply"]["result"] == {}
    a.ask("drop")
    ws_wait_event(chair, "room.away")
    wait_hears(b, "A", False)
    reply = a.ask("resume")["reply"]
    seat = reply["result"]
    assert seat["participant"]["id"] == a.id and seat["participant"]["hand_raised"], seat
    assert ws_wait_event(chair, "room.back")["participant"]["id"] == a.id
    wait_hears(b, "A", True, timeout=20)
    wait_hears(a, "B", True, timeout=20)


def test_end_closes_every_peer(meeting):
    server, mid, admin, chair, c, _ = meeting
    ok(chair, "room.end")
    wait_for(lambda: participants_in_mixer(server, mid) is None, 10,
             message="the meeting's mcu room closed")
    for client in c.values():
        events = [e["event"] for e in client.ask("events")["events"]]
        assert "room.ending" in events, events
    assert admin.call("GET", f"/meetings/{mid}")[1]["state"] == "ended"
