# SPDX-License-Identifier: MIT
"""The participant client (web/join/) in a real browser against a real server: an
operator prepares a meeting over REST; two communes open their join links in Chromium
with the fake camera and microphone (see join-flow.mjs for the steps); and the
completeness of the client's string tables."""

import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from cau_harness import REPO_ROOT, admin_client, metrics, wait_for
from page_runner import node_or_skip
from test_console import run_flow, sample_pdf, screenshots_dir, string_keys

JOIN_DIR = REPO_ROOT / "web" / "join"
PDFJS_DIR = Path("/usr/share/javascript/pdf")
FLOW_TIMEOUT_S = 480
TITLE = "Họp trực tuyến phòng chống bão số 9"
COMMUNES = [("LD-TP", "Xã Tân Phú", "TP-01", "Phòng họp UBND xã Tân Phú"),
            ("LD-DH", "Xã Đạ Huoai", "DH-01", "Phòng họp UBND xã Đạ Huoai")]
PDF_NAME = "Kế hoạch ứng phó bão số 9.pdf"
CHAIR = ("HQ-01", "Hội trường UBND tỉnh Lâm Đồng")


def prepare_meeting(api):
    """A live meeting inviting the two communes and the province's hall (the chair), with
    one PDF; returns (id, the communes' links, the PDF's size, the chair's link)."""
    status, province, _ = api.call("POST", "/units", {"code": "LD", "name": "Tỉnh Lâm Đồng",
                                                      "level": "tỉnh"})
    assert status == 201, province
    status, hall, _ = api.call("POST", "/endpoints", {"code": CHAIR[0], "name": CHAIR[1],
                                                      "unit_id": province["id"], "kind": "browser"})
    assert status == 201, hall
    units = [province["id"]]
    for unit_code, unit_name, code, name in COMMUNES:
        status, unit, _ = api.call("POST", "/units", {"code": unit_code, "name": unit_name,
                                                      "level": "xã", "parent_id": province["id"]})
        assert status == 201, unit
        status, endpoint, _ = api.call("POST", "/endpoints", {"code": code, "name": name,
                                                              "unit_id": unit["id"],
                                                              "kind": "browser"})
        assert status == 201, endpoint
        units.append(unit["id"])
    now_ms = int(time.time() * 1000)
    status, meeting, _ = api.call("POST", "/meetings", {
        "title": TITLE, "start_at": now_ms + 10 * 60_000, "end_at": now_ms + 70 * 60_000})
    assert status == 201, meeting
    status, reply, _ = api.call("PUT", f"/meetings/{meeting['id']}/invitees", {
        "units": [{"id": unit, "include_descendants": False} for unit in units]})
    assert status == 200, reply
    # The sample writer's Helvetica has no Vietnamese letters: the text is written
    # without diacritics; the document's name has them.
    pdf = sample_pdf("Ke hoach ung pho bao so 9 - Xa Tan Phu, Xa Da Huoai")
    status, material, _ = api.call(
        "POST", f"/meetings/{meeting['id']}/materials?name={quote(PDF_NAME)}", raw=pdf,
        headers={"Content-Type": "application/pdf"})
    assert status == 201, material
    status, reply, _ = api.call("POST", f"/meetings/{meeting['id']}/start")
    assert status == 200 and reply["state"] == "live", reply
    status, chair, _ = api.call("POST", f"/meetings/{meeting['id']}/join-tokens",
                                {"endpoint_id": hall["id"], "role": "chair"})
    assert status == 200 and chair["role"] == "chair", chair
    return meeting["id"], invitation_links(api, meeting["id"]), len(pdf), chair["link"]


def invitation_links(api, meeting_id):
    """The communes' join links, in the order of COMMUNES."""
    status, invitations, _ = api.call("GET", f"/meetings/{meeting_id}/invitations")
    assert status == 200, invitations
    by_name = {i["endpoint"]["name"]: i["link"] for i in invitations["invitations"]}
    return [by_name[name] for *_, name in COMMUNES]


def scheduled_meeting_link(api):
    """A link to tomorrow's meeting of the same communes (its room not open yet)."""
    now_ms = int(time.time() * 1000)
    status, meeting, _ = api.call("POST", "/meetings", {
        "title": "Giao ban tuần", "start_at": now_ms + 86_400_000,
        "end_at": now_ms + 90_000_000})
    assert status == 201, meeting
    status, endpoints, _ = api.call("GET", "/endpoints")
    status, reply, _ = api.call("PUT", f"/meetings/{meeting['id']}/invitees", {
        "endpoints": [e["id"] for e in endpoints]})
    assert status == 200, reply
    return invitation_links(api, meeting["id"])[0]


def test_participant_joins_from_the_link(echo_server, tmp_path):
    """Two communes' pages show the meeting, check their devices, read the PDF in the
    page, join the meeting room with their tokens and hear each other; the chair joins
    with its link and runs the meeting from its panel (mutes one commune, gives the floor
    to the other, whose hand is up); a commune's connection drops and comes back by
    itself; an altered link and the link of an ended meeting get their messages."""
    node = node_or_skip()
    if not (PDFJS_DIR / "build" / "pdf.js").is_file():
        pytest.skip("pdf.js is missing: tools/install-deps.sh installs libjs-pdf")
    server = echo_server({"log": {"level": "debug"}})
    api = admin_client(server)
    meeting_id, links, pdf_size, chair_link = prepare_meeting(api)
    shots = screenshots_dir(tmp_path)
    args = {"url": server.url, "links": links, "endpoints": [c[3] for c in COMMUNES],
            "title": TITLE, "pdf_name": PDF_NAME, "pdf_size": pdf_size,
            "meeting_id": meeting_id, "operator_token": api.token, "dir": str(shots),
            "chair_link": chair_link, "chair_name": CHAIR[1],
            "scheduled_link": scheduled_meeting_link(api)}
    report = run_flow(node, "join-flow.mjs", args, FLOW_TIMEOUT_S, min_steps=32)
    for shot in report["screenshots"]:
        data = Path(shot).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10000, shot

    # The browsers are gone: so are their peers. The server's log never holds a token.
    wait_for(lambda: metrics(server.url)[("cau_transport_peers", frozenset())] == 0, 20,
             message="peers released after the browsers")
    served = metrics(server.url)
    assert served[("cau_http_requests_total", frozenset(
        {("route", "/join/{token}"), ("method", "GET"), ("status", "200")}))] >= 4, served
    server.stop()
    log = server.stderr_text()
    assert "GET /join/[token] -> 200" in log
    for link in [*links, chair_link]:
        assert link.split("/")[-1] not in log


def test_string_tables_are_complete():
    """vi.js and en.js have the same keys, each once; every key the scripts ask for
    literally exists, and those built at run time exist for every value."""
    vi = string_keys(JOIN_DIR / "i18n" / "vi.js")
    en = string_keys(JOIN_DIR / "i18n" / "en.js")
    assert len(vi) == len(set(vi)) and len(en) == len(set(en))
    assert set(vi) == set(en), (set(vi) ^ set(en))
    keys = set(vi)
    sections = {key.split(".")[0] for key in keys}
    used = set()
    for path in [*(JOIN_DIR / "js").glob("*.js"), JOIN_DIR / "index.html"]:
        text = path.read_text(encoding="utf-8")
        for literal in re.findall(r"""['":]([a-z_]+\.[a-z0-9_.]+)['"]""", text):
            if literal.split(".")[0] in sections:
                used.add(literal)
    assert len(used) > 50, len(used)
    assert used - keys == set(), f"used but missing: {sorted(used - keys)}"
    dynamic = {
        "state": ["scheduled", "open", "live", "ended", "cancelled"],
        "role": ["chair", "participant", "viewer"],
        "layout": ["speaker", "grid", "pinned"],
        "quality": ["good", "fair", "poor"],
        "link": [f"{kind}.{part}" for kind in ["invalid", "expired", "ended", "cancelled",
                                               "uninvited", "network"]
                 for part in ["title", "text"]],
    }
    for prefix, values in dynamic.items():
        missing = [f"{prefix}.{v}" for v in values if f"{prefix}.{v}" not in keys]
        assert not missing, missing


def test_markup_has_no_untranslated_text_and_loads_nothing_from_outside():
    """The page's HTML holds no words of its own but the name Cầu and each language's
    name; no script or file names another origin."""
    html = (JOIN_DIR / "index.html").read_text(encoding="utf-8")
    body = html.split("<body>", 1)[1]
    texts = [t.strip() for t in re.findall(r">([^<]+)<", body) if t.strip()]
    assert sorted(texts) == ["Cầu", "English", "Tiếng Việt"], texts
    common = JOIN_DIR.parent / "common"
    for path in [JOIN_DIR / "index.html", JOIN_DIR / "join.css", *(JOIN_DIR / "js").glob("*.js"),
                 *common.glob("*.*")]:
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, path
