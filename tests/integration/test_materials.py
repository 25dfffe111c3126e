# SPDX-License-Identifier: MIT
"""Meeting materials and attendance through the REST API, as operators and chairs
meet them: real documents uploaded and downloaded (whole and by ranges), wrong types
and sizes refused, versions, who may read, what is on disk after a kill -9 in the
middle of an upload, and the attendance sheet as JSON and CSV.

Meetings, units and endpoints are written straight into the database (see `Db`):
their REST routes are built on other branches. Switch to them once they are in main."""

import hashlib
import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from cau_harness import (REPO_ROOT, STORE_BACKEND, ApiClient, admin_client, http_get,
                         raw_request)

SAMPLES = REPO_ROOT / "tests" / "fuzz" / "corpus" / "filetype"
CHAIR = {"username": "chu.tich", "role": "chair", "password": "mat-khau-chu-tich"}
OTHER_CHAIR = {"username": "chu.tich.xa", "role": "chair", "password": "mat-khau-chu-tich-xa"}
DEADLINE_S = 15


def sample(name):
    return (SAMPLES / name).read_bytes()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def wait_for(what, predicate, timeout=DEADLINE_S):
    """Polls `predicate` until it returns something true; fails naming `what`."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


class Db:
    """Direct SQL on the server's database (SQLite file or PostgreSQL via psql), for
    the rows whose REST routes are not in this branch yet. Values are inlined as
    literals; only test data goes through here."""

    def __init__(self, server):
        self.server = server
        self.url = None
        for line in Path(server.config_path).read_text(encoding="utf-8").splitlines():
            if line.startswith("url = "):
                self.url = line.split(" = ", 1)[1].strip()

    def rows(self, sql):
        if STORE_BACKEND == "postgres":
            out = subprocess.run(["psql", self.url, "-v", "ON_ERROR_STOP=1", "-qAt", "-F",
                                  "\t", "-c", sql], check=True, capture_output=True,
                                 text=True).stdout
            return [line.split("\t") for line in out.splitlines() if line]
        with sqlite3.connect(self.server.data_dir / "cau.db", timeout=10) as conn:
            return [[str(v) for v in row] for row in conn.execute(sql).fetchall()]

    def insert(self, table, **values):
        def literal(v):
            if v is None:
                return "NULL"
            if isinstance(v, int):
                return str(v)
            return "'" + str(v).replace("'", "''") + "'"
        columns = ", ".join(values)
        literals = ", ".join(literal(v) for v in values.values())
        return int(self.rows(f"INSERT INTO {table} ({columns}) VALUES ({literals}) "
                             "RETURNING id")[0][0])

    def meeting(self, title, chair_id=None):
        return self.insert("meetings", title=title, start_at=1714957200000,
                           end_at=1714964400000, lead_ms=600000, grace_ms=600000,
                           chair_account_id=chair_id, created_by="admin", created_at=0,
                           updated_at=0)


def make_account(server, admin, spec):
    """Creates an account and returns it with a client logged in as it."""
    status, account, _ = admin.call("POST", "/accounts", spec)
    assert status == 201, account
    client = ApiClient(server)
    client.login(spec["username"], spec["password"])
    return account, client


def upload(client, meeting, data, name, agenda_item=None, token=None):
    query = {"name": name}
    if agenda_item:
        query["agenda_item"] = agenda_item
    return client.call("POST", f"/meetings/{meeting}/materials?" + urllib.parse.urlencode(query),
                       raw=data, token=token)


def blob_files(server):
    folder = server.data_dir / "blobs"
    return sorted(p.parent.name + p.name for p in folder.glob("*/*")) if folder.exists() else []


def tmp_files(server):
    folder = server.data_dir / "tmp"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def download(server, token, path, headers=None):
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return http_get(server.url + "/api/v1" + path, headers=headers)


@pytest.fixture
def meeting_setup(cau_server):
    """A server, its operator, a chair, and a meeting chaired by that chair with two
    agenda items."""
    server = cau_server()
    admin = admin_client(server)
    chair_account, chair = make_account(server, admin, CHAIR)
    db = Db(server)
    meeting = db.meeting("Họp giao ban UBND Tỉnh Lâm Đồng tháng 5", chair_account["id"])
    items = [db.insert("agenda_items", meeting_id=meeting, position=i + 1, title=title)
             for i, title in enumerate(["Báo cáo kinh tế - xã hội", "Tờ trình ngân sách"])]
    return server, admin, chair, db, meeting, items


def test_upload_real_pdf_and_docx(meeting_setup):
    """An operator uploads a real PDF for the meeting and a DOCX for an agenda item:
    201 with version 1, size, SHA-256 and the type read from the content; the list
    shows both; each file sits on disk under its SHA-256 and nothing is left in tmp."""
    server, admin, _, _, meeting, items = meeting_setup
    pdf, docx = sample("sample.pdf"), sample("sample.docx")
    status, material, _ = upload(admin, meeting, pdf, "Báo cáo tình hình KT-XH.pdf")
    assert status == 201, material
    assert (material["version"], material["size"], material["sha256"], material["type"],
            material["mime"]) == (1, len(pdf), sha256(pdf), "pdf", "application/pdf")
    assert material["name"] == "Báo cáo tình hình KT-XH.pdf"
    assert material["agenda_item_id"] is None
    status, second, _ = upload(admin, meeting, docx, "Tờ trình số 12.docx", items[1])
    assert status == 201, second
    assert (second["type"], second["agenda_item_id"]) == ("docx", items[1])
    status, listed, _ = admin.call("GET", f"/meetings/{meeting}/materials")
    assert status == 200
    assert [(m["id"], m["name"], len(m["versions"])) for m in listed] == [
        (material["id"], "Báo cáo tình hình KT-XH.pdf", 1), (second["id"], "Tờ trình số 12.docx", 1)]
    assert blob_files(server) == sorted([sha256(pdf), sha256(docx)])
    assert (server.data_dir / "blobs" / sha256(pdf)[:2] / sha256(pdf)[2:]).read_bytes() == pdf
    assert tmp_files(server) == []
    status, body_headers, body = download(server, admin.token, f"/materials/{material['id']}")
    assert (status, body) == (200, pdf)
    actions = [e["action"] for e in admin.call("GET", "/audit?action=material.")[1]]
    assert actions == ["material.upload", "material.upload"]


def test_agenda_edits_keep_materials_on_their_items(meeting_setup):
    """The agenda shows each item's id; a PUT that names the ids reorders and renames the
    items without detaching their materials, and an item left out takes its materials'
    link with it (they stay, attached to the meeting)."""
    _, admin, _, _, _, _ = meeting_setup
    start = int(time.time() * 1000) + 86_400_000
    status, created, _ = admin.call("POST", "/meetings", {
        "title": "Họp HĐND Tỉnh Lâm Đồng", "start_at": start, "end_at": start + 7_200_000})
    assert status == 201, created
    meeting = created["id"]
    status, shown, _ = admin.call("PUT", f"/meetings/{meeting}/agenda", {"items": [
        {"title": "Báo cáo kinh tế - xã hội"}, {"title": "Tờ trình ngân sách"}]})
    assert status == 200, shown
    items = [i["id"] for i in shown["agenda"]]
    assert [i["position"] for i in shown["agenda"]] == [1, 2] and all(items)
    status, material, _ = upload(admin, meeting, sample("sample.pdf"), "Tờ trình.pdf", items[1])
    assert status == 201, material
    reordered = {"items": [{"id": items[1], "title": "Tờ trình ngân sách (sửa)"},
                           {"title": "Khai mạc"}, {"id": items[0], "title": "Báo cáo"}]}
    status, changed, _ = admin.call("PUT", f"/meetings/{meeting}/agenda", reordered)
    assert status == 200, changed
    assert [(i["id"], i["title"]) for i in changed["agenda"]][::2] == [
        (items[1], "Tờ trình ngân sách (sửa)"), (items[0], "Báo cáo")]
    assert changed["agenda"][1]["id"] not in items
    status, listed, _ = admin.call("GET", f"/meetings/{meeting}/materials")
    assert [m["agenda_item_id"] for m in listed] == [items[1]]

    status, error, _ = admin.call("PUT", f"/meetings/{meeting}/agenda",
                                  {"items": [{"id": 999999, "title": "Lạ"}]})
    assert (status, error["error"]["message"]) == (
        400, "agenda item 1: id 999999 is not an item of this meeting's agenda")
    status, _, _ = admin.call("PUT", f"/meetings/{meeting}/agenda",
                              {"items": [{"id": items[0], "title": "Báo cáo"}]})
    assert status == 200
    status, listed, _ = admin.call("GET", f"/meetings/{meeting}/materials")
    assert [(m["id"], m["agenda_item_id"]) for m in listed] == [(material["id"], None)]


@pytest.mark.parametrize("file, says", [
    ("refused-exe-named.pdf", "Windows program (MZ executable)"),
    ("refused-text.pdf", "plain text"),
    ("refused-cut.docx", "cut-short ZIP archive"),
    ("refused-old-office.doc", "old Microsoft Office file"),
])
def test_wrong_type_refused(meeting_setup, file, says):
    """A file whose content is not an accepted type gets 415 naming what it is,
    whatever its name says; no material, no blob, no temp file remains."""
    server, admin, _, _, meeting, _ = meeting_setup
    status, reply, _ = upload(admin, meeting, sample(file), "Biên bản.pdf")
    assert status == 415, reply
    assert reply["error"]["code"] == "unsupported_media_type"
    assert says in reply["error"]["message"]
    assert admin.call("GET", f"/meetings/{meeting}/materials")[1] == []
    assert blob_files(server) == []
    assert tmp_files(server) == []


def test_upload_requests_are_validated(meeting_setup):
    """No name, a name with a slash, an unknown query parameter, an agenda item of
    another meeting, an unknown meeting, an empty body: 4xx naming the problem."""
    server, admin, _, db, meeting, _ = meeting_setup
    other = db.meeting("Họp Xã Tân Phú")
    other_item = db.insert("agenda_items", meeting_id=other, position=1, title="Khác")
    pdf = sample("sample.pdf")
    base = f"/meetings/{meeting}/materials"
    cases = [
        (base, pdf, 400, 'query parameter "name" is required'),
        (base + "?name=a%2Fb.pdf", pdf, 400, "without '/'"),
        (base + "?name=a.pdf&folder=x", pdf, 400, 'unknown query parameter "folder"'),
        (base + f"?name=a.pdf&agenda_item={other_item}", pdf, 404,
         f"has no agenda item {other_item}"),
        ("/meetings/9999/materials?name=a.pdf", pdf, 404, "no meeting with id 9999"),
        (base + "?name=a.pdf", b"", 400, "the file is empty"),
    ]
    for path, body, status, says in cases:
        got, reply, _ = admin.call("POST", path, raw=body)
        assert (got, path) == (status, path), reply
        assert says in reply["error"]["message"]
    assert blob_files(server) == [] and tmp_files(server) == []


def test_versions_keep_old_files_and_share_blobs(meeting_setup):
    """A new upload to a material makes version 2; version 1 stays downloadable;
    uploading version 1's content again as version 3 stores no second copy."""
    server, admin, _, _, meeting, _ = meeting_setup
    pdf, odt = sample("sample.pdf"), sample("sample.odt")
    material = upload(admin, meeting, pdf, "Dự thảo nghị quyết.pdf")[1]
    status, v2, _ = admin.call("POST", f"/materials/{material['id']}/versions?name="
                               + urllib.parse.quote("Dự thảo nghị quyết (sửa đổi).odt"),
                               raw=odt)
    assert status == 201, v2
    assert (v2["version"], v2["type"], v2["file_name"]) == (
        2, "odt", "Dự thảo nghị quyết (sửa đổi).odt")
    assert download(server, admin.token, f"/materials/{material['id']}")[2] == odt
    assert download(server, admin.token, f"/materials/{material['id']}/versions/1")[2] == pdf
    assert download(server, admin.token, f"/materials/{material['id']}/versions/2")[2] == odt
    assert download(server, admin.token, f"/materials/{material['id']}/versions/3")[0] == 404
    status, v3, _ = admin.call("POST", f"/materials/{material['id']}/versions", raw=pdf)
    assert (status, v3["version"], v3["file_name"]) == (
        201, 3, "Dự thảo nghị quyết (sửa đổi).odt")
    assert [v["sha256"] for v in v3["versions"]] == [sha256(pdf), sha256(odt), sha256(pdf)]
    assert blob_files(server) == sorted([sha256(pdf), sha256(odt)])
    assert admin.call("POST", "/materials/999/versions", raw=pdf)[0] == 404
    actions = [e["action"] for e in admin.call("GET", "/audit?action=material.")[1]]
    assert actions == ["material.version", "material.version", "material.upload"]


def test_range_requests_and_headers(meeting_setup):
    """Downloads carry the ETag (SHA-256), Accept-Ranges and the Vietnamese file name
    (RFC 6266/5987); single ranges give 206 with the right bytes, a range past the
    end 416, If-None-Match 304."""
    server, admin, _, _, meeting, _ = meeting_setup
    png = sample("sample.png")
    name = "Sơ đồ Phường Bến Nghé.png"
    material = upload(admin, meeting, png, name)[1]
    path = f"/materials/{material['id']}"
    status, headers, body = download(server, admin.token, path)
    assert (status, body) == (200, png)
    assert headers["ETag"] == f'"{sha256(png)}"'
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Type"] == "image/png"
    disposition = headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="So do Phuong Ben Nghe.png"; ')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert urllib.parse.unquote(encoded, encoding="utf-8") == name
    for header, first, last in [("bytes=0-9", 0, 9), ("bytes=100-", 100, len(png) - 1),
                                ("bytes=-16", len(png) - 16, len(png) - 1),
                                ("bytes=500-99999", 500, len(png) - 1)]:
        status, headers, body = download(server, admin.token, path, {"Range": header})
        assert status == 206, header
        assert body == png[first:last + 1]
        assert headers["Content-Range"] == f"bytes {first}-{last}/{len(png)}"
    status, headers, body = download(server, admin.token, path,
                                     {"Range": f"bytes={len(png)}-"})
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{len(png)}"
    # Several ranges are not served piecemeal: the whole file comes.
    assert download(server, admin.token, path, {"Range": "bytes=0-1,5-6"})[2] == png
    # If-Range with another version's tag: the whole file.
    assert download(server, admin.token, path, {"Range": "bytes=0-9",
                                                "If-Range": '"other"'})[0] == 200
    assert download(server, admin.token, path, {"If-None-Match": f'"{sha256(png)}"'})[0] == 304


def test_who_may_read(meeting_setup):
    """Anonymous callers get 401 (even for a material that does not exist), a chair of
    another meeting 403, the meeting's chair and operators the files; only operators
    upload and delete."""
    server, admin, chair, db, meeting, _ = meeting_setup
    other_account, other_chair = make_account(server, admin, OTHER_CHAIR)
    db.meeting("Họp Phường Bến Nghé", other_account["id"])
    material = upload(admin, meeting, sample("sample.pdf"), "Báo cáo.pdf")[1]
    anonymous = ApiClient(server)
    reads = [f"/meetings/{meeting}/materials", f"/materials/{material['id']}",
             f"/materials/{material['id']}/versions/1"]
    for path in reads:
        assert anonymous.call("GET", path)[0] == 401, path
        status, reply, _ = other_chair.call("GET", path)
        assert (status, reply["error"]["code"]) == (403, "forbidden"), path
        assert chair.call("GET", path)[0] == 200, path
        assert admin.call("GET", path)[0] == 200, path
    assert anonymous.call("GET", "/materials/424242")[0] == 401
    assert chair.call("GET", "/materials/424242")[0] == 404
    status, reply, _ = upload(chair, meeting, sample("sample.pdf"), "x.pdf")
    assert (status, reply["error"]["code"]) == (403, "forbidden")
    assert upload(anonymous, meeting, sample("sample.pdf"), "x.pdf")[0] == 401
    assert chair.call("DELETE", f"/materials/{material['id']}")[0] == 403
    assert tmp_files(server) == []


def test_delete_keeps_shared_blobs(meeting_setup):
    """Deleting a material removes its rows and the files no other material uses."""
    server, admin, _, _, meeting, _ = meeting_setup
    pdf, png = sample("sample.pdf"), sample("sample.png")
    doomed = upload(admin, meeting, pdf, "Cũ.pdf")[1]
    admin.call("POST", f"/materials/{doomed['id']}/versions?name=c.png", raw=png)
    kept = upload(admin, meeting, png, "Bản đồ.png")[1]
    assert admin.call("DELETE", f"/materials/{doomed['id']}")[0] == 204
    assert blob_files(server) == [sha256(png)]
    assert [m["id"] for m in admin.call("GET", f"/meetings/{meeting}/materials")[1]] == [
        kept["id"]]
    assert admin.call("GET", f"/materials/{doomed['id']}")[0] == 404
    assert admin.call("DELETE", f"/materials/{doomed['id']}")[0] == 404
    assert admin.call("GET", "/audit?action=material.delete")[1][0]["target"] == \
        f"material/{doomed['id']}"


def test_size_limit_is_the_upload_limit(cau_server):
    """Uploads have their own limit, [materials] max_bytes, not [http] max_body_bytes:
    under it a file larger than the JSON limit goes in; over it 413, whether the size
    is announced or the body is chunked, and nothing is left on disk."""
    server = cau_server({"http": {"max_body_bytes": "4096"},
                         "materials": {"max_bytes": "262144"}})
    admin = admin_client(server)
    meeting = Db(server).meeting("Họp trực tuyến Xã Tân Phú")
    fits = pdf_of_size(200_000)
    status, material, _ = upload(admin, meeting, fits, "vua.pdf")
    assert (status, material["size"]) == (201, len(fits))
    too_big = pdf_of_size(300_000)
    status, reply, _ = upload(admin, meeting, too_big, "lon.pdf")
    assert (status, reply["error"]["code"]) == (413, "too_large")
    assert "262144" in reply["error"]["message"]
    path = f"/api/v1/meetings/{meeting}/materials?name=lon.pdf"
    status, _, body = raw_request(server.host, server.port, "POST", path,
                                  body=iter([too_big[i:i + 65536]
                                             for i in range(0, len(too_big), 65536)]),
                                  headers={"Authorization": f"Bearer {admin.token}"},
                                  encode_chunked=True)
    assert status == 413, body
    wait_for("the refused upload's temp file to go", lambda: tmp_files(server) == [])
    assert blob_files(server) == [sha256(fits)]
    assert http_get(server.url + "/healthz")[0] == 200
    # JSON bodies keep the small limit.
    assert admin.call("POST", "/accounts", raw=b"{" + b" " * 5000 + b"}",
                      headers={"Content-Type": "application/json"})[0] == 413


def pdf_of_size(size):
    head, tail = b"%PDF-1.7\n%", b"\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


def proc_status(pid):
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            fields[key] = int(value.split()[0]) * 1024
    return fields


def test_large_upload_does_not_grow_memory(cau_server):
    """A 50 MB upload is streamed to disk: the server's peak resident memory grows
    by far less than the file (measured from /proc), and the file comes back whole."""
    server = cau_server()
    admin = admin_client(server)
    meeting = Db(server).meeting("Hội nghị trực tuyến toàn tỉnh")
    big = pdf_of_size(50 * 1024 * 1024)
    # Warm up the code paths (and their allocations) with a small upload first.
    assert upload(admin, meeting, sample("sample.pdf"), "nho.pdf")[0] == 201
    before = proc_status(server.proc.pid)
    status, material, _ = admin.call(
        "POST", f"/meetings/{meeting}/materials?name=lon.pdf", raw=big)
    assert status == 201, material
    after = proc_status(server.proc.pid)
    grew = after["VmHWM"] - before["VmRSS"]
    assert grew < 16 * 1024 * 1024, f"peak RSS grew by {grew >> 20} MiB for a 50 MiB upload"
    assert material["sha256"] == sha256(big)
    assert download(server, admin.token, f"/materials/{material['id']}")[2] == big


def start_slow_upload(server, token, meeting, chunks):
    """Sends the headers and `chunks` (each 64 KiB) of a chunked upload, then keeps the
    connection open without finishing; returns the socket."""
    sock = socket.create_connection((server.host, server.port), timeout=10)
    sock.sendall((f"POST /api/v1/meetings/{meeting}/materials?name=dang-tai.pdf HTTP/1.1\r\n"
                  f"Host: {server.host}:{server.port}\r\nAuthorization: Bearer {token}\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n").encode())
    piece = b"%PDF-1.7\n" + os.urandom(65536 - 9)
    for _ in range(chunks):
        sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
        piece = os.urandom(65536)
    return sock


def upload_temp_size(server):
    files = [server.data_dir / "tmp" / n for n in tmp_files(server) if n.startswith("upload-")]
    return files[0].stat().st_size if files else 0


def test_kill_during_upload_leaves_nothing(cau_server):
    """SIGKILL while a slow chunked upload is being written: after a restart on the
    same data folder there is no material, no blob, and the temp file is gone."""
    server = cau_server()
    admin = admin_client(server)
    meeting = Db(server).meeting("Họp khẩn Tỉnh Lâm Đồng")
    sock = start_slow_upload(server, admin.token, meeting, chunks=16)
    try:
        wait_for("the upload to reach the disk", lambda: upload_temp_size(server) >= 262144)
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(DEADLINE_S)
    finally:
        sock.close()
    assert server.proc.returncode == -signal.SIGKILL
    assert upload_temp_size(server) > 0  # the half upload is there until the restart
    assert blob_files(server) == []
    again = cau_server(data_dir=server.data_dir)
    admin = admin_client(again)
    assert tmp_files(again) == []
    assert blob_files(again) == []
    assert admin.call("GET", f"/meetings/{meeting}/materials")[:2] == (200, [])
    assert admin.call("GET", "/audit?action=material.")[1] == []


def test_abandoned_upload_is_cleaned_at_once(cau_server):
    """A client that goes away mid-upload leaves no temp file behind (no restart)."""
    server = cau_server()
    admin = admin_client(server)
    meeting = Db(server).meeting("Họp Phường Bến Nghé")
    sock = start_slow_upload(server, admin.token, meeting, chunks=8)
    wait_for("the upload to reach the disk", lambda: upload_temp_size(server) > 0)
    sock.close()
    wait_for("the temp file to be removed", lambda: tmp_files(server) == [])
    assert blob_files(server) == []
    assert admin.call("GET", f"/meetings/{meeting}/materials")[1] == []


# --------------------------------------------------------------------------
# Attendance
# --------------------------------------------------------------------------


@pytest.fixture
def attendance_setup(meeting_setup):
    """Tỉnh Lâm Đồng with two communes (Xã Tân Phú: 2 endpoints; Phường 1, Đà Lạt: 1)
    invited with its descendants, plus Phường Bến Nghé (Thành phố Hồ Chí Minh) not
    invited."""
    server, admin, chair, db, meeting, _ = meeting_setup
    province = db.insert("units", code="68", name="Tỉnh Lâm Đồng", level="province",
                         created_at=0)
    tan_phu = db.insert("units", code="68.24880", name="Xã Tân Phú", level="commune",
                        parent_id=province, created_at=0)
    phuong1 = db.insert("units", code="68.24772", name="Phường 1, Đà Lạt", level="commune",
                        parent_id=province, created_at=0)
    hcm = db.insert("units", code="79", name="Thành phố Hồ Chí Minh", level="province",
                    created_at=0)
    ben_nghe = db.insert("units", code="79.26734", name="Phường Bến Nghé", level="commune",
                         parent_id=hcm, created_at=0)
    endpoints = {code: db.insert("endpoints", code=code, name=name, unit_id=unit,
                                 kind="browser", created_at=0)
                 for code, name, unit in [("TP-01", "Phòng họp UBND xã Tân Phú", tan_phu),
                                          ("TP-02", "Hội trường xã Tân Phú", tan_phu),
                                          ("P1-01", "Phòng họp Phường 1", phuong1),
                                          ("BN-01", "Phòng họp Phường Bến Nghé", ben_nghe)]}
    db.insert("meeting_invitees", meeting_id=meeting, unit_id=province, include_descendants=1)
    return server, admin, chair, db, meeting, endpoints


def test_attendance_set_get_and_csv(attendance_setup):
    """An operator marks one endpoint present in person and one absent with a reason;
    one that connected (as the room layer records it) is online; the rest are absent
    without a reason. JSON for the console, CSV with a BOM for Excel."""
    server, admin, chair, db, meeting, ep = attendance_setup
    # The room layer's record of TP-01: 08:00-08:50 and 09:00-09:30 Hà Nội time.
    for joined, left in [(1714957200000, 1714960200000), (1714960800000, 1714962600000)]:
        db.insert("attendance_intervals", meeting_id=meeting, endpoint_id=ep["TP-01"],
                  joined_at=joined, left_at=left)
    status, line, _ = admin.call("PUT", f"/meetings/{meeting}/attendance/{ep['TP-02']}",
                                 {"status": "in_person"})
    assert (status, line["status"], line["endpoint_code"]) == (200, "in_person", "TP-02")
    status, line, _ = admin.call("PUT", f"/meetings/{meeting}/attendance/{ep['P1-01']}",
                                 {"status": "absent", "reason": "Mất điện, chờ khắc phục"})
    assert (status, line["reason"]) == (200, "Mất điện, chờ khắc phục")
    status, sheet, _ = chair.call("GET", f"/meetings/{meeting}/attendance")
    assert status == 200
    assert [(l["unit_name"], l["endpoint_code"], l["status"], l["reason"], l["online_minutes"])
            for l in sheet] == [
        ("Phường 1, Đà Lạt", "P1-01", "absent", "Mất điện, chờ khắc phục", 0),
        ("Xã Tân Phú", "TP-01", "online", "", 80),
        ("Xã Tân Phú", "TP-02", "in_person", "", 0),
    ]
    assert sheet[1]["first_join"] == 1714957200000 and sheet[1]["last_leave"] == 1714962600000
    status, headers, body = download(server, chair.token,
                                     f"/meetings/{meeting}/attendance?format=csv"
                                     "&tz=Asia/Ho_Chi_Minh")
    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attendance-meeting-" in headers["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.decode("utf-8-sig").split("\r\n") == [
        "unit,endpoint_code,endpoint_name,status,first_join,last_leave,online_minutes,reason",
        '"Phường 1, Đà Lạt",P1-01,Phòng họp Phường 1,absent,,,0,"Mất điện, chờ khắc phục"',
        "Xã Tân Phú,TP-01,Phòng họp UBND xã Tân Phú,online,2024-05-06 08:00:00,"
        "2024-05-06 09:30:00,80,",
        "Xã Tân Phú,TP-02,Hội trường xã Tân Phú,in_person,,,0,",
        "",
    ]
    audit = admin.call("GET", "/audit?action=attendance.")[1]
    assert [(e["action"], e["target"], e["detail"]["status"]) for e in audit] == [
        ("attendance.set", f"meeting/{meeting}", "absent"),
        ("attendance.set", f"meeting/{meeting}", "in_person")]


def test_attendance_refusals(attendance_setup):
    """Only operators mark; "online" cannot be set; an endpoint not invited, an
    unknown meeting or time zone are refused; anonymous callers get 401."""
    server, admin, chair, db, meeting, ep = attendance_setup
    path = f"/meetings/{meeting}/attendance"
    status, reply, _ = chair.call("PUT", f"{path}/{ep['TP-01']}", {"status": "absent"})
    assert (status, reply["error"]["code"]) == (403, "forbidden")
    status, reply, _ = admin.call("PUT", f"{path}/{ep['TP-01']}", {"status": "online"})
    assert status == 400 and "comes from connecting" in reply["error"]["message"]
    assert admin.call("PUT", f"{path}/{ep['TP-01']}", {"status": "absent", "note": "x"})[0] == 400
    status, reply, _ = admin.call("PUT", f"{path}/{ep['BN-01']}", {"status": "absent"})
    assert status == 404 and "not invited" in reply["error"]["message"]
    assert admin.call("PUT", f"/meetings/9999/attendance/{ep['TP-01']}",
                      {"status": "absent"})[0] == 404
    assert admin.call("GET", f"{path}?format=csv&tz=Mars/Olympus")[0] == 400
    assert admin.call("GET", f"{path}?format=xml")[0] == 400
    assert ApiClient(server).call("GET", path)[0] == 401
    assert admin.call("GET", "/audit?action=attendance.")[1] == []


def test_invited_endpoints_read_with_their_join_token(cau_server):
    """An endpoint invited to a meeting (created through the meetings and directory
    APIs) lists and downloads that meeting's materials with the join token of its
    invitation link as ?token=; its token opens no other meeting's materials (403), a
    tampered token gets 401, without a token an anonymous caller gets 401, and once the
    room is dropped from the invitees its token reads nothing (401)."""
    server = cau_server()
    admin = admin_client(server)
    for body in ({"code": "LD", "name": "Tỉnh Lâm Đồng", "level": "tỉnh"},):
        assert admin.call("POST", "/units", body)[0] == 201
    unit = admin.call("GET", "/units")[1][0]["id"]
    status, room, _ = admin.call("POST", "/endpoints", {
        "code": "LD-P1", "name": "Phòng họp Tỉnh Lâm Đồng", "unit_id": unit, "kind": "browser"})
    assert status == 201, room
    start = int(time.time() * 1000) + 3600_000
    meetings = []
    for title in ("Giao ban tháng 5", "Họp chuyên đề"):
        status, meeting, _ = admin.call("POST", "/meetings", {
            "title": title, "start_at": start, "end_at": start + 7200_000})
        assert status == 201, meeting
        meetings.append(meeting["id"])
    invited, other = meetings
    assert admin.call("PUT", f"/meetings/{invited}/invitees",
                      {"units": [], "endpoints": [room["id"]]})[0] == 200
    token = admin.call("GET", f"/meetings/{invited}/invitations")[1]["invitations"][0]["token"]
    pdf = sample("sample.pdf")
    material = upload(admin, invited, pdf, "Báo cáo.pdf")[1]
    elsewhere = upload(admin, other, pdf, "Tờ trình.pdf")[1]
    anonymous = ApiClient(server)

    status, listing, _ = anonymous.call("GET", f"/meetings/{invited}/materials?token={token}")
    assert (status, [m["name"] for m in listing]) == (200, ["Báo cáo.pdf"])
    status, _, body = download(server, None, f"/materials/{material['id']}?token={token}")
    assert (status, body) == (200, pdf)
    status, _, body = download(server, None, f"/materials/{material['id']}/versions/1?token={token}")
    assert (status, body) == (200, pdf)
    for path in (f"/meetings/{other}/materials", f"/materials/{elsewhere['id']}"):
        status, reply, _ = anonymous.call("GET", f"{path}?token={token}")
        assert (status, reply["error"]["code"]) == (403, "forbidden"), path
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert anonymous.call("GET", f"/meetings/{invited}/materials?token={tampered}")[0] == 401
    assert anonymous.call("GET", f"/meetings/{invited}/materials")[0] == 401
    # Dropped from the invitees, the room reads no more.
    assert admin.call("PUT", f"/meetings/{invited}/invitees", {"units": [], "endpoints": []})[0] == 200
    status, reply, _ = anonymous.call("GET", f"/meetings/{invited}/materials?token={token}")
    assert (status, reply["error"]["code"]) == (401, "unauthorized")
