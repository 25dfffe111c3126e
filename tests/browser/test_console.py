# SPDX-License-Identifier: MIT
"""The operator console (web/console/) in a real browser against a real server, and the
completeness of its string tables."""

import importlib.util
import json
import os
import re
import subprocess
from pathlib import Path

from cau_harness import REPO_ROOT, ApiClient, initial_password
from page_runner import BROWSER_DIR, node_env, node_or_skip

CONSOLE_DIR = REPO_ROOT / "web" / "console"
SAMPLES = REPO_ROOT / "tests" / "fuzz" / "corpus" / "filetype"
FLOW_TIMEOUT_S = 150

UNITS_CSV = """code,name,level,parent_code
LD,Tỉnh Lâm Đồng,tỉnh,
LD-TP,Xã Tân Phú,xã,LD
LD-DH,Xã Đạ Huoai,xã,LD
LD-BL,Phường Bảo Lộc,phường,LD
LD-LT,Xã Lộc Thành,xã,KHONG-CO
"""

ENDPOINTS_CSV = """code,name,unit_code,kind,contact_phone
BL-01,Phòng họp UBND phường Bảo Lộc,LD-BL,browser,0263 3864 012
BL-02,Phòng họp dự phòng,LD-BL,zoom,
"""


def sample_pdf(text):
    """A real one-page PDF (tools/make-sample-materials.py's writer) holding `text`."""
    spec = importlib.util.spec_from_file_location(
        "make_sample_materials", REPO_ROOT / "tools" / "make-sample-materials.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pdf(text)


def screenshots_dir(tmp_path):
    """Where a flow writes its screenshots: CAU_BROWSER_SHOTS (make test keeps them in
    build/tests/screenshots) or the test's temp dir."""
    shots = Path(os.environ.get("CAU_BROWSER_SHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def run_flow(node, script, args, timeout_s, min_steps):
    """Runs tests/browser/SCRIPT (playwright-core) with ARGS as JSON, prints its steps,
    and returns its report (its last JSON line); fails the test unless every step passed
    and at least MIN_STEPS ran."""
    result = subprocess.run([node, str(BROWSER_DIR / script), json.dumps(args)],
                            cwd=BROWSER_DIR, env=node_env(), stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=timeout_s)
    print(result.stdout)  # the steps and numbers, for the log
    reports = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert reports, f"no report (exit {result.returncode})\n{result.stdout}\n{result.stderr}"
    report = json.loads(reports[-1])
    assert report.get("error") is None, f"{report.get('error')}\nscreenshots in {args['dir']}"
    assert report["errors"] == [], report["errors"]
    assert report["ok"] and result.returncode == 0, report
    assert len(report["steps"]) >= min_steps, report["steps"]
    return report


def test_operator_console_flow(cau_server, tmp_path):
    """An operator works through every page of the console (see console-flow.mjs for
    the steps): each step asserts what the page shows. Afterwards the API agrees with
    what the page said, and the screenshots are real PNGs."""
    node = node_or_skip()
    server = cau_server({"auth": {"max_failed_logins": "3"}})
    shots = screenshots_dir(tmp_path)
    units_csv = tmp_path / "don-vi.csv"
    units_csv.write_text(UNITS_CSV, encoding="utf-8")
    endpoints_csv = tmp_path / "diem-cau.csv"
    endpoints_csv.write_text(ENDPOINTS_CSV, encoding="utf-8")
    # About 3 MB, so that the upload reports progress on the way.
    pdf = tmp_path / "Báo cáo KT-XH năm 2025.pdf"
    pdf.write_bytes(sample_pdf("Bao cao tinh hinh kinh te - xa hoi nam 2025. " * 70000))
    args = {"url": server.url, "password": initial_password(server), "dir": str(shots),
            "pdf": str(pdf), "pdf_size": pdf.stat().st_size, "units_csv": str(units_csv),
            "endpoints_csv": str(endpoints_csv),
            "refused": str(SAMPLES / "refused-old-office.doc")}
    report = run_flow(node, "console-flow.mjs", args, FLOW_TIMEOUT_S, min_steps=30)

    # What the page showed is what the server holds.
    api = ApiClient(server)
    api.login("admin", "Mat-khau-moi-2025")
    _, units, _ = api.call("GET", "/units")
    assert sorted((u["code"], u["name"]) for u in units) == [
        ("LD", "Tỉnh Lâm Đồng"), ("LD-DH", "Xã Đạ Huoai"), ("LD-TP", "Xã Tân Phú")]
    _, endpoints, _ = api.call("GET", "/endpoints")
    assert sorted(e["code"] for e in endpoints) == ["DH-01"]
    _, meetings, _ = api.call("GET", "/meetings?state=ended,cancelled")
    assert sorted((m["title"], m["state"]) for m in meetings if not m["series_id"]) == [
        ("Họp giao ban UBND tỉnh tháng 12", "ended"),
        ("Họp trực tuyến phòng chống bão số 9", "cancelled")]
    ended = next(m for m in meetings if m["state"] == "ended")
    _, ended, _ = api.call("GET", f"/meetings/{ended['id']}")
    assert [i["title"] for i in ended["agenda"]] == [
        "Thảo luận và kết luận", "Báo cáo tình hình kinh tế - xã hội"]
    _, materials, _ = api.call("GET", f"/meetings/{ended['id']}/materials")
    assert [(m["name"], m["version"], m["type"]) for m in materials] == [
        ("Báo cáo KT-XH năm 2025.pdf", 2, "pdf")]
    _, accounts, _ = api.call("GET", "/accounts")
    assert [a["disabled"] for a in accounts if a["username"] == "chutri.lamdong"] == [True]

    for shot in report["screenshots"]:
        data = Path(shot).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10000, shot


def string_keys(path):
    return re.findall(r"^\s*'([^']+)':", path.read_text(encoding="utf-8"), re.MULTILINE)


def test_string_tables_are_complete():
    """vi.js and en.js have the same keys, each once; every key the scripts ask for
    literally exists; keys built at run time exist for every value they can take."""
    vi = string_keys(CONSOLE_DIR / "i18n" / "vi.js")
    en = string_keys(CONSOLE_DIR / "i18n" / "en.js")
    assert len(vi) == len(set(vi)) and len(en) == len(set(en))
    assert set(vi) == set(en), (set(vi) ^ set(en))
    keys = set(vi)
    # Every literal that looks like a key of the tables ("section.name"), wherever it
    # stands: t('...'), the navigation table, both sides of a conditional.
    sections = {key.split(".")[0] for key in keys}
    used = set()
    for script in (CONSOLE_DIR / "js").rglob("*.js"):
        for literal in re.findall(r"'([a-z_]+\.[a-z0-9_.]+)'", script.read_text(encoding="utf-8")):
            if literal.split(".")[0] in sections:
                used.add(literal)
    assert len(used) > 250, len(used)
    assert used - keys == set(), f"used but missing: {sorted(used - keys)}"
    dynamic = {
        "state": ["scheduled", "open", "live", "ended", "cancelled"],
        "role": ["operator", "chair"], "kind": ["browser", "whip", "sip"],
        "layout": ["speaker", "grid", "pinned"], "recording": ["none", "manual", "auto"],
        "day": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
        "attendance.status": ["online", "in_person", "absent"],
        "meetings.filter": ["upcoming", "past", "all"], "meeting.done": ["start", "end", "cancel"],
        "live.state": ["open", "locked", "closed"],
        "live.role": ["chair", "participant", "viewer", "operator"],
        "live.link": ["new", "connecting", "connected", "failed", "closed"],
        "recordings.state": ["recording", "complete", "failed", "deleted"],
        "error": ["bad_json", "bad_request", "unauthorized", "forbidden", "not_found",
                  "method_not_allowed", "conflict", "too_large", "unsupported_media_type",
                  "range_not_satisfiable", "locked", "internal", "network", "upload_failed", "http"],
    }
    for prefix, values in dynamic.items():
        missing = [f"{prefix}.{v}" for v in values if f"{prefix}.{v}" not in keys]
        assert not missing, missing
    assert {"csv.import_units", "csv.import_endpoints"} <= keys


def test_markup_has_no_untranslated_text():
    """The console's HTML holds no visible words of its own except language-neutral
    ones (the name Cầu, each language's own name): everything else comes from the
    tables through data-i18n."""
    html = (CONSOLE_DIR / "index.html").read_text(encoding="utf-8")
    body = html.split("<body>", 1)[1]
    texts = [t.strip() for t in re.findall(r">([^<]+)<", body) if t.strip()]
    assert sorted(texts) == ["Cầu", "English", "Tiếng Việt"], texts
    assert "http://" not in html and "https://" not in html  # nothing from outside
