# SPDX-License-Identifier: MIT
"""What the server does for the participant client: /join/TOKEN serves web/join/ with the
console's policy (no referrer, no caching), pdf.js is served from [http] pdfjs_dir at
/vendor/pdfjs/, and neither the log nor /metrics ever holds a token."""

from pathlib import Path

import pytest

from cau_harness import REPO_ROOT, http_get, metrics, raw_request

PDFJS_DIR = Path("/usr/share/javascript/pdf")
# The shape of a real token: 78 characters of unpadded base64url.
TOKEN = "AQAAAAAAAAABAAAAAAAAAAIBAAABmqyJ-4Bx_a3Vd0wgqQ2Z3k9Yp7lB8cR1eT5uI0oP6sD4fG2hJ9"


def test_join_link_serves_the_client_without_referrer_or_cache(cau_server):
    server = cau_server()
    status, headers, body = http_get(f"{server.url}/join/{TOKEN}")
    assert status == 200
    assert body == (REPO_ROOT / "web" / "join" / "index.html").read_bytes()
    assert headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"].startswith("default-src 'self';")
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    for path, kind in [("/join/js/main.js", "text/javascript"), ("/join/join.css", "text/css"),
                       ("/join/i18n/vi.js", "text/javascript"), ("/common/base.css", "text/css"),
                       ("/common/i18n.js", "text/javascript")]:
        status, headers, _ = http_get(server.url + path)
        assert status == 200, path
        assert headers["Content-Type"].startswith(kind), path
    labels = frozenset({("route", "/join/{token}"), ("method", "GET"), ("status", "200")})
    assert metrics(server.url)[("cau_http_requests_total", labels)] == 1


@pytest.mark.parametrize("path", [
    "/join/not.a-token", f"/join/{TOKEN}/more", "/join/" + "a" * 257, f"/join/{TOKEN}%00",
    "/join/..%2f..%2fmeson.build",
])
def test_what_is_not_a_join_link_is_404(cau_server, path):
    server = cau_server()
    status, headers, body = raw_request(server.host, server.port, "GET", path)
    assert status in (400, 404), (path, status)
    assert b"project(" not in body


def test_pdfjs_is_served_from_its_folder(cau_server):
    if not (PDFJS_DIR / "build" / "pdf.js").is_file():
        pytest.skip("pdf.js is missing: tools/install-deps.sh installs libjs-pdf")
    server = cau_server()
    for path in ["/vendor/pdfjs/build/pdf.js", "/vendor/pdfjs/build/pdf.worker.js",
                 "/vendor/pdfjs/web/standard_fonts/FoxitSans.pfb"]:
        status, headers, body = http_get(server.url + path)
        assert status == 200, path
        assert body == (PDFJS_DIR / path.removeprefix("/vendor/pdfjs/")).read_bytes()
        assert headers["Content-Security-Policy"].startswith("default-src 'self';")
    assert "javascript" in http_get(server.url + "/vendor/pdfjs/build/pdf.js")[1]["Content-Type"]
    for path in ["/vendor/pdfjs/../../../../etc/passwd", "/vendor/pdfjs/%2e%2e/%2e%2e/etc/passwd",
                 "/vendor/pdfjsx/build/pdf.js"]:
        status, _, body = raw_request(server.host, server.port, "GET", path)
        assert status in (400, 404), (path, status)
        assert b"root:" not in body


def test_pdfjs_dir_empty_serves_nothing(cau_server):
    server = cau_server({"http": {"pdfjs_dir": ""}})
    status, _, _ = http_get(server.url + "/vendor/pdfjs/build/pdf.js")
    assert status == 404


def test_the_log_never_holds_a_token(cau_server):
    """At debug level every request is logged, a join link as /join/[token]."""
    server = cau_server({"log": {"level": "debug"}})
    assert http_get(f"{server.url}/join/{TOKEN}")[0] == 200
    assert http_get(f"{server.url}/join/{TOKEN}x.y")[0] == 404
    assert server.stop() == 0
    log = server.stderr_text()
    assert "GET /join/[token] -> 200" in log
    assert "GET /join/[token] -> 404" in log
    assert TOKEN not in log
