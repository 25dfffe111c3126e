# SPDX-License-Identifier: MIT
"""Meetings, series, the scheduler and join links through the REST API and
`cau meeting`, as operators and chairs meet them: the lifecycle with agenda and
invitees, validation, roles, rooms opening on time for real, restarts."""

import signal
import stat
import time
from datetime import datetime, timedelta, timezone

import pytest

from cau_harness import ApiClient, admin_client, metrics, run_cau

CHAIR = {"username": "chu.tich", "role": "chair", "password": "mat-khau-chu-tich"}
OTHER_CHAIR = {"username": "pho.chu.tich", "role": "chair", "password": "mat-khau-pho-chu-tich"}
HANOI = timezone(timedelta(hours=7))  # Asia/Ho_Chi_Minh: UTC+7, no daylight saving
HOUR_MS = 3600 * 1000
MIN_MS = 60 * 1000


def now_ms():
    return int(time.time() * 1000)


def wait_for(probe, timeout, interval=0.02):
    """Calls `probe` until it returns something true or `timeout` seconds pass;
    returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def make_account(admin, account):
    status, reply, _ = admin.call("POST", "/accounts", account)
    assert status == 201, reply
    return reply


def login(server, account):
    client = ApiClient(server)
    client.login(account["username"], account["password"])
    return client


def create_meeting(admin, **fields):
    """Creates a meeting starting in a day (unless told otherwise); returns it."""
    start = fields.pop("start_at", now_ms() + 24 * HOUR_MS)
    body = {"title": "Giao ban UBND tỉnh Lâm Đồng", "start_at": start,
            "end_at": fields.pop("end_at", start + 2 * HOUR_MS), **fields}
    status, meeting, _ = admin.call("POST", "/meetings", body)
    assert status == 201, meeting
    return meeting


COMMUNES = ["Xã Tân Phú", "Phường Xuân Hương - Đà Lạt", "Xã Lạc Dương", "Xã Đơn Dương",
            "Phường Bảo Lộc 1", "Xã Đạ Huoai", "Xã Lâm Hà", "Xã Nam Ban"]
DISTRICT_COMMUNES = ["Xã Hiệp Thạnh", "Xã Ninh Gia", "Xã Tà Năng"]


def post_csv(client, path, lines):
    status, reply, _ = client.call("POST", path, raw=("\r\n".join(lines) + "\r\n").encode(),
                                   headers={"Content-Type": "text/csv; charset=utf-8"})
    assert status == 200 and reply["errors"] == [], reply
    return reply


def make_directory(admin):
    """The directory as an operator imports it (CSV through the directory API): Tỉnh
    Lâm Đồng with 38 communes, and the district Huyện Đức Trọng (older data) with 3
    communes under it; Tỉnh Đắk Nông beside it; one meeting room per unit, coded
    UNIT-P1. Returns ({unit code: id}, {endpoint code: id})."""
    units = [("LD", "Tỉnh Lâm Đồng", "tỉnh", ""), ("DN", "Tỉnh Đắk Nông", "tỉnh", ""),
             ("LD-DT", "Huyện Đức Trọng", "huyện", "LD")]
    for i in range(38):
        name = COMMUNES[i] if i < len(COMMUNES) else f"Xã {i + 1:02d}"
        units.append((f"LD-{i + 1:02d}", name, "xã", "LD"))
    for i, name in enumerate(DISTRICT_COMMUNES, 1):
        units.append((f"LD-DT-{i}", name, "xã", "LD-DT"))
    post_csv(admin, "/units/import",
             ["code,name,level,parent_code"] + [",".join(u) for u in units])
    post_csv(admin, "/endpoints/import",
             ["code,name,unit_code,kind"] +
             [f"{code}-P1,Phòng họp {name},{code},browser" for code, name, _, _ in units])
    unit_ids = {u["code"]: u["id"] for u in admin.call("GET", "/units")[1]}
    room_ids = {e["code"]: e["id"] for e in admin.call("GET", "/endpoints")[1]}
    assert len(unit_ids) == len(room_ids) == 2 + 1 + 38 + 3
    return unit_ids, room_ids


# --------------------------------------------------------------------------
# Lifecycle, validation, roles
# --------------------------------------------------------------------------


def test_lifecycle_with_agenda(cau_server):
    """An operator schedules a meeting, changes it, sets its agenda, starts it
    now and ends it early; every step is visible in the meeting and in the
    audit log."""
    admin = admin_client(cau_server())
    chair_id = make_account(admin, CHAIR)["id"]
    meeting = create_meeting(admin, description="Tình hình kinh tế - xã hội tháng 7",
                             chair_id=chair_id, lead_minutes=30)
    mid = meeting["id"]
    assert meeting["state"] == "scheduled"
    assert meeting["chair"] == {"id": chair_id, "username": "chu.tich"}
    assert (meeting["lead_minutes"], meeting["grace_minutes"]) == (30, 15)
    assert meeting["opens_at"] == meeting["start_at"] - 30 * MIN_MS
    assert meeting["closes_at"] == meeting["end_at"] + 15 * MIN_MS
    assert (meeting["layout"], meeting["recording_policy"]) == ("speaker", "manual")

    status, changed, _ = admin.call("PATCH", f"/meetings/{mid}", {
        "title": "Giao ban tháng 7 (dời lịch)", "layout": "grid", "recording_policy": "auto",
        "end_at": meeting["end_at"] + HOUR_MS})
    assert status == 200, changed
    assert (changed["title"], changed["layout"], changed["recording_policy"]) == (
        "Giao ban tháng 7 (dời lịch)", "grid", "auto")
    assert changed["end_at"] == meeting["end_at"] + HOUR_MS

    agenda = {"items": [
        {"title": "Khai mạc", "presenter": "Chủ tịch UBND tỉnh", "duration_minutes": 10},
        {"title": "Báo cáo tình hình kinh tế - xã hội", "presenter": "Sở Tài chính",
         "duration_minutes": 45},
        {"title": "Thảo luận và kết luận"},
    ]}
    status, with_agenda, _ = admin.call("PUT", f"/meetings/{mid}/agenda", agenda)
    assert status == 200, with_agenda
    assert [(i["position"], i["title"], i["duration_minutes"]) for i in with_agenda["agenda"]] == [
        (1, "Khai mạc", 10), (2, "Báo cáo tình hình kinh tế - xã hội", 45),
        (3, "Thảo luận và kết luận", 0)]
    status, again, _ = admin.call("PUT", f"/meetings/{mid}/agenda", {"items": agenda["items"][2:]})
    assert [i["title"] for i in again["agenda"]] == ["Thảo luận và kết luận"]

    status, live, _ = admin.call("POST", f"/meetings/{mid}/start")
    assert (status, live["state"]) == (200, "live")
    assert live["opened_at"] == live["live_at"] and live["live_at"] >= meeting["created_at"]
    status, reply, _ = admin.call("PATCH", f"/meetings/{mid}", {"title": "Muộn"})
    assert (status, reply["error"]["code"]) == (409, "conflict")
    assert "is live; only a scheduled or open meeting can be changed" in reply["error"]["message"]
    status, ended, _ = admin.call("POST", f"/meetings/{mid}/end")
    assert (status, ended["state"]) == (200, "ended") and ended["ended_at"] >= live["live_at"]
    status, reply, _ = admin.call("POST", f"/meetings/{mid}/cancel")
    assert status == 409 and "is ended; it cannot be cancelled" in reply["error"]["message"]

    entries = admin.call("GET", "/audit?action=meeting.")[1]
    assert [(e["actor"], e["action"], e["target"]) for e in reversed(entries)] == [
        ("admin", "meeting.create", str(mid)), ("admin", "meeting.update", str(mid)),
        ("admin", "meeting.agenda", str(mid)), ("admin", "meeting.agenda", str(mid)),
        ("admin", "meeting.live", str(mid)), ("admin", "meeting.end", str(mid))]
    assert entries[0]["detail"] == {"from": "live", "to": "ended", "reason": "ended early"}


def test_list_filters_and_cancel(cau_server):
    """The list filters by time window and state; a cancelled meeting stays
    listed as cancelled and can no longer be changed."""
    admin = admin_client(cau_server())
    base = now_ms() + 24 * HOUR_MS
    morning = create_meeting(admin, title="Sáng", start_at=base, end_at=base + 2 * HOUR_MS)
    afternoon = create_meeting(admin, title="Chiều", start_at=base + 6 * HOUR_MS,
                               end_at=base + 8 * HOUR_MS)
    tomorrow = create_meeting(admin, title="Hôm sau", start_at=base + 24 * HOUR_MS,
                              end_at=base + 25 * HOUR_MS)
    status, cancelled, _ = admin.call("POST", f"/meetings/{tomorrow['id']}/cancel")
    assert (status, cancelled["state"]) == (200, "cancelled")
    window = admin.call("GET", f"/meetings?from={base + HOUR_MS}&to={base + 7 * HOUR_MS}")[1]
    assert [m["title"] for m in window] == ["Sáng", "Chiều"]
    assert [m["id"] for m in admin.call("GET", "/meetings?state=cancelled")[1]] == [tomorrow["id"]]
    assert [m["id"] for m in admin.call("GET", "/meetings?state=scheduled,cancelled")[1]] == [
        morning["id"], afternoon["id"], tomorrow["id"]]
    assert len(admin.call("GET", "/meetings?limit=1")[1]) == 1
    status, reply, _ = admin.call("GET", "/meetings?state=finished")
    assert status == 400 and '"state" must be a comma-separated list' in reply["error"]["message"]
    status, reply, _ = admin.call("GET", "/meetings?from=yesterday")
    assert status == 400 and '"from"' in reply["error"]["message"]
    status, reply, _ = admin.call("PUT", f"/meetings/{tomorrow['id']}/agenda",
                                  {"items": [{"title": "x"}]})
    assert status == 409 and "is cancelled" in reply["error"]["message"]
    assert admin.call("GET", "/meetings/999")[0] == 404
    assert admin.call("GET", "/meetings/abc")[0] == 404


@pytest.mark.parametrize("change, says", [
    ({"title": None}, '"title" is required'),
    ({"title": ""}, '"title" must have 1 to 200 characters'),
    ({"title": "x" * 201}, '"title" must have 1 to 200 characters'),
    ({"title": "   "}, "title must have 1 to 200 characters, not only spaces"),
    ({"end_at": -1}, '"end_at" must be between 1 and'),
    ({"end_at": "tomorrow"}, '"end_at" must be an integer'),
    ({"end_offset": -HOUR_MS}, "end_at must be after start_at"),
    ({"end_offset": 0}, "end_at must be after start_at"),
    ({"end_offset": 24 * HOUR_MS + 1}, "a meeting lasts at most 24 hours"),
    ({"lead_minutes": 121}, '"lead_minutes" must be between 0 and 120'),
    ({"grace_minutes": -1}, '"grace_minutes" must be between 0 and 120'),
    ({"layout": "mosaic"}, 'layout must be "speaker", "grid" or "pinned"'),
    ({"recording_policy": "always"}, 'recording_policy must be "none", "manual" or "auto"'),
    ({"chair_id": 99}, "chair: no account with id 99"),
    ({"room": "A1"}, 'unknown field "room"'),
    ({"past": True}, "end_at is in the past"),
])
def test_meeting_validation(cau_server, change, says):
    """Each bad meeting gets 400 with a message that says what is wrong, and
    nothing is created."""
    admin = admin_client(cau_server())
    start = now_ms() + HOUR_MS
    body = {"title": "Họp", "start_at": start, "end_at": start + HOUR_MS}
    if "end_offset" in change:
        body["end_at"] = start + change.pop("end_offset")
    if change.pop("past", False):
        body["start_at"], body["end_at"] = start - 3 * HOUR_MS, start - 2 * HOUR_MS
    for key, value in change.items():
        if value is None:
            del body[key]
        else:
            body[key] = value
    status, reply, _ = admin.call("POST", "/meetings", body)
    assert (status, reply["error"]["code"]) == (400, "bad_request")
    assert says in reply["error"]["message"]
    assert admin.call("GET", "/meetings")[1] == []


def test_agenda_validation(cau_server):
    """Agenda items are checked one by one; the message names the item."""
    admin = admin_client(cau_server())
    mid = create_meeting(admin)["id"]
    cases = [
        ({"items": [{"title": "Khai mạc"}, {"title": "x" * 301}]},
         'items[1]: "title" must have 1 to 300 characters'),
        ({"items": [{"title": "Khai mạc", "duration_minutes": 1441}]},
         'items[0]: "duration_minutes" must be between 0 and 1440'),
        ({"items": [{"title": " "}]}, "agenda item 1: title must have 1 to 300 characters"),
        ({"items": ["Khai mạc"]}, "items[0] must be an object"),
        ({"items": [{"title": "t"}] * 101}, '"items" must have 0 to 100 elements'),
        ({}, '"items" is required'),
    ]
    for body, says in cases:
        status, reply, _ = admin.call("PUT", f"/meetings/{mid}/agenda", body)
        assert status == 400 and says in reply["error"]["message"], (body, reply)
    assert admin.call("GET", f"/meetings/{mid}")[1]["agenda"] == []


def test_roles(cau_server):
    """Without a login: 401. A chair reads meetings, starts and ends the ones it
    chairs, and gets 403 for everything else; an operator may do all of it."""
    server = cau_server()
    admin = admin_client(server)
    chair_id = make_account(admin, CHAIR)["id"]
    make_account(admin, OTHER_CHAIR)
    own = create_meeting(admin, title="Họp do chủ tịch chủ trì", chair_id=chair_id)["id"]
    other = create_meeting(admin, title="Họp khác")["id"]
    chair = login(server, CHAIR)
    deputy = login(server, OTHER_CHAIR)

    assert ApiClient(server).call("GET", "/meetings")[0] == 401
    assert [m["id"] for m in chair.call("GET", "/meetings")[1]] == [own, other]
    assert chair.call("GET", f"/meetings/{other}")[0] == 200
    assert chair.call("GET", f"/meetings/{other}/invitees")[0] == 200
    for method, path, body in [("POST", "/meetings", {"title": "x", "start_at": 1, "end_at": 2}),
                               ("PATCH", f"/meetings/{own}", {"title": "x"}),
                               ("POST", f"/meetings/{own}/cancel", None),
                               ("PUT", f"/meetings/{own}/agenda", {"items": []}),
                               ("PUT", f"/meetings/{own}/invitees", {}),
                               ("GET", f"/meetings/{own}/invitations", None),
                               ("POST", "/series", {"title": "x", "rule": "weekly:MO@08:00/60"})]:
        status, reply, _ = chair.call(method, path, body)
        assert (status, reply["error"]["code"]) == (403, "forbidden"), (method, path)
    status, reply, _ = deputy.call("POST", f"/meetings/{own}/start")
    assert status == 403
    assert reply["error"]["message"] == (f"only the chair of meeting {own} or an operator may "
                                         "start or end it")
    assert chair.call("POST", f"/meetings/{other}/end")[0] == 403
    status, live, _ = chair.call("POST", f"/meetings/{own}/start")
    assert (status, live["state"]) == (200, "live")
    status, ended, _ = chair.call("POST", f"/meetings/{own}/end")
    assert (status, ended["state"]) == (200, "ended")
    entries = admin.call("GET", "/audit?action=meeting.&actor=chu.tich")[1]
    assert [e["action"] for e in entries] == ["meeting.end", "meeting.live"]
    # An operator ends any meeting; ending one that never opened is a conflict.
    status, reply, _ = admin.call("POST", f"/meetings/{other}/end")
    assert status == 409 and "is scheduled; it cannot be ended" in reply["error"]["message"]


# --------------------------------------------------------------------------
# The scheduler for real
# --------------------------------------------------------------------------


def test_room_opens_within_a_second_of_its_due_time(cau_server):
    """A meeting starting in a few seconds with no lead time opens on its own:
    `opened_at` is at most 1 s after the due time (and never before), it closes
    at end + grace, and /metrics counts both."""
    server = cau_server()
    admin = admin_client(server)
    start = now_ms() + 2500
    meeting = create_meeting(admin, title="Họp khẩn", start_at=start, end_at=start + 2000,
                             lead_minutes=0, grace_minutes=0)

    def state_is(wanted):
        def probe():
            current = admin.call("GET", f"/meetings/{meeting['id']}")[1]
            return current if current["state"] == wanted else None
        return probe

    opened = wait_for(state_is("open"), timeout=10)
    assert opened, f"not open 10 s after creation\n{server.describe()}"
    lateness = opened["opened_at"] - start
    assert 0 <= lateness < 1000, f"opened {lateness} ms after its due time"
    ended = wait_for(state_is("ended"), timeout=10)
    assert ended, f"not closed\n{server.describe()}"
    assert 0 <= ended["ended_at"] - (start + 2000) < 1000
    samples = metrics(server.url)
    assert samples[("cau_scheduler_transitions_total", frozenset({("to", "open")}))] == 1
    assert samples[("cau_scheduler_transitions_total", frozenset({("to", "closed")}))] == 1
    actors = {e["action"]: e["actor"] for e in admin.call("GET", "/audit?action=meeting.")[1]}
    assert actors["meeting.open"] == "system" and actors["meeting.end"] == "system"


def test_restart_keeps_open_and_live_meetings(cau_server):
    """SIGTERM in the middle of two meetings (one open, one live), then a new
    server on the same data directory: both keep their state and times, and
    still close at end + grace."""
    first = cau_server()
    admin = admin_client(first)
    start = now_ms() + 1000
    end = start + 9000
    open_one = create_meeting(admin, title="Kiểm tra kết nối", start_at=start, end_at=end,
                              lead_minutes=0, grace_minutes=0)
    live_one = create_meeting(admin, title="Đang họp", start_at=start, end_at=end,
                              lead_minutes=0, grace_minutes=0)
    assert wait_for(lambda: admin.call("GET", f"/meetings/{open_one['id']}")[1]["state"] == "open",
                    timeout=10)
    assert admin.call("POST", f"/meetings/{live_one['id']}/start")[0] == 200
    before = {m["id"]: m for m in admin.call("GET", "/meetings")[1]}
    assert first.stop(signal.SIGTERM) == 0

    second = cau_server(data_dir=first.data_dir)
    assert now_ms() < end, "the restart took too long for this test's timing"
    admin = admin_client(second)
    after = {m["id"]: m for m in admin.call("GET", "/meetings")[1]}
    assert after[open_one["id"]]["state"] == "open"
    assert after[live_one["id"]]["state"] == "live"
    for mid in (open_one["id"], live_one["id"]):
        for key in ("opened_at", "live_at", "start_at", "end_at"):
            assert after[mid][key] == before[mid][key]
    assert "room open again after the restart" in second.stderr_text()

    def both_ended():
        current = {m["id"]: m for m in admin.call("GET", "/meetings")[1]}
        return current if all(current[m]["state"] == "ended"
                              for m in (open_one["id"], live_one["id"])) else None

    ended = wait_for(both_ended, timeout=15)
    assert ended, f"not closed after the restart\n{second.describe()}"
    for mid in (open_one["id"], live_one["id"]):
        # On time: by its timer, not a later pass (a loaded machine may run the main
        # loop a little late, so allow a few seconds rather than one).
        assert 0 <= ended[mid]["ended_at"] - end < 5000


def test_moving_an_open_meeting_later_closes_its_room(cau_server):
    """An open meeting moved to tomorrow goes back to scheduled."""
    admin = admin_client(cau_server())
    start = now_ms() + 10 * MIN_MS
    meeting = create_meeting(admin, start_at=start, end_at=start + HOUR_MS, lead_minutes=15)
    assert meeting["state"] == "open"  # its lead time had begun already
    tomorrow = start + 24 * HOUR_MS
    status, moved, _ = admin.call("PATCH", f"/meetings/{meeting['id']}",
                                  {"start_at": tomorrow, "end_at": tomorrow + HOUR_MS})
    assert (status, moved["state"], moved["opened_at"]) == (200, "scheduled", None)


# --------------------------------------------------------------------------
# Series
# --------------------------------------------------------------------------


def local(ms):
    return datetime.fromtimestamp(ms / 1000, HANOI)


def test_series_materialises_occurrences(cau_server):
    """A weekly series (Mondays and Thursdays 08:00 Hà Nội time, 90 minutes) has
    its next four occurrences as ordinary meetings; cancelling one leaves the
    series alone; deleting the series cancels the rest."""
    admin = admin_client(cau_server())
    chair_id = make_account(admin, CHAIR)["id"]
    status, series, _ = admin.call("POST", "/series", {
        "title": "Giao ban đầu tuần", "rule": "weekly:TH,MO@08:00/90", "chair_id": chair_id,
        "lead_minutes": 20})
    assert status == 201, series
    assert (series["rule"], series["timezone"]) == ("weekly:MO,TH@08:00/90", "Asia/Ho_Chi_Minh")
    occurrences = series["meetings"]
    assert len(occurrences) == 4
    for m in occurrences:
        start = local(m["start_at"])
        assert (start.hour, start.minute, start.weekday() in (0, 3)) == (8, 0, True)
        assert m["end_at"] - m["start_at"] == 90 * MIN_MS
        assert (m["series_id"], m["title"], m["lead_minutes"]) == (
            series["id"], "Giao ban đầu tuần", 20)
        assert m["chair"]["username"] == "chu.tich"
    starts = [m["start_at"] for m in occurrences]
    assert starts == sorted(starts) and starts[0] > now_ms()
    assert admin.call("GET", "/series")[1][0]["id"] == series["id"]

    assert admin.call("POST", f"/meetings/{occurrences[1]['id']}/cancel")[0] == 200
    assert len(admin.call("GET", f"/series/{series['id']}")[1]["meetings"]) == 3
    status, deleted, _ = admin.call("DELETE", f"/series/{series['id']}")
    assert (status, deleted) == (200, {"id": series["id"], "cancelled": 3})
    cancelled = admin.call("GET", "/meetings?state=cancelled")[1]
    assert sorted(m["id"] for m in cancelled) == sorted(m["id"] for m in occurrences)
    assert admin.call("DELETE", f"/series/{series['id']}")[0] == 404
    assert admin.call("GET", f"/series/{series['id']}")[0] == 404
    actions = [e["action"] for e in admin.call("GET", "/audit?action=series.")[1]]
    assert actions == ["series.delete", "series.create"]


@pytest.mark.parametrize("change, says", [
    ({"rule": "every monday"}, 'rule must look like "weekly:MO,TH@08:00/90"'),
    ({"rule": "weekly:MO@25:00/60"}, 'rule must look like'),
    ({"timezone": "Asia/Sai_Gon"}, 'timezone "Asia/Sai_Gon" is not a known time zone'),
    ({"lead_minutes": 500}, '"lead_minutes" must be between 0 and 120'),
    ({"invitees": {"units": [{"id": 7}]}}, "no unit with id 7"),
    ({"invitees": {"endpoints": ["a"]}}, "invitees: endpoints[0] must be an endpoint id"),
])
def test_series_validation(cau_server, change, says):
    admin = admin_client(cau_server())
    body = {"title": "Giao ban", "rule": "weekly:MO@08:00/60", **change}
    status, reply, _ = admin.call("POST", "/series", body)
    assert status == 400 and says in reply["error"]["message"], reply
    assert admin.call("GET", "/meetings")[1] == []


# --------------------------------------------------------------------------
# Invitees and join links
# --------------------------------------------------------------------------


def test_invitees_validation(cau_server):
    """Unknown or repeated units and endpoints are refused with a message naming
    them; an empty list is fine."""
    admin = admin_client(cau_server())
    mid = create_meeting(admin)["id"]
    cases = [
        ({"units": [{"id": 12}]}, "no unit with id 12"),
        ({"endpoints": [5]}, "no endpoint with id 5"),
        ({"units": [{"include_descendants": True}]}, 'units[0]: "id" is required'),
        ({"units": [3]}, "units[0] must be an object"),
        ({"endpoints": [0]}, "endpoints[0] must be an endpoint id"),
        ({"groups": []}, 'unknown field "groups"'),
    ]
    for body, says in cases:
        status, reply, _ = admin.call("PUT", f"/meetings/{mid}/invitees", body)
        assert status == 400 and says in reply["error"]["message"], (body, reply)
    status, invitees, _ = admin.call("PUT", f"/meetings/{mid}/invitees", {})
    assert (status, invitees) == (200, {"units": [], "endpoints": [], "expanded": []})


def test_invitee_expansion_over_the_directory(cau_server):
    """Invitees expand over the directory's tree: a unit alone gives its own room,
    with include_descendants every room under it at any depth; a disabled
    endpoint is left out; the result matches the directory's own "under" list."""
    admin = admin_client(cau_server())
    units, rooms = make_directory(admin)
    mid = create_meeting(admin)["id"]

    def expanded(body):
        status, invitees, _ = admin.call("PUT", f"/meetings/{mid}/invitees", body)
        assert status == 200, invitees
        assert admin.call("GET", f"/meetings/{mid}/invitees")[1] == invitees
        return {e["id"] for e in invitees["expanded"]}

    district = units["LD-DT"]
    assert expanded({"units": [{"id": district}]}) == {rooms["LD-DT-P1"]}
    assert expanded({"units": [{"id": district, "include_descendants": True}]}) == {
        rooms["LD-DT-P1"], rooms["LD-DT-1-P1"], rooms["LD-DT-2-P1"], rooms["LD-DT-3-P1"]}
    assert admin.call("PATCH", f"/endpoints/{rooms['LD-DT-2-P1']}", {"disabled": True})[0] == 200
    whole = expanded({"units": [{"id": units["LD"], "include_descendants": True}],
                      "endpoints": [rooms["DN-P1"], rooms["LD-01-P1"]]})
    under = {e["id"] for e in admin.call("GET", f"/endpoints?under={units['LD']}")[1]
             if not e["disabled"]}
    assert whole == under | {rooms["DN-P1"]}
    assert len(whole) == 1 + 38 + 1 + 3 - 1 + 1
    entries = admin.call("GET", "/audit?action=meeting.invitees")[1]
    assert entries[0]["detail"] == {"units": 1, "endpoints": 2}


def test_invitees_invitations_and_join_verify(cau_server):
    """A province with its communes plus one endpoint elsewhere expand to one
    invitation per room; each link's token verifies to its meeting, endpoint
    and role, a tampered one does not; an endpoint dropped from the invitees
    or a cancelled meeting makes the token useless."""
    server = cau_server()
    admin = admin_client(server)
    units, rooms = make_directory(admin)
    province = units["LD"]
    meeting = create_meeting(admin, title="Hội nghị trực tuyến toàn tỉnh")
    mid = meeting["id"]
    status, invitees, _ = admin.call("PUT", f"/meetings/{mid}/invitees", {
        "units": [{"id": province, "include_descendants": True}],
        "endpoints": [rooms["DN-P1"], rooms["LD-P1"]]})
    assert status == 200, invitees
    assert invitees["units"] == [{"id": province, "code": "LD", "name": "Tỉnh Lâm Đồng",
                                  "include_descendants": True}]
    expanded = {e["id"] for e in invitees["expanded"]}
    assert expanded == set(rooms.values())  # every room, the province's only once
    assert admin.call("GET", f"/meetings/{mid}/invitees")[1] == invitees

    status, invitations, _ = admin.call("GET", f"/meetings/{mid}/invitations")
    assert status == 200
    assert invitations["expires_at"] == meeting["closes_at"]
    links = {i["endpoint"]["id"]: i for i in invitations["invitations"]}
    assert set(links) == set(rooms.values())
    tan_phu = links[rooms["LD-01-P1"]]
    assert tan_phu["endpoint"]["name"] == "Phòng họp Xã Tân Phú"
    assert tan_phu["link"] == "/join/" + tan_phu["token"]
    assert tan_phu["role"] == "participant"

    anonymous = ApiClient(server)
    status, verified, _ = anonymous.call("POST", "/join/verify", {"token": tan_phu["token"]},
                                         token="")
    assert status == 200, verified
    assert verified["meeting"]["id"] == mid
    assert verified["meeting"]["title"] == "Hội nghị trực tuyến toàn tỉnh"
    assert verified["endpoint"]["id"] == rooms["LD-01-P1"]
    assert (verified["role"], verified["expires_at"]) == ("participant", meeting["closes_at"])

    token = tan_phu["token"]
    tampered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    for bad in (tampered, token[:-1], token + "x", "không-phải-token"):
        status, reply, _ = anonymous.call("POST", "/join/verify", {"token": bad})
        assert (status, reply["error"]["message"]) == (401, "invalid join token"), bad
    assert anonymous.call("POST", "/join/verify", {})[0] == 400

    # Dropped from the invitees: its link stops working, the others do not.
    admin.call("PUT", f"/meetings/{mid}/invitees",
               {"units": [{"id": province, "include_descendants": False}]})
    status, reply, _ = anonymous.call("POST", "/join/verify", {"token": token})
    assert status == 401
    assert reply["error"]["message"] == f"this endpoint is no longer invited to meeting {mid}"
    province_room = links[rooms["LD-P1"]]["token"]
    assert anonymous.call("POST", "/join/verify", {"token": province_room})[0] == 200
    # Cancelled: no link works and no new ones are given out.
    admin.call("POST", f"/meetings/{mid}/cancel")
    status, reply, _ = anonymous.call("POST", "/join/verify", {"token": province_room})
    assert (status, reply["error"]["message"]) == (401, f"meeting {mid} is cancelled")
    assert admin.call("GET", f"/meetings/{mid}/invitations")[0] == 409


def test_join_secret_survives_a_restart(cau_server):
    """The secret is made once in DATA/secret.key (0600): links given out before
    a restart still verify after it."""
    first = cau_server()
    admin = admin_client(first)
    _, rooms = make_directory(admin)
    mid = create_meeting(admin)["id"]
    admin.call("PUT", f"/meetings/{mid}/invitees", {"endpoints": [rooms["LD-02-P1"]]})
    token = admin.call("GET", f"/meetings/{mid}/invitations")[1]["invitations"][0]["token"]
    secret = first.data_dir / "secret.key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and secret.stat().st_size == 32
    content = secret.read_bytes()
    first.stop()

    second = cau_server(data_dir=first.data_dir)
    assert secret.read_bytes() == content
    status, verified, _ = ApiClient(second).call("POST", "/join/verify", {"token": token})
    assert (status, verified["endpoint"]["id"]) == (200, rooms["LD-02-P1"])


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------


def test_cli_create_list_show_cancel(cau_config):
    """`cau meeting` creates a meeting from local times (Hà Nội), lists and
    shows it in local time, and cancels it; mistakes are reported."""
    config, _ = cau_config()
    assert run_cau("user", "add", "chu.tich", "--role", "chair", "-c", config).returncode == 0
    created = run_cau("meeting", "create", "--title", "Họp Ban Thường vụ Tỉnh ủy",
                      "--start", "2030-07-08T08:00", "--end", "2030-07-08T11:30",
                      "--chair", "chu.tich", "--lead", "30", "--layout", "grid", "-c", config)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "meeting 1 created"
    listing = run_cau("meeting", "list", "-c", config)
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["ID", "STATE", "START", "END", "TITLE"]
    assert lines[1].split(None, 6) == ["1", "scheduled", "2030-07-08", "08:00", "2030-07-08",
                                       "11:30", "Họp Ban Thường vụ Tỉnh ủy"]
    assert len(run_cau("meeting", "list", "--from", "2030-07-09T00:00", "-c",
                       config).stdout.splitlines()) == 1
    assert len(run_cau("meeting", "list", "--to", "2030-07-08T09:00+07:00", "-c",
                       config).stdout.splitlines()) == 2
    shown = run_cau("meeting", "show", "1", "-c", config)
    assert shown.returncode == 0
    fields = dict(line.split(None, 1) for line in shown.stdout.splitlines())
    assert fields["opens_at"] == "2030-07-08 07:30"
    assert fields["closes_at"] == "2030-07-08 11:45"
    assert (fields["chair"], fields["layout"], fields["state"]) == ("chu.tich", "grid",
                                                                    "scheduled")
    cancelled = run_cau("meeting", "cancel", "1", "-c", config)
    assert (cancelled.returncode, cancelled.stdout.strip()) == (0, "meeting 1 cancelled")
    again = run_cau("meeting", "cancel", "1", "-c", config)
    assert again.returncode == 1
    assert "meeting 1 is cancelled; it cannot be cancelled" in again.stderr
    assert "cancelled" in run_cau("meeting", "list", "--state", "cancelled", "-c",
                                  config).stdout


def test_cli_errors(cau_config):
    config, _ = cau_config()
    base = ["meeting", "create", "--title", "Họp", "-c", config]
    result = run_cau(*base, "--start", "ngày mai", "--end", "2030-07-08T11:30")
    assert result.returncode == 2 and '--start "ngày mai": not an ISO 8601 time' in result.stderr
    result = run_cau(*base, "--start", "2030-07-08T11:00", "--end", "2030-07-08T10:00")
    assert result.returncode == 1 and "end_at must be after start_at" in result.stderr
    result = run_cau(*base, "--start", "2030-07-08T08:00", "--end", "2030-07-08T10:00",
                     "--chair", "nobody")
    assert result.returncode == 1 and '--chair: no account "nobody"' in result.stderr
    assert run_cau("meeting", "show", "7", "-c", config).returncode == 1
    assert run_cau("meeting", "show", "abc", "-c", config).returncode == 2
    assert run_cau("meeting", "create", "--title", "x", "-c", config).returncode == 2
    assert run_cau("meeting", "fly", "-c", config).returncode == 2


def test_cli_meeting_opens_on_a_running_server(cau_server):
    """A meeting created with the CLI while the server runs is opened by the
    server's scheduler on time, though nobody told it."""
    server = cau_server()
    admin = admin_client(server)
    start = datetime.now(timezone.utc) + timedelta(seconds=3)
    end = start + timedelta(minutes=30)
    created = run_cau("meeting", "create", "--title", "Họp đột xuất", "--lead", "0",
                      "--start", start.isoformat(), "--end", end.isoformat(),
                      "-c", server.config_path)
    assert created.returncode == 0, created.stderr
    due = int(start.timestamp() * 1000)

    def opened():
        meetings = admin.call("GET", "/meetings?state=open")[1]
        return meetings[0] if meetings else None

    meeting = wait_for(opened, timeout=10)
    assert meeting, f"not opened\n{server.describe()}"
    # The scheduler rereads the store every second, so it knew of the meeting before
    # its due time and opened it on time.
    assert 0 <= meeting["opened_at"] - due < 1000
