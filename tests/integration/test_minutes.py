# SPDX-License-Identifier: MIT
"""Minutes of meetings as a province meets them: a meeting of Tỉnh Lâm Đồng with its
communes, agenda, materials, attendance marks and decisions (through the REST API) and
what the rooms layer will write (online intervals, speaking, floor, chair actions:
written straight into the store, as that layer does not exist yet) ends, and its
minutes appear by themselves: canonical JSON with every section, a PDF whose Vietnamese
reads back exactly, detached CMS signatures that `cau verify` and plain openssl accept
on the files as downloaded, and refuse after one changed byte or against another CA.
Who may read them, versions, restart catch-up and a configured CA-issued certificate."""

import hashlib
import json
import re
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from cau_harness import (REPO_ROOT, STORE_BACKEND, ApiClient, admin_client, http_get,
                         run_cau)

ORG = "Ủy ban nhân dân tỉnh Lâm Đồng"
CHAIR = {"username": "chu.tich", "role": "chair", "password": "mat-khau-chu-tich"}
OTHER_CHAIR = {"username": "chu.tich.xa", "role": "chair", "password": "mat-khau-chu-tich-xa"}
SAMPLES = REPO_ROOT / "tests" / "fuzz" / "corpus" / "filetype"
MIN_MS = 60 * 1000
DEADLINE_S = 20
COMMUNES = ["Xã Tân Phú", "Phường Xuân Hương - Đà Lạt", "Xã Lạc Dương", "Xã Đơn Dương",
            "Phường Bảo Lộc 1", "Xã Đạ Huoai", "Xã Lâm Hà", "Xã Nam Ban"]


def now_ms():
    return int(time.time() * 1000)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def wait_for(what, probe, timeout=DEADLINE_S):
    """Polls `probe` until it returns something true; fails naming `what`."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


class Db:
    """Direct SQL on the server's database, for the rows only the rooms layer will
    write (online intervals, speaking, floor, chair actions)."""

    def __init__(self, server):
        self.server = server
        self.url = None
        for line in Path(server.config_path).read_text(encoding="utf-8").splitlines():
            if line.startswith("url = "):
                self.url = line.split(" = ", 1)[1].strip()

    def run(self, sql):
        if STORE_BACKEND == "postgres":
            subprocess.run(["psql", self.url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
                           check=True, capture_output=True)
            return
        import sqlite3
        with sqlite3.connect(self.server.data_dir / "cau.db", timeout=10) as conn:
            conn.execute(sql)

    def event(self, meeting, kind, at, endpoint=None, end_at=None, detail=None):
        def lit(v):
            if v is None:
                return "NULL"
            return str(v) if isinstance(v, int) else "'" + v.replace("'", "''") + "'"
        self.run("INSERT INTO meeting_events (meeting_id, kind, at, end_at, endpoint_id, actor, "
                 f"detail) VALUES ({meeting}, {lit(kind)}, {at}, {lit(end_at)}, {lit(endpoint)}, "
                 f"'room', {lit(json.dumps(detail or {}, ensure_ascii=False))})")

    def interval(self, meeting, endpoint, joined, left):
        self.run("INSERT INTO attendance_intervals (meeting_id, endpoint_id, joined_at, left_at) "
                 f"VALUES ({meeting}, {endpoint}, {joined}, {left})")


def post_csv(client, path, lines):
    status, reply, _ = client.call("POST", path, raw=("\r\n".join(lines) + "\r\n").encode(),
                                   headers={"Content-Type": "text/csv; charset=utf-8"})
    assert status == 200 and reply["errors"] == [], reply
    return reply


def make_directory(admin):
    """Tỉnh Lâm Đồng with 38 communes and Thành phố Hồ Chí Minh with Phường Bến Nghé,
    one meeting room per unit (UNIT-P1). Returns {endpoint code: id}."""
    units = [("LD", "Tỉnh Lâm Đồng", "tỉnh", ""), ("HCM", "Thành phố Hồ Chí Minh", "tỉnh", ""),
             ("HCM-BN", "Phường Bến Nghé", "phường", "HCM")]
    for i in range(38):
        name = COMMUNES[i] if i < len(COMMUNES) else f"Xã {i + 1:02d}"
        units.append((f"LD-{i + 1:02d}", name, "xã", "LD"))
    post_csv(admin, "/units/import", ["code,name,level,parent_code"] + [",".join(u) for u in units])
    post_csv(admin, "/endpoints/import", ["code,name,unit_code,kind"] +
             [f"{code}-P1,Phòng họp {name},{code},browser" for code, name, _, _ in units])
    return ({u["code"]: u["id"] for u in admin.call("GET", "/units")[1]},
            {e["code"]: e["id"] for e in admin.call("GET", "/endpoints")[1]})


def make_account(server, admin, spec):
    status, account, _ = admin.call("POST", "/accounts", spec)
    assert status == 201, account
    client = ApiClient(server)
    client.login(spec["username"], spec["password"])
    return account, client


def upload(client, meeting, data, name, agenda_item):
    query = urllib.parse.urlencode({"name": name, "agenda_item": agenda_item})
    status, material, _ = client.call("POST", f"/meetings/{meeting}/materials?{query}", raw=data)
    assert status == 201, material
    return material


class Meeting:
    """What the test set up: ids, clients, files."""


@pytest.fixture
def held_meeting(cau_server):
    """A live meeting of the province chaired by chu.tich: agenda, invitees (the
    province with its communes, and Phường Bến Nghé's room), a material in two
    versions, attendance marks, two decisions, and the rooms layer's rows."""
    m = Meeting()
    m.server = cau_server({"minutes": {"organisation": ORG}})
    m.admin = admin_client(m.server)
    m.chair_account, m.chair = make_account(m.server, m.admin, CHAIR)
    _, m.other_chair = make_account(m.server, m.admin, OTHER_CHAIR)
    units, m.rooms = make_directory(m.admin)
    start = now_ms() + 3600 * 1000
    status, meeting, _ = m.admin.call("POST", "/meetings", {
        "title": "Họp giao ban UBND tỉnh Lâm Đồng tháng 5", "start_at": start,
        "end_at": start + 2 * 3600 * 1000, "chair_id": m.chair_account["id"],
        "description": "Tình hình kinh tế - xã hội 5 tháng đầu năm"})
    assert status == 201, meeting
    m.id = meeting["id"]
    status, meeting, _ = m.admin.call("PUT", f"/meetings/{m.id}/agenda", {"items": [
        {"title": "Báo cáo kinh tế - xã hội", "presenter": "Sở Tài chính", "duration_minutes": 30},
        {"title": "Tờ trình ngân sách Xã Tân Phú", "presenter": "UBND Xã Tân Phú",
         "duration_minutes": 20}]})
    assert status == 200, meeting
    m.items = [item["id"] for item in meeting["agenda"]]
    status, reply, _ = m.admin.call("PUT", f"/meetings/{m.id}/invitees", {
        "units": [{"id": units["LD"], "include_descendants": True}],
        "endpoints": [m.rooms["HCM-BN-P1"]]})
    assert status == 200, reply
    m.pdf = (SAMPLES / "sample.pdf").read_bytes()
    m.docx = (SAMPLES / "sample.docx").read_bytes()
    m.material = upload(m.admin, m.id, m.pdf, "Báo cáo KT-XH.pdf", m.items[0])
    status, reply, _ = m.admin.call("POST", f"/materials/{m.material['id']}/versions"
                                    "?name=B%C3%A1o%20c%C3%A1o%20KT-XH%20(s%E1%BB%ADa).docx",
                                    raw=m.docx)
    assert status == 201, reply
    status, live, _ = m.chair.call("POST", f"/meetings/{m.id}/start")
    assert (status, live["state"]) == (200, "live")
    # the meeting has been going for an hour (the rows below lie within it)
    db = Db(m.server)
    m.live_at = now_ms() - 3600 * 1000
    db.run(f"UPDATE meetings SET opened_at = {m.live_at}, live_at = {m.live_at} WHERE id = {m.id}")
    # attendance: operators' marks through the API
    for code, body in [("LD-02-P1", {"status": "in_person"}),
                       ("LD-03-P1", {"status": "absent", "reason": "Mất điện"})]:
        status, reply, _ = m.admin.call("PUT", f"/meetings/{m.id}/attendance/{m.rooms[code]}", body)
        assert status == 200, reply
    # what the rooms layer will write: online intervals, speaking, floor, chair actions
    t = m.live_at
    tan_phu, bn, province = m.rooms["LD-01-P1"], m.rooms["HCM-BN-P1"], m.rooms["LD-P1"]
    db.interval(m.id, tan_phu, t, t + 50 * MIN_MS)
    db.interval(m.id, bn, t + 2 * MIN_MS, t + 40 * MIN_MS)
    db.interval(m.id, province, t, t + 55 * MIN_MS)
    db.event(m.id, "speaking", t + 1 * MIN_MS, province, t + 5 * MIN_MS)
    db.event(m.id, "speaking", t + 4 * MIN_MS, province, t + 7 * MIN_MS)  # overlaps: once
    db.event(m.id, "floor_requested", t + 8 * MIN_MS, tan_phu)
    db.event(m.id, "floor_granted", t + 9 * MIN_MS, tan_phu, detail={"by": "chu.tich"})
    db.event(m.id, "speaking", t + 9 * MIN_MS, tan_phu, t + 12 * MIN_MS)
    db.event(m.id, "floor_revoked", t + 12 * MIN_MS, tan_phu)
    db.event(m.id, "mute", t + 13 * MIN_MS, bn)
    db.event(m.id, "material_presented", t + 14 * MIN_MS, province,
             detail={"material": m.material["id"], "version": 2})
    # decisions through the API
    m.decisions = [("Giao Sở Tài chính tổng hợp số liệu 5 tháng", m.items[0]),
                   ("Thông qua tờ trình ngân sách Xã Tân Phú", m.items[1])]
    for text, item in m.decisions:
        status, event, _ = m.admin.call("POST", f"/meetings/{m.id}/decisions",
                                        {"text": text, "agenda_item": item})
        assert status == 201, event
        assert (event["kind"], event["detail"], event["actor"]) == (
            "decision", {"text": text, "agenda_item": item}, "admin")
    return m


def end_and_wait(m):
    status, ended, _ = m.chair.call("POST", f"/meetings/{m.id}/end")
    assert (status, ended["state"]) == (200, "ended"), ended
    return wait_for("the minutes of the ended meeting",
                    lambda: m.admin.call("GET", f"/meetings/{m.id}/minutes")[1])


def download(m, name, token=None, query=""):
    status, headers, body = http_get(f"{m.server.url}/api/v1/meetings/{m.id}/minutes/{name}{query}",
                                     headers={"Authorization": f"Bearer {token or m.admin.token}"}
                                     if token != "" else {})
    return status, headers, body


def squeeze(text):
    return re.sub(r"\s+", " ", text)


def pdf_text(path):
    """The PDF's text as pdftotext reads it, in content order and as laid out."""
    return [squeeze(subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(path), "-"],
                                   check=True, capture_output=True, text=True).stdout)
            for mode in (["-raw"], [])]


def verify(*args):
    result = run_cau("verify", *map(str, args))
    return result.returncode, result.stdout + result.stderr


def test_minutes_made_at_the_end(held_meeting, tmp_path):
    """Ending the meeting makes version 1 by itself; its JSON is canonical and holds
    every section; the PDF shows the Vietnamese exactly and the JSON's SHA-256; both
    files verify with `cau verify` (with and without --ca) and with openssl, as
    downloaded; one changed byte makes them INVALID; another CA is refused."""
    m = held_meeting
    versions = end_and_wait(m)
    assert len(versions) == 1
    v1 = versions[0]
    assert (v1["version"], v1["created_by"]) == (1, "system")
    assert v1["signer"] == f"CN={ORG},O={ORG},C=VN"  # the self-signed certificate
    files = {}
    for ext in ("json", "json.p7s", "pdf", "pdf.p7s"):
        status, headers, body = download(m, f"1.{ext}")
        assert status == 200, body
        assert sha256(body) == v1["files"][ext]["sha256"]
        assert len(body) == v1["files"][ext]["size"]
        name = v1["files"][ext]["name"]
        assert name == f"minutes-{m.id}-v1.{ext}"
        assert name in headers["Content-Disposition"]
        (tmp_path / name).write_bytes(body)
        files[ext] = tmp_path / name
    raw = files["json"].read_bytes()
    doc = json.loads(raw)
    # canonical: sorted members, no spaces, UTF-8 as is
    assert json.dumps(doc, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8") == raw
    assert (doc["format"], doc["format_version"], doc["organisation"]) == ("cau-minutes", 1, ORG)
    meeting = doc["meeting"]
    assert (meeting["title"], meeting["state"], meeting["chair"]["username"]) == (
        "Họp giao ban UBND tỉnh Lâm Đồng tháng 5", "ended", "chu.tich")
    assert [a["title"] for a in doc["agenda"]] == ["Báo cáo kinh tế - xã hội",
                                                   "Tờ trình ngân sách Xã Tân Phú"]
    att = doc["attendance"]
    assert att["summary"] == {"invited": 40, "online": 3, "in_person": 1, "absent": 36}
    by_code = {e["endpoint"]["code"]: e for e in att["endpoints"]}
    assert by_code["LD-01-P1"]["status"] == "online"
    assert by_code["LD-01-P1"]["online_ms"] == 50 * MIN_MS
    assert by_code["LD-01-P1"]["unit"]["name"] == "Xã Tân Phú"
    assert by_code["HCM-BN-P1"]["unit"]["name"] == "Phường Bến Nghé"
    assert (by_code["LD-03-P1"]["status"], by_code["LD-03-P1"]["reason"]) == ("absent", "Mất điện")
    assert by_code["LD-02-P1"]["status"] == "in_person"
    speaking = [(s["endpoint"]["code"], s["total_ms"], s["turns"]) for s in doc["speaking"]]
    assert speaking == [("LD-P1", 6 * MIN_MS, 1), ("LD-01-P1", 3 * MIN_MS, 1)]
    assert [(f["event"], f["endpoint"]["code"]) for f in doc["floor"]] == [
        ("requested", "LD-01-P1"), ("granted", "LD-01-P1"), ("revoked", "LD-01-P1")]
    assert [(c["action"], c["endpoint"]["code"]) for c in doc["chair_actions"]] == [
        ("mute", "HCM-BN-P1")]
    assert [(d["text"], d["agenda_item"]["id"], d["by"]) for d in doc["decisions"]] == [
        (text, item, "admin") for text, item in m.decisions]
    [material] = doc["materials"]
    assert [(v["version"], v["sha256"]) for v in material["versions"]] == [
        (1, sha256(m.pdf)), (2, sha256(m.docx))]
    assert [(p["version"], p["endpoint"]["code"]) for p in material["presented"]] == [(2, "LD-P1")]
    assert (doc["recordings"], doc["votes"]) == ([], [])

    text, laid_out = pdf_text(files["pdf"])
    for expected in [ORG, "BIÊN BẢN CUỘC HỌP", "Họp giao ban UBND tỉnh Lâm Đồng tháng 5",
                     "Xã Tân Phú", "Phường Bến Nghé", "Mất điện",
                     "Thông qua tờ trình ngân sách Xã Tân Phú", sha256(m.docx), v1["files"]["json"]["sha256"]]:
        assert expected in text or expected in laid_out, expected
    assert re.search(r"Trang 1/[2-9]", laid_out)
    fonts = subprocess.run(["pdffonts", str(files["pdf"])], check=True, capture_output=True,
                           text=True).stdout
    assert re.search(r"\+DejaVuSans\b.* yes yes yes", fonts), fonts  # embedded, subset, ToUnicode

    for ext in ("json", "pdf"):
        code, out = verify(files[ext])
        assert code == 0, out
        assert "signature valid; signer not checked against a CA: pass --ca to do so" in out
        assert f"sha256      {v1['files'][ext]['sha256']}" in out
        assert f"signer      {v1['signer']}" in out
        assert re.search(r"signed at   \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", out)
        code, out = verify(files[ext], "--ca", m.server.data_dir / "organisation.pem")
        assert code == 0, out
        assert "signer certified by" in out
        # plain openssl, no Cầu needed
        result = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                                 "-in", str(files[ext + ".p7s"]), "-content", str(files[ext]),
                                 "-CAfile", str(m.server.data_dir / "organisation.pem"),
                                 "-purpose", "any", "-out", "/dev/null"],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr

    # one flipped byte in the middle of the JSON
    changed = bytearray(raw)
    changed[len(changed) // 2] ^= 0x01
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(bytes(changed))
    code, out = verify(tampered, "--signature", files["json.p7s"])
    assert code == 1, out
    assert "INVALID: the signature does not match this file" in out

    # another organisation's certificate as the CA
    other = tmp_path / "other-ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=Other CA",
                    "-keyout", str(tmp_path / "other-ca.key"), "-out", str(other)],
                   check=True, capture_output=True)
    code, out = verify(files["json"], "--ca", other)
    assert code == 1, out
    assert "INVALID: the signer's certificate does not chain to" in out

    assert verify()[0] == 2
    assert verify(files["json"], "--signature", tmp_path / "missing.p7s")[0] == 2
    assert verify(files["json"], "--bogus")[0] == 2


def test_who_may_read(held_meeting):
    """Anonymous callers get 401, another chair 403; the meeting's chair reads them,
    and so does an invited room with its join token (not one of another meeting)."""
    m = held_meeting
    # the rooms got their links before the meeting
    invitations = {i["endpoint"]["id"]: i["token"]
                   for i in m.admin.call("GET", f"/meetings/{m.id}/invitations")[1]["invitations"]}
    end_and_wait(m)
    anonymous = ApiClient(m.server)
    status, reply, _ = anonymous.call("GET", f"/meetings/{m.id}/minutes")
    assert (status, reply["error"]["code"]) == (401, "unauthorized")
    assert download(m, "1.pdf", token="")[0] == 401
    status, reply, _ = m.other_chair.call("GET", f"/meetings/{m.id}/minutes")
    assert (status, reply["error"]["code"]) == (403, "forbidden")
    assert download(m, "1.json", token=m.other_chair.token)[0] == 403
    status, listed, _ = m.chair.call("GET", f"/meetings/{m.id}/minutes")
    assert (status, len(listed)) == (200, 1)
    assert download(m, "1.pdf", token=m.chair.token)[0] == 200

    token = invitations[m.rooms["HCM-BN-P1"]]
    status, listed, _ = anonymous.call("GET", f"/meetings/{m.id}/minutes?token={token}")
    assert (status, listed[0]["version"]) == (200, 1)
    status, _, body = download(m, "1.json.p7s", token="", query=f"?token={token}")
    assert status == 200 and body.startswith(b"\x30")  # DER
    status, _, _ = download(m, "1.json", token="", query="?token=not-a-token")
    assert status == 401
    # a token for another meeting does not open this one
    start = now_ms() + 3600 * 1000
    other = m.admin.call("POST", "/meetings", {"title": "Họp Phường Bến Nghé",
                                               "start_at": start, "end_at": start + 3600000})[1]
    m.admin.call("PUT", f"/meetings/{other['id']}/invitees", {"endpoints": [m.rooms["HCM-BN-P1"]]})
    other_token = m.admin.call("GET", f"/meetings/{other['id']}/invitations")[1]["invitations"][0]
    status, reply, _ = anonymous.call("GET", f"/meetings/{m.id}/minutes?token={other_token['token']}")
    assert (status, reply["error"]["code"]) == (403, "forbidden")
    # unknown files and versions
    for name, code in [("2.json", 404), ("1.docx", 404), ("x.pdf", 404), ("0.pdf", 404)]:
        assert download(m, name)[0] == code, name


def test_versions_and_decisions(held_meeting):
    """An operator makes version 2 on demand: the meeting did not change, so its JSON
    is byte for byte version 1's; the PDF names its version. Decisions are validated;
    chairs may not write them nor make minutes; a meeting that has not taken place has
    no minutes."""
    m = held_meeting
    end_and_wait(m)
    status, v2, _ = m.admin.call("POST", f"/meetings/{m.id}/minutes")
    assert status == 201, v2
    assert (v2["version"], v2["created_by"]) == (2, "admin")
    listed = m.admin.call("GET", f"/meetings/{m.id}/minutes")[1]
    assert [v["version"] for v in listed] == [1, 2]
    assert listed[0]["files"]["json"]["sha256"] == v2["files"]["json"]["sha256"]
    assert listed[0]["files"]["pdf"]["sha256"] != v2["files"]["pdf"]["sha256"]
    assert download(m, "1.json")[2] == download(m, "2.json")[2]
    assert (m.server.data_dir / "minutes" / f"minutes-{m.id}-v1.pdf").exists()
    actions = [(e["action"], e["actor"]) for e in m.admin.call("GET", "/audit?action=minutes.")[1]]
    assert actions == [("minutes.generate", "admin"), ("minutes.generate", "system")]

    # a decision written up after the meeting goes into the next version
    status, _, _ = m.admin.call("POST", f"/meetings/{m.id}/decisions",
                                {"text": "Phường Bến Nghé báo cáo bổ sung trước ngày 15"})
    assert status == 201
    v3 = m.admin.call("POST", f"/meetings/{m.id}/minutes")[1]
    doc = json.loads(download(m, "3.json")[2])
    assert doc["decisions"][-1]["text"] == "Phường Bến Nghé báo cáo bổ sung trước ngày 15"
    assert doc["decisions"][-1]["agenda_item"] is None
    assert v3["files"]["json"]["sha256"] != v2["files"]["json"]["sha256"]

    for body, code, says in [
            ({"text": ""}, 400, '"text"'),
            ({}, 400, '"text"'),
            ({"text": "x", "agenda_item": 999999}, 404, "has no agenda item 999999"),
            ({"text": "x", "colour": "red"}, 400, "colour"),
            ({"text": "x" * 4001}, 400, '"text"')]:
        status, reply, _ = m.admin.call("POST", f"/meetings/{m.id}/decisions", body)
        assert (status, says in reply["error"]["message"]) == (code, True), reply
    assert m.admin.call("POST", "/meetings/999999/decisions", {"text": "x"})[0] == 404
    assert m.chair.call("POST", f"/meetings/{m.id}/decisions", {"text": "x"})[0] == 403
    assert m.chair.call("POST", f"/meetings/{m.id}/minutes")[0] == 403
    assert ApiClient(m.server).call("POST", f"/meetings/{m.id}/decisions", {"text": "x"})[0] == 401
    status, events, _ = m.chair.call("GET", f"/meetings/{m.id}/events?kind=decision")
    assert (status, len(events)) == (200, 3)
    assert m.other_chair.call("GET", f"/meetings/{m.id}/events")[0] == 403

    start = now_ms() + 3600 * 1000
    later = m.admin.call("POST", "/meetings", {"title": "Họp Xã Tân Phú", "start_at": start,
                                               "end_at": start + 3600000})[1]
    status, reply, _ = m.admin.call("POST", f"/meetings/{later['id']}/minutes")
    assert (status, reply["error"]["code"]) == (409, "conflict")
    assert "is scheduled: it has no minutes" in reply["error"]["message"]
    status, reply, _ = m.admin.call("POST", f"/meetings/{later['id']}/decisions", {"text": "x"})
    assert status == 409


def test_server_checks_its_stored_files(held_meeting):
    """GET .../minutes/N/verification (operators only) checks the files on the server's
    disk against their signatures and the recorded hashes: intact files pass, naming the
    signer; one changed byte in the stored PDF fails that file (the JSON still passes)."""
    m = held_meeting
    end_and_wait(m)
    status, result, _ = m.admin.call("GET", f"/meetings/{m.id}/minutes/1/verification")
    assert status == 200, result
    assert (result["version"], result["valid"]) == (1, True), result
    assert [f["file"] for f in result["files"]] == [f"minutes-{m.id}-v1.json",
                                                   f"minutes-{m.id}-v1.pdf"]
    listed = m.admin.call("GET", f"/meetings/{m.id}/minutes")[1][0]
    for checked, ext in zip(result["files"], ["json", "pdf"]):
        assert checked["signature_valid"] and checked["matches_record"], checked
        assert checked["sha256"] == listed["files"][ext]["sha256"]
        assert ORG in checked["signer"] and checked["signed_at"] > m.live_at, checked
        assert checked["problem"] is None

    pdf = m.server.data_dir / "minutes" / f"minutes-{m.id}-v1.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    status, result, _ = m.admin.call("GET", f"/meetings/{m.id}/minutes/1/verification")
    assert (status, result["valid"]) == (200, False), result
    json_file, pdf_file = result["files"]
    assert json_file["signature_valid"] and json_file["matches_record"], json_file
    assert not pdf_file["signature_valid"] and not pdf_file["matches_record"], pdf_file
    assert pdf_file["problem"], pdf_file

    # operators only; unknown versions and meetings
    assert m.chair.call("GET", f"/meetings/{m.id}/minutes/1/verification")[0] == 403
    assert ApiClient(m.server).call("GET", f"/meetings/{m.id}/minutes/1/verification")[0] == 401
    for path in [f"/meetings/{m.id}/minutes/2/verification",
                 f"/meetings/{m.id}/minutes/0/verification",
                 f"/meetings/{m.id}/minutes/x/verification",
                 f"/meetings/{m.id}/minutes/99999999999/verification",
                 "/meetings/999999/minutes/1/verification"]:
        status, reply, _ = m.admin.call("GET", path)
        assert (status, reply["error"]["code"]) == (404, "not_found"), (path, reply)


def test_catch_up_after_restart(cau_server):
    """A meeting that ended while the server was down (here: ended in the store while
    it was stopped) gets its minutes when the server starts again."""
    server = cau_server()
    admin = admin_client(server)
    start = now_ms() + 3600 * 1000
    meeting = admin.call("POST", "/meetings", {"title": "Họp trực tuyến Phường Bến Nghé",
                                               "start_at": start, "end_at": start + 3600000})[1]
    assert admin.call("POST", f"/meetings/{meeting['id']}/start")[0] == 200
    assert server.stop() == 0
    Db(server).run(f"UPDATE meetings SET state = 'ended', ended_at = {now_ms()} "
                   f"WHERE id = {meeting['id']}")
    again = cau_server(data_dir=server.data_dir)
    admin = admin_client(again)
    versions = wait_for("minutes made at start-up",
                        lambda: admin.call("GET", f"/meetings/{meeting['id']}/minutes")[1])
    assert [v["version"] for v in versions] == [1]
    assert "signing with the self-signed certificate" in again.stderr_text()


def make_ca_and_certificate(folder):
    """A provincial CA and the province's certificate issued by it (UTF-8 subject)."""
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    ca_key, ca, key, csr, cert = (folder / n for n in ("ca.key", "ca.pem", "org.key",
                                                       "org.csr", "org.pem"))
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-days", "30", "-utf8", "-subj", "/C=VN/O=Ban Cơ yếu Chính phủ/CN=CA thử nghiệm",
            "-keyout", str(ca_key), "-out", str(ca))
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-utf8", "-subj", f"/C=VN/O={ORG}/CN=Văn phòng {ORG}", "-keyout", str(key),
            "-out", str(csr))
    ext = folder / "ext.cnf"
    ext.write_text("keyUsage = critical, digitalSignature, nonRepudiation\n")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
            "-CAcreateserial", "-days", "30", "-extfile", str(ext), "-out", str(cert))
    return ca, cert, key


def test_configured_certificate(cau_server, tmp_path):
    """With [minutes] certificate and key set to a certificate a CA issued, the minutes
    are signed as the province (organisation taken from the certificate's O), verify
    against that CA, and no self-signed certificate is made."""
    ca, cert, key = make_ca_and_certificate(tmp_path)
    server = cau_server({"minutes": {"certificate": str(cert), "key": str(key)}})
    admin = admin_client(server)
    start = now_ms() + 3600 * 1000
    meeting = admin.call("POST", "/meetings", {"title": "Hội nghị trực tuyến toàn tỉnh",
                                               "start_at": start, "end_at": start + 3600000})[1]
    assert admin.call("POST", f"/meetings/{meeting['id']}/start")[0] == 200
    assert admin.call("POST", f"/meetings/{meeting['id']}/end")[0] == 200
    versions = wait_for("the minutes",
                        lambda: admin.call("GET", f"/meetings/{meeting['id']}/minutes")[1])
    assert versions[0]["signer"] == f"CN=Văn phòng {ORG},O={ORG},C=VN"
    assert not (server.data_dir / "organisation.pem").exists()
    for ext in ("json", "pdf"):
        for name in (f"1.{ext}", f"1.{ext}.p7s"):
            status, _, body = http_get(f"{server.url}/api/v1/meetings/{meeting['id']}/minutes/{name}",
                                       headers={"Authorization": f"Bearer {admin.token}"})
            assert status == 200
            (tmp_path / name).write_bytes(body)
        code, out = verify(tmp_path / f"1.{ext}", "--ca", ca)
        assert code == 0, out
        assert "issuer      CN=CA thử nghiệm,O=Ban Cơ yếu Chính phủ,C=VN" in out
    doc = json.loads((tmp_path / "1.json").read_bytes())
    assert doc["organisation"] == ORG
    # the province's certificate is no CA of its own
    code, out = verify(tmp_path / "1.json", "--ca", cert)
    assert code == 1 and "does not chain" in out, out


def test_bad_certificate_configuration(cau_server, tmp_path):
    """Only one of the two keys set, or files that do not belong together: the server
    refuses to start and says which."""
    _, cert, key = make_ca_and_certificate(tmp_path)
    server = cau_server({"minutes": {"certificate": str(cert)}}, wait=False)
    assert server.proc.wait(20) == 1
    assert "[minutes] certificate is set but [minutes] key is not" in server.stderr_text()
    server = cau_server({"minutes": {"certificate": str(cert), "key": str(tmp_path / "ca.key")}},
                        wait=False)
    assert server.proc.wait(20) == 1
    assert "does not belong to the certificate" in server.stderr_text()
