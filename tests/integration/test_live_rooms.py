# SPDX-License-Identifier: MIT
"""The operators' view of the running rooms (GET /api/v1/rooms and
/api/v1/meetings/{id}/room): a chair seated over /ws appears with no link; two aiortc
participants sending tones appear connected, with byte counters that grow between two
readings (the console's bit rate), loss and a round trip; the routes are for operators
only and refuse what they do not take."""

import pytest

from cau_harness import ApiClient, SYSTEM_PYTHON, wait_for
from room_fixture import join, make_meeting, ok
from test_room_media import Client, participants_in_mixer
from test_webrtc_aiortc import have_aiortc


def room_of(admin, mid):
    status, reply, _ = admin.call("GET", f"/meetings/{mid}/room")
    assert status == 200, reply
    return reply


def by_name(room):
    return {p["name"]: p for p in room["participants"]}


def test_routes_validate_and_show_a_signalling_only_seat(echo_server):
    """No room yet: an empty list and 404 for the meeting; once the chair is seated the
    meeting's room is listed with its title, state and the chair, whose link is null (no
    peer). Query parameters, bad ids, other meetings and non-operators are refused."""
    server = echo_server()
    mid, tokens, admin = make_meeting(server)
    status, listed, _ = admin.call("GET", "/rooms")
    assert status == 200 and listed["rooms"] == [] and listed["at"] > 0, listed
    status, reply, _ = admin.call("GET", f"/meetings/{mid}/room")
    assert (status, reply["error"]["code"]) == (404, "not_found"), reply
    assert f"meeting {mid} has no room running" in reply["error"]["message"]

    chair, seat = join(server, tokens["CHAIR"])
    status, listed, _ = admin.call("GET", "/rooms")
    assert status == 200 and len(listed["rooms"]) == 1, listed
    room = listed["rooms"][0]
    assert (room["meeting_id"], room["title"], room["state"]) == (mid, "Giao ban trực tuyến",
                                                                  "open"), room
    assert room["meeting_state"] in ("open", "live") and room["recording"] is False, room
    [person] = room["participants"]
    assert (person["name"], person["role"], person["link"]) == ("Phòng họp CHAIR", "chair", None)
    assert person["id"] == seat["participant"]["id"] and person["joined_at"] > 0, person
    assert room_of(admin, mid)["room"] == room

    for path, code in [("/rooms?x=1", 400), (f"/meetings/{mid}/room?verbose=1", 400),
                       ("/meetings/abc/room", 404), ("/meetings/0/room", 404),
                       ("/meetings/999999/room", 404)]:
        status, reply, _ = admin.call("GET", path)
        assert status == code, (path, reply)
    assert "x" in admin.call("GET", "/rooms?x=1")[1]["error"]["message"]
    anonymous = ApiClient(server)
    assert anonymous.call("GET", "/rooms")[0] == 401
    assert anonymous.call("GET", f"/meetings/{mid}/room")[0] == 401
    status, _, _ = admin.call("POST", "/accounts", {"username": "chu.tich", "role": "chair",
                                                    "password": "mat-khau-chu-tich"})
    assert status == 201
    chair_account = ApiClient(server)
    chair_account.login("chu.tich", "mat-khau-chu-tich")
    assert chair_account.call("GET", "/rooms")[0] == 403
    chair.close()


@pytest.mark.skipif(not have_aiortc(), reason=f"{SYSTEM_PYTHON} lacks aiortc (python3-aiortc)")
def test_participants_links_are_measured(echo_server):
    """Two participants with media: each is listed connected, its bytes received grow
    between two readings, its loss is measured (0 here, no impairment) and a round trip
    is known; the one the chair mutes shows muted."""
    server = echo_server()
    mid, tokens, admin = make_meeting(server)
    chair, _ = join(server, tokens["CHAIR"])
    clients = {}
    try:
        for name in ("A", "B"):
            clients[name] = Client(server, name, tokens[name])
        wait_for(lambda: participants_in_mixer(server, mid) == 2, 20,
                 message="two participants in the mixer")

        def linked():
            people = by_name(room_of(admin, mid)["room"])
            return all((people.get(f"Phòng họp {n}") or {}).get("link") and
                       people[f"Phòng họp {n}"]["link"]["state"] == "connected" and
                       people[f"Phòng họp {n}"]["link"]["rtt_ms"] is not None
                       for n in ("A", "B"))
        wait_for(linked, 30, interval=0.5, message="both participants connected with a round trip")
        first = room_of(admin, mid)
        wait_for(lambda: room_of(admin, mid)["at"] >= first["at"] + 1000, 10, interval=0.2,
                 message="a second later")
        second = room_of(admin, mid)
        for n in ("A", "B"):
            before = by_name(first["room"])[f"Phòng họp {n}"]["link"]
            after = by_name(second["room"])[f"Phòng họp {n}"]["link"]
            seconds = (second["at"] - first["at"]) / 1000
            kbps_in = 8 * (after["bytes_received"] - before["bytes_received"]) / seconds / 1000
            kbps_out = 8 * (after["bytes_sent"] - before["bytes_sent"]) / seconds / 1000
            print(f"\n{n}: in {kbps_in:.0f} kbit/s, out {kbps_out:.0f} kbit/s, "
                  f"loss {after['loss_in_percent']:.1f}%/{after['loss_out_percent']:.1f}%, "
                  f"rtt {after['rtt_ms']:.1f} ms, estimate {after['estimate_bps']}")
            # media flows both ways between the readings (rates depend on the machine's
            # load, so only growth is asserted)
            assert after["bytes_received"] > before["bytes_received"] > 0, (before, after)
            assert after["bytes_sent"] > before["bytes_sent"] > 0, (before, after)
            assert after["packets_received"] > before["packets_received"] > 0
            assert 0 <= after["loss_in_percent"] < 5 and 0 <= after["loss_out_percent"] < 5
            assert 0 < after["rtt_ms"] < 1000, after

        target = by_name(second["room"])["Phòng họp A"]["id"]
        ok(chair, "room.mute", {"participant": target})
        muted = by_name(room_of(admin, mid)["room"])["Phòng họp A"]
        assert muted["audio_muted"] and muted["audio_muted_by_chair"], muted
    finally:
        for client in clients.values():
            client.stop()
        chair.close()
