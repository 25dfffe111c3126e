# SPDX-License-Identifier: MIT
"""The meeting room over /ws without media: joining with join tokens, the room's state
and events, every action by every role (only the allowed ones succeed), locking,
keeping a seat across a dropped connection, what is recorded for the minutes, and bad
input (malformed JSON, unknown methods, oversized messages, floods) that leaves the
room and the other clients alone."""

import json
import socket

import pytest
import websocket

from cau_harness import (admin_client, metrics, wait_for, ws_call, ws_close_code, ws_connect,
                         ws_wait_event)
from room_fixture import call, join, make_meeting, ok


def error_code(reply):
    assert "error" in reply, reply
    return reply["error"]["code"]


def test_join_reply_events_and_bad_tokens(cau_server):
    server = cau_server()
    mid, tokens, _ = make_meeting(server)
    chair, seat = join(server, tokens["CHAIR"])
    assert seat["participant"]["role"] == "chair"
    assert len(seat["resume_token"]) == 32 and seat["resume_seconds"] == 30
    assert seat["room"]["meeting_id"] == mid and seat["room"]["state"] == "open"
    assert seat["room"]["views"] == [{"name": "main", "layout": "speaker", "pinned": None}]

    a, a_seat = join(server, tokens["A"])
    assert a_seat["participant"]["role"] == "participant"
    assert a_seat["participant"]["name"] == "Phòng họp A"
    assert a_seat["participant"]["unit"] == "Tỉnh Lâm Đồng"
    assert [p["role"] for p in a_seat["room"]["participants"]] == ["chair", "participant"]
    joined = ws_wait_event(chair, "room.joined")
    assert joined["participant"]["id"] == a_seat["participant"]["id"]

    # A second join on the same connection, a tampered token, no token.
    assert error_code(call(a, "room.join", {"token": tokens["B"]})) == "conflict"
    other = ws_connect(server)
    bad = tokens["B"][:10] + ("A" if tokens["B"][10] != "A" else "B") + tokens["B"][11:]
    reply = call(other, "room.join", {"token": bad})
    assert reply["error"] == {"code": "unauthorized", "message": "invalid join token"}
    assert error_code(call(other, "room.join", {})) == "bad_request"
    # Before joining, no room method works and no meeting peer can be made.
    assert error_code(call(other, "room.mute")) == "not_joined"
    assert error_code(call(other, "peer.create", {"room": "meeting", "trickle": True})) \
        == "not_joined"

    # The meeting went live with the first join; the leave closes A's interval.
    admin_meeting = admin_client(server).call("GET", f"/meetings/{mid}")[1]
    assert admin_meeting["state"] == "live"
    ok(a, "room.leave")
    left = ws_wait_event(chair, "room.left")
    assert (left["participant"]["id"], left["reason"]) == (a_seat["participant"]["id"], "left")
    assert error_code(call(a, "room.mute")) == "not_joined"


# (method, params on the other participant, params on itself or none, allowed for a
# participant on itself). The chair runs them in this order, so the destructive come last.
ACTIONS = [
    ("room.mute", lambda t: {"participant": t}, {}, True),
    ("room.unmute", lambda t: {"participant": t}, {}, True),
    ("room.mute", lambda t: {"participant": t, "media": "video"}, {"media": "video"}, True),
    ("room.hand.raise", lambda t: {"participant": t}, {}, True),
    ("room.hand.lower", lambda t: {"participant": t}, {}, True),
    ("room.floor.grant", lambda t: {"participant": t}, None, False),
    ("room.floor.revoke", lambda t: {}, None, False),
    ("room.mute_all", lambda t: {}, None, False),
    ("room.layout", lambda t: {"layout": "grid", "view": "hall"}, None, False),
    ("room.pin", lambda t: {"participant": t}, None, False),
    ("room.unpin", lambda t: {}, None, False),
    ("room.lock", lambda t: {}, None, False),
    ("room.unlock", lambda t: {}, None, False),
    ("room.record", lambda t: {"on": True}, None, False),
    ("room.kick", lambda t: {"participant": t}, None, False),
    ("room.end", lambda t: {}, None, False),
]


def test_role_matrix_every_action_by_every_role(cau_server):
    server = cau_server()
    mid, tokens, admin = make_meeting(server)
    chair, _ = join(server, tokens["CHAIR"])
    part, part_seat = join(server, tokens["A"])
    target_ws, target_seat = join(server, tokens["B"])
    viewer, _ = join(server, tokens["VIEWER"])
    target = target_seat["participant"]["id"]
    results = []

    for method, on_other, on_self, self_ok in ACTIONS:
        for role, ws in (("viewer", viewer), ("participant", part)):
            reply = call(ws, method, on_other(target))
            results.append((role, method, "other", error_code(reply)))
            assert error_code(reply) == "forbidden", (role, method, reply)
            if on_self is not None:
                reply = call(ws, method, on_self)
                if role == "participant" and self_ok:
                    assert reply.get("result") == {}, (role, method, reply)
                else:
                    assert error_code(reply) == "forbidden", (role, method, reply)
        # Nothing the others tried changed the target.
        state = call(chair, "room.state")["result"]
        assert state["state"] == "open" and len(state["participants"]) == 4, state

    # The chair may do every one of them (unmute a participant, kick it, end the meeting).
    for method, on_other, _, _ in ACTIONS:
        if method == "room.kick":
            ok(chair, method, on_other(target))
            kicked = ws_wait_event(target_ws, "room.kicked")
            assert kicked["participant"]["id"] == target
            continue
        if method == "room.end":
            ok(chair, method, {})
            continue
        if method == "room.record":
            # Allowed, but nobody sends media here: nothing to record (see
            # test_recording_policy.py for recordings made this way).
            reply = call(chair, method, on_other(target))
            assert error_code(reply) == "conflict", reply
            assert "no one is in mcu:meeting-" in reply["error"]["message"], reply
            continue
        ok(chair, method, on_other(target))
    for ws in (part, viewer):
        ending = ws_wait_event(ws, "room.ending")
        assert ending["by"] is not None
    assert admin.call("GET", f"/meetings/{mid}")[1]["state"] == "ended"
    # Everything the chair did is in the meeting's event log, by kind.
    events = admin.call("GET", f"/meetings/{mid}/events")[1]
    kinds = {e["kind"] for e in events}
    assert {"mute", "unmute", "floor_requested", "floor_granted", "floor_revoked", "pin",
            "layout", "lock", "unlock", "kick"} <= kinds, kinds
    # Everyone's attendance has a closed online interval.
    sheet = admin.call("GET", f"/meetings/{mid}/attendance")[1]
    online = {e["endpoint_code"]: e for e in sheet if e["status"] == "online"}
    assert set(online) == {"LD-CHAIR", "LD-A", "LD-B", "LD-VIEWER"}, sheet
    assert all(not e["online_now"] for e in online.values()), online


def test_participant_muted_by_the_chair_may_not_unmute_itself(cau_server):
    server = cau_server()
    _, tokens, _ = make_meeting(server)
    chair, _ = join(server, tokens["CHAIR"])
    a, a_seat = join(server, tokens["A"])
    me = a_seat["participant"]["id"]
    ok(chair, "room.mute", {"participant": me})
    muted = ws_wait_event(a, "room.muted")
    assert (muted["participant"]["audio_muted_by_chair"], muted["by_chair"]) == (True, True)
    reply = call(a, "room.unmute")
    assert reply["error"]["code"] == "forbidden"
    assert "raise your hand" in reply["error"]["message"]
    ok(a, "room.hand.raise")
    raised = ws_wait_event(chair, "room.hand_raised")
    assert (raised["participant"]["id"], raised["position"]) == (me, 1)
    ok(chair, "room.floor.grant")  # the head of the queue
    pinned = ws_wait_event(a, "room.pinned")
    assert (pinned["view"], pinned["participant"]["id"]) == ("main", me)
    granted = ws_wait_event(a, "room.floor_granted")
    assert granted["participant"]["has_floor"] and not granted["participant"]["audio_muted"]


def test_lock_refuses_new_joins_with_a_clear_code(cau_server):
    server = cau_server()
    _, tokens, _ = make_meeting(server)
    chair, _ = join(server, tokens["CHAIR"])
    ok(chair, "room.lock")
    late = ws_connect(server)
    reply = call(late, "room.join", {"token": tokens["LATE"]})
    assert reply["error"]["code"] == "room_locked", reply
    ok(chair, "room.unlock")
    assert "result" in call(late, "room.join", {"token": tokens["LATE"]})


def drop(ws):
    """Ends the connection without a close frame, as a lost link would."""
    ws.sock.shutdown(socket.SHUT_RDWR)
    ws.sock.close()


def test_seat_kept_across_a_dropped_connection_then_given_up(cau_server):
    server = cau_server({"rooms": {"resume_seconds": "3"}})
    mid, tokens, admin = make_meeting(server)
    chair, _ = join(server, tokens["CHAIR"])
    a, a_seat = join(server, tokens["A"])
    me = a_seat["participant"]["id"]
    ok(chair, "room.mute", {"participant": me})
    ok(a, "room.hand.raise")
    drop(a)
    away = ws_wait_event(chair, "room.away")
    assert away["participant"]["id"] == me and away["participant"]["away"]

    back = ws_connect(server)
    reply = call(back, "room.resume", {"resume_token": a_seat["resume_token"]})
    seat = reply["result"]
    assert seat["participant"]["id"] == me
    assert seat["participant"]["role"] == "participant"
    assert seat["participant"]["hand_raised"] and seat["participant"]["audio_muted_by_chair"]
    assert seat["room"]["queue"] == [me]
    assert ws_wait_event(chair, "room.back")["participant"]["id"] == me
    ok(back, "room.hand.lower")  # the resumed connection acts for the seat

    # Dropped again and not back in time: the seat is given up.
    drop(back)
    left = ws_wait_event(chair, "room.left", timeout=15)
    assert (left["participant"]["id"], left["reason"]) == (me, "dropped")
    again = ws_connect(server)
    reply = call(again, "room.resume", {"resume_token": a_seat["resume_token"]})
    assert reply["error"]["code"] == "not_found"
    # Two online intervals for A, both closed.
    sheet = admin.call("GET", f"/meetings/{mid}/attendance")[1]
    entry = next(e for e in sheet if e["endpoint_code"] == "LD-A")
    assert entry["status"] == "online" and not entry["online_now"], entry


def test_bad_input_and_floods_leave_the_room_alone(cau_server):
    server = cau_server({"http": {"ws_rate_per_s": "5", "ws_rate_burst": "10"}})
    _, tokens, _ = make_meeting(server)
    chair, _ = join(server, tokens["CHAIR"])
    a, a_seat = join(server, tokens["A"])

    assert error_code(ws_call(a, "{not json")) == "bad_json"
    assert error_code(ws_call(a, {"id": 3, "method": "room.fly"})) == "unknown_method"
    assert error_code(call(a, "room.mute", {"media": "smell"})) == "bad_request"
    assert error_code(call(a, "room.mute", {"participant": "x"})) == "bad_request"
    assert error_code(call(chair, "room.layout", {"layout": "circle"})) == "bad_request"
    assert error_code(call(chair, "room.pin", {"participant": 999})) == "not_found"

    # A flood: refused with rate_limited, then the connection is closed with 1008.
    flood = ws_connect(server)
    assert "result" in call(flood, "room.join", {"token": tokens["B"]})
    codes = []
    for i in range(60):
        try:
            flood.send(json.dumps({"id": i, "method": "ping"}))
        except (websocket.WebSocketConnectionClosedException, BrokenPipeError,
                ConnectionResetError):
            break
    while True:
        try:
            message = flood.recv()
        except websocket.WebSocketConnectionClosedException:
            break
        if not message:
            break
        parsed = json.loads(message)
        if "error" in parsed:
            codes.append(parsed["error"]["code"])
    assert "rate_limited" in codes, codes
    sample = metrics(server.url)
    assert sample[("cau_ws_rate_limited_total", frozenset())] >= 1
    wait_for(lambda: metrics(server.url)[("cau_ws_rate_limit_closes_total", frozenset())] == 1,
             10, message="the flooding connection closed")

    # Over 64 KiB: closed with 1009.
    big = ws_connect(server)
    big.send(json.dumps({"method": "ping", "params": {"pad": "x" * 70000}}))
    assert ws_close_code(big) == 1009

    # The room and the others are unaffected.
    assert call(a, "ping")["result"]["pong"] is True
    state = call(chair, "room.state")["result"]
    assert a_seat["participant"]["id"] in [p["id"] for p in state["participants"]]
    ok(chair, "room.mute", {"participant": a_seat["participant"]["id"]})
    assert ws_wait_event(a, "room.muted")["by_chair"]


def test_flood_close_code(cau_server):
    server = cau_server({"http": {"ws_rate_per_s": "2", "ws_rate_burst": "5"}})
    ws = ws_connect(server)
    for i in range(40):
        try:
            ws.send(json.dumps({"id": i, "method": "ping"}))
        except (websocket.WebSocketConnectionClosedException, BrokenPipeError,
                ConnectionResetError):
            break
    assert ws_close_code(ws) == 1008


def test_meeting_ended_through_rest_ends_its_room(cau_server):
    server = cau_server()
    mid, tokens, admin = make_meeting(server)
    chair, _ = join(server, tokens["CHAIR"])
    a, a_seat = join(server, tokens["A"])
    status, reply, _ = admin.call("POST", f"/meetings/{mid}/end")
    assert status == 200, reply
    for ws in (chair, a):
        assert ws_wait_event(ws, "room.ending")["by"] is None
    left = ws_wait_event(a, "room.left", predicate=lambda d: d["participant"]["id"]
                         == a_seat["participant"]["id"])
    assert left["reason"] == "ended"
    assert error_code(call(a, "room.mute")) == "not_joined"
    late = ws_connect(server)
    reply = call(late, "room.join", {"token": tokens["LATE"]})
    assert reply["error"] == {"code": "unauthorized", "message": f"meeting {mid} is ended"}
