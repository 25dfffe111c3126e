# SPDX-License-Identifier: MIT
"""The directory (units and endpoints) as operators and chairs meet it through the
REST API and `cau unit` / `cau endpoint`: trees old and new, cycles, conflicts,
credentials, CSV import and export with bad rows reported by line, roles and bad
input."""

import hashlib
import json
import sqlite3
import subprocess

import pytest

from cau_harness import (STORE_BACKEND, ApiClient, admin_client, http_request,
                         postgres_database_for, run_cau)

CHAIR = {"username": "chu.tich", "role": "chair", "password": "mat-khau-chu-tich"}

# Older data: Government -> province -> district -> communes.
DISTRICT_COMMUNES = [
    ("LD-DQ-TT", "Thị trấn Định Quán", "thị trấn"),
    ("LD-DQ-PN", "Xã Phú Ngọc", "xã"),
    ("LD-DQ-TP", "Xã Tân Phú", "xã"),
    ("LD-DQ-ND", "Xã Ngọc Định", "xã"),
    ("LD-DQ-PV", "Xã Phú Vinh", "xã"),
]

# Since 1 July 2025: province -> communes and wards, no districts.
COMMUNES = [
    "Phường Xuân Hương - Đà Lạt", "Phường Cam Ly - Đà Lạt", "Phường Lâm Viên - Đà Lạt",
    "Phường Xuân Trường - Đà Lạt", "Phường Lang Biang - Đà Lạt", "Phường 1 Bảo Lộc",
    "Phường 2 Bảo Lộc", "Phường B'Lao", "Phường Bắc Gia Nghĩa", "Phường Nam Gia Nghĩa",
    "Phường Đông Gia Nghĩa", "Phường Phan Thiết", "Phường Mũi Né", "Xã Lạc Dương",
    "Xã Đơn Dương", "Xã Ka Đô", "Xã Quảng Lập", "Xã D'Ran", "Xã Hiệp Thạnh",
    "Xã Đức Trọng", "Xã Tân Hội", "Xã Tà Hine", "Xã Tà Năng", "Xã Đinh Văn Lâm Hà",
    "Xã Phú Sơn Lâm Hà", "Xã Nam Hà Lâm Hà", "Xã Đam Rông 1", "Xã Di Linh", "Xã Hòa Ninh",
    "Xã Hòa Bắc", "Xã Đinh Trang Thượng", "Xã Bảo Thuận", "Xã Sơn Điền", "Xã Gia Hiệp",
    "Xã Đạ Huoai", "Xã Đạ Tẻh", "Xã Cát Tiên", "Xã Đắk Wil", "Xã Nam Dong", "Xã Tuy Đức",
]


def make_chair(admin, server):
    status, reply, _ = admin.call("POST", "/accounts", CHAIR)
    assert status == 201, reply
    chair = ApiClient(server)
    chair.login(CHAIR["username"], CHAIR["password"])
    return chair


def add_unit(client, code, name, level, parent_id=None):
    body = {"code": code, "name": name, "level": level}
    if parent_id is not None:
        body["parent_id"] = parent_id
    status, unit, _ = client.call("POST", "/units", body)
    assert status == 201, unit
    return unit


def add_endpoint(client, code, name, unit_id, kind="browser", **extra):
    status, endpoint, _ = client.call("POST", "/endpoints", {
        "code": code, "name": name, "unit_id": unit_id, "kind": kind, **extra})
    assert status == 201, endpoint
    return endpoint


def build_district_tree(admin):
    """Government -> Tỉnh Lâm Đồng -> Huyện Định Quán -> five communes; returns
    {code: unit}."""
    units = {}
    units["VN"] = add_unit(admin, "VN", "Chính phủ", "Chính phủ")
    units["LD"] = add_unit(admin, "LD", "Tỉnh Lâm Đồng", "tỉnh", units["VN"]["id"])
    units["LD-DQ"] = add_unit(admin, "LD-DQ", "Huyện Định Quán", "huyện", units["LD"]["id"])
    for code, name, level in DISTRICT_COMMUNES:
        units[code] = add_unit(admin, code, name, level, units["LD-DQ"]["id"])
    return units


def post_csv(client, path, text, content_type="text/csv; charset=utf-8"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.call("POST", path, raw=data, headers={"Content-Type": content_type})


def get_raw(client, path):
    """GET returning (status, headers, body bytes) whatever the content type."""
    return http_request("GET", client.base + path,
                        headers={"Authorization": f"Bearer {client.token}"})


def db_rows(server, sql):
    """Rows of `sql` read straight from the server's database, as text."""
    if STORE_BACKEND == "postgres":
        out = subprocess.run(["psql", postgres_database_for(server.data_dir), "-At", "-F",
                              "\t", "-c", sql], check=True, capture_output=True, text=True)
        return [tuple(line.split("\t")) for line in out.stdout.splitlines()]
    with sqlite3.connect(server.data_dir / "cau.db") as db:
        return [tuple(str(v) for v in row) for row in db.execute(sql)]


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_four_level_tree_and_subtrees(cau_server):
    """A 4-level tree built through the API lists in tree order with depths and
    parent codes, nests with ?format=tree, and ?under= gives the endpoints of a
    whole subtree while ?unit= gives one unit's."""
    admin = admin_client(cau_server())
    units = build_district_tree(admin)
    status, flat, _ = admin.call("GET", "/units")
    assert status == 200
    assert [(u["code"], u["depth"], u["parent_code"]) for u in flat] == [
        ("VN", 0, None), ("LD", 1, "VN"), ("LD-DQ", 2, "LD"), ("LD-DQ-ND", 3, "LD-DQ"),
        ("LD-DQ-PN", 3, "LD-DQ"), ("LD-DQ-PV", 3, "LD-DQ"), ("LD-DQ-TP", 3, "LD-DQ"),
        ("LD-DQ-TT", 3, "LD-DQ")]
    assert flat[2]["child_count"] == 5 and flat[2]["level"] == "huyện"

    status, tree, _ = admin.call("GET", "/units?format=tree")
    assert status == 200 and len(tree) == 1
    province = tree[0]["children"][0]
    assert province["name"] == "Tỉnh Lâm Đồng"
    district = province["children"][0]
    assert [c["name"] for c in district["children"]] == [
        "Xã Ngọc Định", "Xã Phú Ngọc", "Xã Phú Vinh", "Xã Tân Phú", "Thị trấn Định Quán"]
    assert all(c["children"] == [] for c in district["children"])

    add_endpoint(admin, "LD-01", "Hội trường UBND tỉnh Lâm Đồng", units["LD"]["id"], "whip")
    for code, name, _ in DISTRICT_COMMUNES:
        add_endpoint(admin, f"{code}-01", f"Phòng họp {name}", units[code]["id"])
    add_endpoint(admin, "VN-01", "Phòng họp trực tuyến Chính phủ", units["VN"]["id"], "sip")
    status, under, _ = admin.call("GET", f"/endpoints?under={units['LD-DQ']['id']}")
    assert status == 200
    assert [e["code"] for e in under] == sorted(f"{c}-01" for c, _, _ in DISTRICT_COMMUNES)
    _, under_province, _ = admin.call("GET", f"/endpoints?under={units['LD']['id']}")
    assert len(under_province) == 6 and "VN-01" not in [e["code"] for e in under_province]
    _, one_unit, _ = admin.call("GET", f"/endpoints?unit={units['LD']['id']}")
    assert [e["code"] for e in one_unit] == ["LD-01"]
    assert admin.call("GET", "/endpoints?under=99999")[0] == 404
    status, reply, _ = admin.call("GET", "/endpoints?under=abc")
    assert status == 400 and '"under"' in reply["error"]["message"]


def test_two_level_province_with_forty_communes(cau_server):
    """The 2025 shape, province -> 40 communes, created by a CSV import that Excel
    would write (BOM, CRLF, a name with a comma quoted): all 41 created, listed under
    the province."""
    admin = admin_client(cau_server())
    lines = ["code,name,level,parent_code", "LDG,Tỉnh Lâm Đồng,tỉnh,"]
    for i, name in enumerate(COMMUNES, 1):
        level = "phường" if name.startswith("Phường") else "xã"
        quoted = f'"{name}, tỉnh Lâm Đồng"' if i == 1 else name
        lines.append(f"LDG-{i:03d},{quoted},{level},LDG")
    status, reply, _ = post_csv(admin, "/units/import", "\ufeff" + "\r\n".join(lines) + "\r\n")
    assert status == 200, reply
    assert (reply["created"], reply["updated"], reply["errors"]) == (41, 0, [])
    _, tree, _ = admin.call("GET", "/units?format=tree")
    assert len(tree) == 1 and tree[0]["child_count"] == 40
    names = [c["name"] for c in tree[0]["children"]]
    assert names[0] == "Phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng"
    assert sorted(names[1:]) == sorted(COMMUNES[1:])


def test_cycles_are_refused(cau_server):
    """A unit cannot become its own parent (400) nor move under one of its
    descendants (409, the message says it would make a cycle); the tree stays."""
    admin = admin_client(cau_server())
    units = build_district_tree(admin)
    ld = units["LD"]["id"]
    status, reply, _ = admin.call("PATCH", f"/units/{ld}", {"parent_id": ld})
    assert status == 400
    assert reply["error"]["message"] == 'unit "LD" cannot be its own parent'
    status, reply, _ = admin.call("PATCH", f"/units/{ld}",
                                  {"parent_id": units["LD-DQ-TP"]["id"]})
    assert (status, reply["error"]["code"]) == (409, "conflict")
    assert 'cannot move unit "LD" under "LD-DQ-TP"' in reply["error"]["message"]
    assert "cycle" in reply["error"]["message"]
    _, unit, _ = admin.call("GET", f"/units/{ld}")
    assert unit["parent_code"] == "VN"
    # A legal move: the commune goes straight under the province, then to the root.
    status, moved, _ = admin.call("PATCH", f"/units/{units['LD-DQ-TP']['id']}",
                                  {"parent_id": ld, "name": "Xã Tân Phú (mới)"})
    assert (status, moved["depth"], moved["parent_code"]) == (200, 2, "LD")
    status, moved, _ = admin.call("PATCH", f"/units/{units['LD-DQ-TP']['id']}",
                                  {"parent_id": None})
    assert (status, moved["depth"], moved["parent_code"]) == (200, 0, None)


def test_duplicate_codes_conflict(cau_server):
    """A unit or endpoint code that is taken gets 409, on create and on rename."""
    admin = admin_client(cau_server())
    units = build_district_tree(admin)
    status, reply, _ = admin.call("POST", "/units", {"code": "LD", "name": "Lâm Đồng",
                                                     "level": "tỉnh"})
    assert (status, reply["error"]["message"]) == (409, 'a unit with code "LD" exists already')
    status, _, _ = admin.call("PATCH", f"/units/{units['LD-DQ-TP']['id']}", {"code": "LD-DQ"})
    assert status == 409
    add_endpoint(admin, "TP-01", "Phòng họp xã Tân Phú", units["LD-DQ-TP"]["id"])
    status, reply, _ = admin.call("POST", "/endpoints", {
        "code": "TP-01", "name": "Khác", "unit_id": units["LD"]["id"], "kind": "sip"})
    assert (status, reply["error"]["code"]) == (409, "conflict")
    assert len(admin.call("GET", "/endpoints")[1]) == 1


def test_delete_refused_while_in_use_and_audited(cau_server):
    """Deleting a unit with child units or endpoints is refused (409, saying what is
    left); once empty it goes (204, then 404). Each change is in the audit log with
    the code as target."""
    admin = admin_client(cau_server())
    units = build_district_tree(admin)
    endpoint = add_endpoint(admin, "TP-01", "Phòng họp xã Tân Phú", units["LD-DQ-TP"]["id"])
    status, reply, _ = admin.call("DELETE", f"/units/{units['LD-DQ']['id']}")
    assert status == 409
    assert reply["error"]["message"] == ('unit "LD-DQ" still has 5 child units; move or '
                                         'delete them first')
    status, reply, _ = admin.call("DELETE", f"/units/{units['LD-DQ-TP']['id']}")
    assert status == 409 and "1 endpoint;" in reply["error"]["message"]
    assert admin.call("DELETE", f"/endpoints/{endpoint['id']}")[0] == 204
    assert admin.call("DELETE", f"/units/{units['LD-DQ-TP']['id']}")[0] == 204
    assert admin.call("GET", f"/units/{units['LD-DQ-TP']['id']}")[0] == 404
    assert admin.call("DELETE", f"/units/{units['LD-DQ-TP']['id']}")[0] == 404
    _, entries, _ = admin.call("GET", "/audit?limit=5")
    assert [(e["action"], e["target"], e["actor"]) for e in entries[:3]] == [
        ("unit.delete", "LD-DQ-TP", "admin"), ("endpoint.delete", "TP-01", "admin"),
        ("endpoint.create", "TP-01", "admin")]
    _, created, _ = admin.call("GET", "/audit?action=unit.create&limit=1000")
    assert len(created) == 8 and created[-1]["target"] == "VN"
    assert created[-1]["detail"] == {"name": "Chính phủ", "level": "Chính phủ", "parent": None}


def test_endpoint_credential_shown_once(cau_server):
    """The credential comes in the create reply only, is stored as its SHA-256,
    and a reset replaces it: the stored hash then matches the new secret and no
    longer the old one."""
    server = cau_server()
    admin = admin_client(server)
    unit = add_unit(admin, "TP", "Xã Tân Phú", "xã")
    created = add_endpoint(admin, "TP-01", "Phòng họp UBND xã Tân Phú", unit["id"],
                           contact_name="Nguyễn Văn An", contact_phone="+84 263 3822 111")
    secret = created["credential"]
    assert len(secret) == 43 and created["has_credential"] is True
    _, again, _ = admin.call("GET", f"/endpoints/{created['id']}")
    assert "credential" not in again and again["contact_phone"] == "+84 263 3822 111"
    assert all("credential" not in e for e in admin.call("GET", "/endpoints")[1])
    assert db_rows(server, "SELECT credential_hash FROM endpoints") == [(sha256(secret),)]

    status, reset, _ = admin.call("POST", f"/endpoints/{created['id']}/credential")
    assert status == 200 and reset["code"] == "TP-01"
    assert reset["credential"] != secret
    assert db_rows(server, "SELECT credential_hash FROM endpoints") == [
        (sha256(reset["credential"]),)]
    assert admin.call("POST", "/endpoints/999/credential")[0] == 404
    _, entries, _ = admin.call("GET", "/audit?action=endpoint.credential")
    assert [e["target"] for e in entries] == ["TP-01"]
    assert secret not in json.dumps(admin.call("GET", "/audit?limit=1000")[1])


UNITS_WITH_ERRORS = (
    "\ufeffname,code,parent_code,level\r\n"                        # 1: any column order
    "Xã Tân Phú,TP,DQ,xã\r\n"                                      # 2: parent comes later
    "Huyện Định Quán,DQ,LD,huyện\r\n"                              # 3
    "Tỉnh Lâm Đồng,LD,,tỉnh\r\n"                                   # 4
    "\"Xã Phú Ngọc, huyện Định Quán\",PN,DQ,xã\r\n"                # 5: quoted comma
    "\"Ủy ban nhân dân\nxã Ngọc Định\",ND,DQ,xã\r\n"               # 6-7: quoted newline
    "Trùng mã,TP,DQ,xã\r\n"                                        # 8: duplicate code
    "Mồ côi,MC,KHONG-CO,xã\r\n"                                    # 9: missing parent
    "Vòng A,VA,VB,xã\r\n"                                          # 10: cycle
    "Vòng B,VB,VA,xã\r\n"                                          # 11: cycle
    "Thiếu cột,TC,DQ\r\n"                                          # 12: 3 fields
    "Mã sai,có dấu,DQ,xã\r\n"                                      # 13: bad code
)


def test_units_csv_import_reports_bad_rows_by_line(cau_server):
    """Good rows go in (a child before its parent is fine); each bad row is reported
    with its line and reason and left out: duplicate code, missing parent, cycle,
    wrong field count, bad code."""
    admin = admin_client(cau_server())
    status, reply, _ = post_csv(admin, "/units/import", UNITS_WITH_ERRORS)
    assert status == 200
    assert (reply["created"], reply["updated"], reply["unchanged"]) == (5, 0, 0)
    errors = [(e["line"], e["message"]) for e in reply["errors"]]
    assert errors == [
        (8, 'code "TP" appears already on line 2'),
        (9, 'parent "KHONG-CO" is neither in the file nor in the directory'),
        (10, 'the parents would make a cycle: "VA" under "VB" under "VA"'),
        (11, 'the parents would make a cycle: "VA" under "VB" under "VA"'),
        (12, "the row has 3 fields; the header has 4"),
        (13, '"code" must be 1 to 32 of A-Z, a-z, 0-9, \'.\', \'_\', \'-\' (got "có dấu")'),
    ]
    _, flat, _ = admin.call("GET", "/units")
    assert [(u["code"], u["name"]) for u in flat] == [
        ("LD", "Tỉnh Lâm Đồng"), ("DQ", "Huyện Định Quán"),
        ("ND", "Ủy ban nhân dân\nxã Ngọc Định"), ("PN", "Xã Phú Ngọc, huyện Định Quán"),
        ("TP", "Xã Tân Phú")]
    _, entries, _ = admin.call("GET", "/audit?action=unit.import")
    assert entries[0]["detail"] == {"created": 5, "updated": 0, "unchanged": 0, "errors": 6}


def test_endpoints_csv_import_reports_bad_rows_by_line(cau_server):
    """Endpoint rows with a bad kind, an unknown unit, a bad phone or a duplicate
    code are refused by line; the others are created, each with a credential
    shown in the reply; a second import updates instead of creating."""
    admin = admin_client(cau_server())
    add_unit(admin, "TP", "Xã Tân Phú", "xã")
    text = ("code,name,unit_code,kind,contact_name,contact_phone\n"
            "TP-01,Phòng họp UBND xã Tân Phú,TP,browser,Nguyễn Văn An,0263 3822 111\n"
            "TP-02,\"Hội trường, tầng 2\",TP,whip,,\n"
            "TP-03,Máy fax,TP,fax,,\n"
            "TP-04,Phòng họp 4,KHONG-CO,sip,,\n"
            "TP-05,Phòng họp 5,TP,sip,Trần Thị Bình,số máy bàn\n"
            "TP-01,Trùng,TP,sip,,\n")
    status, reply, _ = post_csv(admin, "/endpoints/import", text)
    assert status == 200
    assert reply["created"] == 2
    assert [(e["line"], e["message"].split(" (")[0]) for e in reply["errors"]] == [
        (4, '"kind" must be "browser", "whip" or "sip"'),
        (5, 'unit_code "KHONG-CO": no unit with that code'),
        (6, '"contact_phone" must be 6 to 20 of digits, spaces, \'+\', \'-\', \'(\', \')\''),
        (7, 'code "TP-01" appears already on line 2')]
    assert [c["code"] for c in reply["credentials"]] == ["TP-01", "TP-02"]
    _, listed, _ = admin.call("GET", "/endpoints")
    assert [(e["code"], e["name"], e["contact_name"]) for e in listed] == [
        ("TP-01", "Phòng họp UBND xã Tân Phú", "Nguyễn Văn An"),
        ("TP-02", "Hội trường, tầng 2", None)]
    status, reply, _ = post_csv(admin, "/endpoints/import",
                                "code,name,unit_code,kind\nTP-02,Hội trường lớn,TP,whip\n")
    assert (reply["created"], reply["updated"], reply["credentials"]) == (0, 1, [])


def test_csv_round_trip_is_identical(cau_server):
    """Export -> import -> export gives the same bytes (Vietnamese names, a quoted
    comma, quote and line break); the re-import changes nothing."""
    admin = admin_client(cau_server())
    post_csv(admin, "/units/import", UNITS_WITH_ERRORS)
    ld = next(u for u in admin.call("GET", "/units")[1] if u["code"] == "LD")
    add_endpoint(admin, "TP-01", 'Phòng họp "Tân Phú", tầng 2', ld["id"], "whip",
                 contact_name="Lê Văn Cường", contact_phone="(0263) 3822-111")
    for what, count in (("units", 5), ("endpoints", 1)):
        status, headers, first = get_raw(admin, f"/{what}/export")
        assert status == 200
        assert headers["Content-Type"] == "text/csv; charset=utf-8"
        assert headers["Content-Disposition"] == f'attachment; filename="{what}.csv"'
        assert first.startswith(b"\xef\xbb\xbf") and b"\r\n" in first
        status, reply, _ = post_csv(admin, f"/{what}/import", first)
        assert status == 200
        assert (reply["created"], reply["updated"], reply["unchanged"], reply["errors"]) == (
            0, 0, count, [])
        assert get_raw(admin, f"/{what}/export")[2] == first
    text = get_raw(admin, "/units/export")[2].decode("utf-8-sig")
    assert text.splitlines()[0] == "code,name,level,parent_code"
    assert '"Ủy ban nhân dân\nxã Ngọc Định",xã,DQ\r\n' in text


@pytest.mark.parametrize("body, content_type, status, says", [
    ("code,name\nLD,Lâm Đồng\n", "text/csv", 400, 'column "level" is missing'),
    ("code,name,level,ghi_chu\n", "text/csv", 400, 'unknown column "ghi_chu" (column 4)'),
    ("code,name,level,code\n", "text/csv", 400, 'column "code" appears twice'),
    ("", "text/csv", 400, "the file is empty"),
    ("code,name,level\nLD,T\u1ec9nh L\u00e2m \u0110\u1ed3ng,t\u1ec9nh\n".encode("cp1258",
     errors="replace"), "text/csv", 400, "line 2 is not UTF-8 text"),
    ("code,name,level\n", "application/json", 415, "text/csv"),
    ("code,name,level\n", "text/csv; charset=windows-1258", 415, "must be UTF-8"),
])
def test_unusable_csv_files(cau_server, body, content_type, status, says):
    """A file whose header or encoding is unusable is refused whole with a message
    that says why; nothing is imported."""
    admin = admin_client(cau_server())
    got, reply, _ = post_csv(admin, "/units/import", body, content_type)
    assert got == status
    assert says in reply["error"]["message"]
    assert admin.call("GET", "/units")[1] == []


def test_csv_over_the_body_limit_is_refused(cau_server):
    """An upload over [http] max_body_bytes gets 413 before it is read."""
    admin = admin_client(cau_server({"http": {"max_body_bytes": "2048"}}))
    text = "code,name,level\n" + "".join(f"X{i},Xã số {i},xã\n" for i in range(300))
    status, reply, _ = post_csv(admin, "/units/import", text)
    assert (status, reply["error"]["code"]) == (413, "too_large")
    assert admin.call("GET", "/units")[1] == []


def test_cli_import_export_and_endpoints(cau_server, tmp_path):
    """`cau unit import` prints each bad row as FILE:LINE: reason and exits 1 while
    importing the good rows (the running server sees them); `cau unit export`
    writes what the API exports; `cau endpoint add` prints its credential once;
    `cau endpoint import|list|export` work the same way."""
    server = cau_server()
    admin = admin_client(server)
    config = server.config_path
    units_csv = tmp_path / "don-vi.csv"
    units_csv.write_text(UNITS_WITH_ERRORS, encoding="utf-8")
    result = run_cau("unit", "import", units_csv, "-c", config)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "units: 5 created, 0 updated, 0 unchanged, 6 rows refused"
    refused = result.stderr.splitlines()
    assert refused[0] == f'{units_csv}:8: code "TP" appears already on line 2'
    assert [line.split(":")[1] for line in refused] == ["8", "9", "10", "11", "12", "13"]
    assert [u["code"] for u in admin.call("GET", "/units")[1]] == ["LD", "DQ", "ND", "PN", "TP"]

    exported = tmp_path / "out.csv"
    assert run_cau("unit", "export", exported, "-c", config).returncode == 0
    assert exported.read_bytes() == get_raw(admin, "/units/export")[2]
    again = run_cau("unit", "import", exported, "-c", config)
    assert again.returncode == 0 and "0 created, 0 updated, 5 unchanged, 0 rows refused" in \
        again.stdout
    listing = run_cau("unit", "list", "-c", config)
    assert listing.returncode == 0
    assert "    PN" in listing.stdout and "Xã Phú Ngọc, huyện Định Quán" in listing.stdout

    added = run_cau("endpoint", "add", "TP-01", "--name", "Phòng họp xã Tân Phú", "--unit",
                    "TP", "--kind", "browser", "--contact-phone", "0263 3822 111", "-c", config)
    assert added.returncode == 0, added.stderr
    secret = added.stdout.split('credential "')[1].split('"')[0]
    assert db_rows(server, "SELECT credential_hash FROM endpoints WHERE code = 'TP-01'") == [
        (sha256(secret),)]
    bad = run_cau("endpoint", "add", "TP-02", "--name", "X", "--unit", "KHONG-CO", "--kind",
                  "sip", "-c", config)
    assert bad.returncode == 1 and 'no unit with code "KHONG-CO"' in bad.stderr
    assert run_cau("endpoint", "add", "TP-02", "-c", config).returncode == 2

    endpoints_csv = tmp_path / "diem-cau.csv"
    endpoints_csv.write_text("code,name,unit_code,kind\nTP-02,Hội trường,TP,sip\n"
                             "TP-03,Máy fax,TP,fax\n", encoding="utf-8")
    imported = run_cau("endpoint", "import", endpoints_csv, "-c", config)
    assert imported.returncode == 1
    assert imported.stderr.startswith(f'{endpoints_csv}:3: "kind" must be')
    assert imported.stdout.startswith('endpoint "TP-02": credential "')
    listing = run_cau("endpoint", "list", "-c", config)
    assert [line.split()[1] for line in listing.stdout.splitlines()[1:]] == ["TP-01", "TP-02"]
    exported = run_cau("endpoint", "export", "-c", config)
    # (run_cau reads text, so CRLF arrives as LF)
    assert exported.stdout == get_raw(admin, "/endpoints/export")[2].decode("utf-8").replace(
        "\r\n", "\n")
    _, entries, _ = admin.call("GET", "/audit?action=endpoint.create")
    assert {(e["target"], e["actor"]) for e in entries} == {("TP-01", "system"),
                                                            ("TP-02", "system")}


def test_roles(cau_server):
    """A chair reads units, endpoints and exports but cannot change anything (403);
    without a login everything is 401."""
    server = cau_server()
    admin = admin_client(server)
    units = build_district_tree(admin)
    endpoint = add_endpoint(admin, "TP-01", "Phòng họp", units["LD-DQ-TP"]["id"])
    chair = make_chair(admin, server)
    uid, eid = units["LD"]["id"], endpoint["id"]
    for path in ("/units", "/units?format=tree", f"/units/{uid}", "/units/export",
                 "/endpoints", f"/endpoints?under={uid}", f"/endpoints/{eid}",
                 "/endpoints/export"):
        assert get_raw(chair, path)[0] == 200, path
        assert ApiClient(server).call("GET", path)[0] == 401, path
    writes = [("POST", "/units", {"code": "X", "name": "X", "level": "xã"}),
              ("PATCH", f"/units/{uid}", {"name": "X"}), ("DELETE", f"/units/{uid}", None),
              ("POST", "/endpoints", {"code": "X", "name": "X", "unit_id": uid,
                                      "kind": "sip"}),
              ("PATCH", f"/endpoints/{eid}", {"disabled": True}),
              ("DELETE", f"/endpoints/{eid}", None),
              ("POST", f"/endpoints/{eid}/credential", None)]
    for method, path, body in writes:
        status, reply, _ = chair.call(method, path, body)
        assert (status, reply["error"]["code"]) == (403, "forbidden"), path
        assert "operator" in reply["error"]["message"]
        assert ApiClient(server).call(method, path, body)[0] == 401, path
    for path in ("/units/import", "/endpoints/import"):
        assert post_csv(chair, path, "code,name,level\n")[0] == 403
        assert post_csv(ApiClient(server), path, "code,name,level\n")[0] == 401
    assert admin.call("GET", f"/endpoints/{eid}")[1]["disabled"] is False
    assert len(admin.call("GET", "/units")[1]) == 8


@pytest.mark.parametrize("method, path, body, says", [
    ("POST", "/units", {"code": "LD", "name": "X", "level": "tỉnh", "colour": "red"},
     'unknown field "colour"'),
    ("POST", "/units", {"code": "LD", "name": "X" * 201, "level": "tỉnh"},
     '"name" must have 1 to 200 characters'),
    ("POST", "/units", {"code": "L" * 33, "name": "X", "level": "tỉnh"},
     '"code" must have 1 to 32 characters'),
    ("POST", "/units", {"code": "Lâm Đồng", "name": "X", "level": "tỉnh"},
     '"code" must be 1 to 32 of A-Z'),
    ("POST", "/units", {"code": "LD", "name": "X", "level": "t" * 65},
     '"level" must have 1 to 64 characters'),
    ("POST", "/units", {"code": "LD", "name": " Lâm Đồng", "level": "tỉnh"},
     "must not begin or end with a space"),
    ("POST", "/units", {"code": "LD", "name": "X", "level": "tỉnh", "parent_id": "1"},
     '"parent_id" must be an integer'),
    ("POST", "/units", {"code": "LD", "name": "X", "level": "tỉnh", "parent_id": 404},
     "no unit with id 404"),
    ("POST", "/units", {"name": "X", "level": "tỉnh"}, '"code" is required'),
    ("PATCH", "/units/1", {}, "send a JSON object with any of"),
    ("POST", "/endpoints", {"code": "E", "name": "X", "unit_id": 1, "kind": "fax"},
     '"kind" must be "browser", "whip" or "sip"'),
    ("POST", "/endpoints", {"code": "E", "name": "X", "unit_id": 1, "kind": "sip",
                            "contact_phone": "gọi tôi"}, '"contact_phone" must be 6 to 20'),
    ("POST", "/endpoints", {"code": "E", "name": "X", "unit_id": 1, "kind": "sip",
                            "contact_phone": "0" * 21}, '"contact_phone" must have 0 to 20'),
    ("POST", "/endpoints", {"code": "E", "name": "X", "unit_id": 1, "kind": "sip",
                            "disabled": "no"}, '"disabled" must be a boolean'),
    ("GET", "/units?format=xml", None, '"format" must be "flat" or "tree"'),
])
def test_bad_requests(cau_server, method, path, body, says):
    """Each malformed request gets 400 with a message naming the problem; nothing
    changes."""
    admin = admin_client(cau_server())
    add_unit(admin, "VN", "Chính phủ", "Chính phủ")
    status, reply, _ = admin.call(method, path, body)
    assert (status, reply["error"]["code"]) == (400, "bad_request")
    assert says in reply["error"]["message"]
    assert [u["code"] for u in admin.call("GET", "/units")[1]] == ["VN"]
    assert admin.call("GET", "/endpoints")[1] == []


def test_malformed_json_and_unknown_ids(cau_server):
    """Not JSON -> 400 bad_json; a body without Content-Type -> 415; ids that are
    not numbers or not there -> 404; the server keeps serving."""
    admin = admin_client(cau_server())
    json_header = {"Content-Type": "application/json"}
    status, reply, _ = admin.call("POST", "/units", raw=b'{"code": "LD",', headers=json_header)
    assert (status, reply["error"]["code"]) == (400, "bad_json")
    assert admin.call("POST", "/endpoints", raw=b"[]", headers=json_header)[0] == 400
    assert admin.call("POST", "/units", raw=b'{"code": "LD"}')[0] == 415
    for path in ("/units/abc", "/units/0", "/units/99", "/endpoints/99"):
        status, reply, _ = admin.call("GET", path)
        assert (status, reply["error"]["code"]) == (404, "not_found"), path
    assert admin.call("PATCH", "/endpoints/99", {"name": "X"})[0] == 404
    assert admin.call("PUT", "/units")[0] == 405
    assert admin.call("GET", "/units")[0] == 200
