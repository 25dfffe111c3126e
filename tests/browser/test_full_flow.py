# SPDX-License-Identifier: MIT
"""The whole of a meeting through the web pages (issue 9), in Chromium against a real
server: the operator's console, the chair's and two communes' join pages, the live
room, the recording played back, the PDF, the minutes (see full-flow.mjs for the steps).
Afterwards the server holds what the pages said, and every page's screenshot at
1366×768 and 390 px is a real PNG in CAU_BROWSER_SHOTS (or the test's temp dir)."""

from pathlib import Path

import pytest

from cau_harness import admin_client, initial_password
from page_runner import node_or_skip
from test_console import run_flow, sample_pdf, screenshots_dir
from test_join import PDFJS_DIR

FLOW_TIMEOUT_S = 420
TITLE = "Họp trực tuyến ứng phó bão số 9 — Tỉnh Lâm Đồng"
COMMUNES = [("LD-TP", "Xã Tân Phú", "TP-01", "Phòng họp UBND xã Tân Phú"),
            ("LD-DH", "Xã Đạ Huoai", "DH-01", "Phòng họp UBND xã Đạ Huoai")]
HALL = ("HQ-01", "Hội trường UBND tỉnh Lâm Đồng")
PDF_NAME = "Phương án ứng phó bão số 9.pdf"
MAX_UPLOAD = 64 * 1024  # [materials] max_bytes, low so that a real PDF goes over it


def make_directory(api):
    """The province with its hall and two communes each with a room; returns the hall's id."""
    status, province, _ = api.call("POST", "/units", {"code": "LD", "name": "Tỉnh Lâm Đồng",
                                                      "level": "tỉnh"})
    assert status == 201, province
    status, hall, _ = api.call("POST", "/endpoints", {"code": HALL[0], "name": HALL[1],
                                                      "unit_id": province["id"], "kind": "browser"})
    assert status == 201, hall
    for unit_code, unit_name, code, name in COMMUNES:
        status, unit, _ = api.call("POST", "/units", {"code": unit_code, "name": unit_name,
                                                      "level": "xã", "parent_id": province["id"]})
        assert status == 201, unit
        status, endpoint, _ = api.call("POST", "/endpoints", {"code": code, "name": name,
                                                              "unit_id": unit["id"],
                                                              "kind": "browser"})
        assert status == 201, endpoint
    return hall["id"]


def test_a_meeting_from_start_to_minutes(echo_server, tmp_path):
    node = node_or_skip()
    if not (PDFJS_DIR / "build" / "pdf.js").is_file():
        pytest.skip("pdf.js is missing: tools/install-deps.sh installs libjs-pdf")
    # Four pages with cameras and the server's compositor share two cores with whatever
    # else runs: consent checks get more slack than echo_server's 5 s.
    server = echo_server({"materials": {"max_bytes": str(MAX_UPLOAD)},
                          "ice": {"consent_timeout_s": "20"}})
    api = admin_client(server)
    hall = make_directory(api)
    pdf = tmp_path / PDF_NAME
    # The sample writer's Helvetica has no Vietnamese letters: the text is written
    # without diacritics; the document's name has them.
    pdf.write_bytes(sample_pdf("Phuong an ung pho bao so 9 - Xa Tan Phu, Xa Da Huoai"))
    big = tmp_path / "Bản đồ vùng ngập lụt.pdf"
    big.write_bytes(sample_pdf("Ban do vung ngap lut tinh Lam Dong. " * 4000))
    assert big.stat().st_size > MAX_UPLOAD > pdf.stat().st_size
    shots = screenshots_dir(tmp_path)
    args = {"url": server.url, "password": initial_password(server), "dir": str(shots),
            "pdf": str(pdf), "pdf_name": PDF_NAME, "big_pdf": str(big), "title": TITLE,
            "chair_endpoint": hall, "communes": [c[3] for c in COMMUNES], "chair_name": HALL[1]}
    report = run_flow(node, "full-flow.mjs", args, FLOW_TIMEOUT_S, min_steps=18)

    # What the pages showed is what the server holds.
    mid = report["numbers"]["meeting_id"]
    status, meeting, _ = api.call("GET", f"/meetings/{mid}")
    assert (status, meeting["title"], meeting["state"]) == (200, TITLE, "ended"), meeting
    _, materials, _ = api.call("GET", f"/meetings/{mid}/materials")
    assert [m["name"] for m in materials] == [PDF_NAME]
    _, recordings, _ = api.call("GET", f"/meetings/{mid}/recordings")
    assert [(r["segment"], r["state"], r["started_by"]) for r in recordings] == [
        (1, "complete", f"endpoint/{hall}")], recordings
    assert recordings[0]["duration_ms"] > 3000 and recordings[0]["size"] > 10000, recordings
    _, minutes, _ = api.call("GET", f"/meetings/{mid}/minutes")
    assert [v["version"] for v in minutes] == [1]
    _, audit, _ = api.call("GET", "/audit?action=recording.")
    assert sorted(e["action"] for e in audit) == ["recording.start", "recording.stop"]

    names = {Path(shot).name for shot in report["screenshots"]}
    for page in ["console-form-errors", "console-meeting", "console-live", "console-recordings",
                 "console-minutes", "console-meetings", "join-chair", "join-muted", "join-floor",
                 "join-on-air", "join-pdf"]:
        assert {f"{page}-1366.png", f"{page}-390.png"} <= names, (page, sorted(names))
    for shot in report["screenshots"]:
        data = Path(shot).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10000, shot
