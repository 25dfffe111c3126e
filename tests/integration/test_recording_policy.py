# SPDX-License-Identifier: MIT
"""Recording started and stopped from inside the meeting room and by the meeting's policy:
the chair sends room.record over /ws and everyone in the room gets room.recording; the
file then listed by GET /meetings/{id}/recordings decodes and carries the participant's
tone; the audit names the chair's endpoint; a participant and a viewer are refused; a
meeting whose policy is "none" refuses the chair and the operator alike; a meeting whose
policy is "auto" is recorded from its first peer without anyone asking, and the
recording ends with the meeting."""

import json

import pytest

from cau_harness import SYSTEM_PYTHON, http_get, metrics, wait_for, ws_wait_event
from room_fixture import call, join, make_meeting, ok
from test_recording import decode_audio, tone_levels
from test_room_media import TONE, Client, participants_in_mixer
from test_webrtc_aiortc import have_aiortc

pytestmark = pytest.mark.skipif(not have_aiortc(),
                                reason=f"{SYSTEM_PYTHON} lacks aiortc (python3-aiortc)")

HEARD_DB = -30  # the tone in the recorded mix measures about -12 dB


def error_code(reply):
    assert "error" in reply, reply
    return reply["error"]["code"]


def recorded_packets(server):
    return metrics(server.url).get(("cau_recorder_audio_packets_total", frozenset())) or 0


def download(server, admin, mid, rid, path):
    status, _, body = http_get(f"{server.url}/api/v1/meetings/{mid}/recordings/{rid}.webm",
                               headers={"Authorization": f"Bearer {admin.token}"})
    assert status == 200, body[:300]
    path.write_bytes(body)
    return path


def assert_tone_recorded(server, admin, mid, rid, tmp_path, room="A"):
    samples, end = decode_audio(download(server, admin, mid, rid, tmp_path / f"{rid}.webm"))
    assert end > 1.5, end
    levels = tone_levels(samples, [TONE[room]])
    assert levels[TONE[room]] > HEARD_DB, levels


def client_events(client, name):
    return [e for e in client.ask("events")["events"] if e.get("event") == name]


def test_chair_records_over_ws_and_everyone_is_told(echo_server, tmp_path):
    server = echo_server()
    mid, tokens, admin = make_meeting(server)
    chair, chair_seat = join(server, tokens["CHAIR"])
    assert chair_seat["room"]["recording"] is False
    viewer, _ = join(server, tokens["VIEWER"])
    a = Client(server, "A", tokens["A"])
    try:
        wait_for(lambda: participants_in_mixer(server, mid) == 1, 20,
                 message="A in the room's mixer")
        # Neither a participant nor a viewer may record.
        assert error_code(a.ask("call", method="room.record", params={"on": True})["reply"]) \
            == "forbidden"
        assert error_code(call(viewer, "room.record", {"on": True})) == "forbidden"
        assert error_code(call(chair, "room.record", {})) == "bad_request"
        assert error_code(call(chair, "room.record", {"on": False})) == "conflict"

        reply = call(chair, "room.record", {"on": True})
        assert reply["result"]["recording"]["state"] == "recording", reply
        rid = reply["result"]["recording"]["id"]
        for ws in (chair, viewer):
            event = ws_wait_event(ws, "room.recording")
            assert event["on"] is True and event["recording"]["id"] == rid, event
            assert event["by"] == chair_seat["participant"]["id"], event
        wait_for(lambda: client_events(a, "room.recording"), 10,
                 message="A told of the recording")
        assert call(chair, "room.state")["result"]["recording"] is True
        assert error_code(call(chair, "room.record", {"on": True})) == "conflict"
        # A second seat joining now sees it in the room's snapshot.
        _, b_seat = join(server, tokens["B"])
        assert b_seat["room"]["recording"] is True

        start = recorded_packets(server)
        wait_for(lambda: recorded_packets(server) >= start + 150, 30,
                 message="3 s of the mix recorded")
        reply = call(chair, "room.record", {"on": False})
        assert reply["result"]["recording"]["state"] == "complete", reply
        event = ws_wait_event(viewer, "room.recording", predicate=lambda d: not d["on"])
        assert event["recording"]["state"] == "complete", event
        assert call(chair, "room.state")["result"]["recording"] is False

        status, rows, _ = admin.call("GET", f"/meetings/{mid}/recordings")
        assert status == 200 and [r["id"] for r in rows] == [rid], rows
        assert rows[0]["started_by"] == f"endpoint/{chair_seat['participant']['endpoint_id']}"
        assert_tone_recorded(server, admin, mid, rid, tmp_path)
        status, audit, _ = admin.call("GET", "/audit?action=recording.")
        assert status == 200, audit
        mine = {(e["action"], e["actor"]) for e in audit if e["target"] == f"meeting/{mid}"}
        chair_actor = f"endpoint/{chair_seat['participant']['endpoint_id']}"
        assert {("recording.start", chair_actor), ("recording.stop", chair_actor)} <= mine, mine
    finally:
        a.stop()


def test_policy_none_refuses_the_chair_and_the_operator(echo_server):
    server = echo_server()
    mid, tokens, admin = make_meeting(server)
    status, meeting, _ = admin.call("PATCH", f"/meetings/{mid}", {"recording_policy": "none"})
    assert status == 200 and meeting["recording_policy"] == "none", meeting
    chair, _ = join(server, tokens["CHAIR"])
    a = Client(server, "A", tokens["A"])
    try:
        wait_for(lambda: participants_in_mixer(server, mid) == 1, 20,
                 message="A in the room's mixer")
        reply = call(chair, "room.record", {"on": True})
        assert error_code(reply) == "recording_disabled", reply
        assert '"none"' in reply["error"]["message"], reply
        status, reply, _ = admin.call("POST", f"/meetings/{mid}/recording")
        assert status == 409 and reply["error"]["code"] == "recording_disabled", reply
        status, rows, _ = admin.call("GET", f"/meetings/{mid}/recordings")
        assert (status, rows) == (200, []), rows
    finally:
        a.stop()


def test_policy_auto_records_from_the_first_peer_to_the_end(echo_server, tmp_path):
    server = echo_server()
    mid, tokens, admin = make_meeting(server)
    status, meeting, _ = admin.call("PATCH", f"/meetings/{mid}", {"recording_policy": "auto"})
    assert status == 200 and meeting["recording_policy"] == "auto", meeting
    chair, seat = join(server, tokens["CHAIR"])
    assert seat["room"]["recording"] is False  # no media yet: nothing to record
    a = Client(server, "A", tokens["A"])
    try:
        event = ws_wait_event(chair, "room.recording", timeout=20)
        assert event["on"] is True and event["by"] is None, event
        assert event["recording"]["started_by"] == "system", event
        rid = event["recording"]["id"]
        start = recorded_packets(server)
        wait_for(lambda: recorded_packets(server) >= start + 150, 30,
                 message="3 s of the mix recorded")
        ok(chair, "room.end")
        wait_for(lambda: admin.call("GET", f"/meetings/{mid}/recordings")[1][0]["state"]
                 == "complete", 20, message="the recording ended with the meeting")
        assert admin.call("GET", f"/meetings/{mid}")[1]["state"] == "ended"
        assert_tone_recorded(server, admin, mid, rid, tmp_path)
    finally:
        a.stop()
