# SPDX-License-Identifier: MIT
"""`cau serve` and `cau db` as a user sees them: readiness, HTTP routes and
limits, the WebSocket protocol, signals, configuration layers, first start,
migrations and logging."""

import json
import re
import signal
import socket
import sqlite3
import stat
import time

import pytest
import websocket

from cau_harness import (CLOSE_ABNORMAL, REPO_ROOT, http_get, metrics, raw_request,
                         run_cau, ws_call, ws_close_code, ws_connect, ws_next_event)

HEALTHZ_BODY = {"status": "ok"}
SMALL_BODY_LIMIT = {"http": {"max_body_bytes": "4096"}}
SMALL_WS_LIMIT = {"http": {"ws_max_message_bytes": "2048"}}
EXPECTED_TABLES = {"accounts", "agenda_items", "audit_log", "endpoints", "meeting_invitees",
                   "meeting_series", "meetings", "schema_migrations", "sessions", "units"}


def json_body(body):
    return json.loads(body.decode("utf-8"))


def assert_healthy(server):
    status, _, body = http_get(server.url + "/healthz")
    assert (status, json_body(body)) == (200, HEALTHZ_BODY)


def assert_error(status, headers, body, want_status, want_code):
    assert status == want_status, body
    assert headers["Content-Type"].startswith("application/json")
    assert json_body(body)["error"]["code"] == want_code


def requests_total(samples, route, method, status):
    key = ("cau_http_requests_total",
           frozenset({"route": route, "method": method, "status": str(status)}.items()))
    return samples.get(key, 0)


def chunks(total, size=1024):
    """A body generator of `total` bytes in pieces (sent chunked)."""
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


def post_status(server, size, chunked=False):
    """POSTs `size` bytes to /healthz; returns the status (405 when the body is
    within the limit, since /healthz takes GET only)."""
    body = chunks(size) if chunked else b"x" * size
    status, _, _ = raw_request(server.host, server.port, "POST", "/healthz", body=body,
                               encode_chunked=chunked)
    return status


# --------------------------------------------------------------------------
# Start and plain HTTP
# --------------------------------------------------------------------------


def test_ready_line_and_healthz(cau_server, tmp_path_factory):
    """The server announces `cau: ready http=HOST:PORT` on a free port, answers
    /healthz with 200 {"status":"ok"}, and keeps its database in the data
    directory of its config (a temporary one here, not ./var)."""
    server = cau_server()
    assert server.host == "127.0.0.1" and 0 < server.port < 65536
    assert f"cau: ready http=127.0.0.1:{server.port}" in server.stdout_lines

    status, headers, body = http_get(server.url + "/healthz")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert json_body(body) == HEALTHZ_BODY

    database = server.data_dir / "cau.db"
    assert database.is_file()
    assert str(tmp_path_factory.getbasetemp()) in str(database)
    assert any(f"database sqlite:{database}" in line for line in server.stdout_lines)
    assert not (server.config_path.parent / "var").exists()


def test_metrics_count_requests_by_route(cau_server):
    """/metrics counts /healthz requests exactly, and a 404 under route
    "unmatched"."""
    server = cau_server()
    healthz_calls = 7
    before = metrics(server.url)
    for _ in range(healthz_calls):
        assert_healthy(server)
    http_get(server.url + "/no/such/thing")
    after = metrics(server.url)

    def delta(route, status):
        return (requests_total(after, route, "GET", status) -
                requests_total(before, route, "GET", status))

    assert delta("/healthz", 200) == healthz_calls
    assert delta("unmatched", 404) == 1
    assert delta("/no/such/thing", 404) == 0


def test_unknown_route_is_json_404(cau_server):
    """An unknown route gets 404 with a JSON error whose code is "not_found",
    and the server keeps answering."""
    server = cau_server()
    for method, path in [("GET", "/no/such/route"), ("POST", "/api/nothing"),
                         ("DELETE", "/healthz/extra")]:
        status, headers, body = raw_request(server.host, server.port, method, path, body=b"{}")
        assert_error(status, headers, body, 404, "not_found")
    assert_healthy(server)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_limit_is_413(cau_server, chunked):
    """A request body over [http] max_body_bytes (4096) gets 413 with code
    "too_large", whether its size is announced or sent chunked; the server
    still answers /healthz afterwards."""
    server = cau_server(SMALL_BODY_LIMIT)
    body = chunks(6000) if chunked else b"x" * 6000
    status, headers, reply = raw_request(server.host, server.port, "POST", "/healthz",
                                         body=body, encode_chunked=chunked)
    assert_error(status, headers, reply, 413, "too_large")
    assert_healthy(server)


def test_static_index_is_served(cau_server):
    """`/` serves web/index.html as text/html (the landing page)."""
    server = cau_server()
    status, headers, body = http_get(server.url + "/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert body == (REPO_ROOT / "web" / "index.html").read_bytes()

    status, headers, body = http_get(server.url + "/app.js")
    assert status == 200
    assert "javascript" in headers["Content-Type"]


def test_console_files_are_served_with_their_policy(cau_server):
    """The console's page, modules, string tables and style sheet come with their types
    and with the policy that allows nothing from another origin; `/` links to it."""
    server = cau_server()
    _, _, landing = http_get(server.url + "/")
    assert b'href="/console/"' in landing
    for path, kind in [("/console/", "text/html"), ("/console/js/main.js", "text/javascript"),
                       ("/console/i18n/vi.js", "text/javascript"),
                       ("/console/console.css", "text/css")]:
        status, headers, body = http_get(server.url + path)
        assert status == 200, path
        assert headers["Content-Type"].startswith(kind), (path, headers["Content-Type"])
        assert headers["Content-Security-Policy"].startswith("default-src 'self';"), path
        assert headers["Cache-Control"] == "no-cache"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert body


@pytest.mark.parametrize("path", [
    "/../../../../../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/app.js/../../../../../../../etc/passwd",
    "/../meson.build",
    "/..%2fmeson.build",
    "/..\\meson.build",
])
def test_path_traversal_stays_in_web_root(cau_server, path):
    """A raw path that climbs out of the web root with `..` (plain, percent-
    encoded or with backslashes) never gets a file from outside it."""
    server = cau_server()
    status, _, body = raw_request(server.host, server.port, "GET", path)
    assert status in (400, 404), (status, body[:200])
    assert b"root:" not in body and b"project(" not in body
    assert_healthy(server)


# --------------------------------------------------------------------------
# WebSocket
# --------------------------------------------------------------------------


@pytest.mark.parametrize("request_id", [1, 987654321, "abc", "req-ü-1"])
def test_ws_ping_pong_keeps_id(cau_server, request_id):
    """A ping gets a pong with the same id, integer or string, and the
    server's clock in milliseconds."""
    server = cau_server()
    ws = ws_connect(server)
    try:
        reply = ws_call(ws, {"id": request_id, "method": "ping"})
    finally:
        ws.close()
    assert reply["id"] == request_id
    assert reply["result"]["pong"] is True
    assert abs(reply["result"]["time_ms"] - time.time() * 1000) < 60_000


@pytest.mark.parametrize("message, want_code", [
    ("{not json", "bad_json"),
    ("", "bad_json"),
    ("[1, 2, 3]", "bad_request"),
    ("42", "bad_request"),
    ('{"id": 5}', "bad_request"),
    ('{"id": 6, "method": "no_such_method"}', "unknown_method"),
], ids=["malformed", "empty", "array", "number", "no-method", "unknown-method"])
def test_ws_bad_message_gets_error_and_connection_stays_usable(cau_server, message, want_code):
    """Each bad message gets one error reply with the expected code, and a ping
    on the same connection still works afterwards."""
    server = cau_server()
    ws = ws_connect(server)
    try:
        reply = ws_call(ws, message)
        assert reply["error"]["code"] == want_code
        assert reply["error"]["message"]
        assert "result" not in reply
        assert ws_call(ws, {"id": 2, "method": "ping"})["result"]["pong"] is True
    finally:
        ws.close()
    if want_code == "unknown_method":
        assert reply["id"] == 6
    if want_code == "bad_json":
        assert reply["id"] is None


def test_ws_binary_frame_gets_error(cau_server):
    """A binary message gets an error reply (text) and the connection stays usable."""
    server = cau_server()
    ws = ws_connect(server)
    try:
        ws.send_binary(b'{"id":1,"method":"ping"}')
        reply = json.loads(ws.recv())
        assert reply["id"] is None
        assert reply["error"]["code"] == "bad_request"
        assert ws_call(ws, {"id": 3, "method": "ping"}) == {
            "id": 3, "result": {"pong": True, "time_ms": pytest.approx(time.time() * 1000,
                                                                      abs=60_000)}}
    finally:
        ws.close()


def test_ws_oversized_message_closes_only_that_connection(cau_server):
    """A message over [http] ws_max_message_bytes (2048) ends that connection;
    another open connection and a new one keep working."""
    server = cau_server(SMALL_WS_LIMIT)
    bystander = ws_connect(server)
    offender = ws_connect(server)
    try:
        assert ws_call(offender, {"id": 1, "method": "ping"})["id"] == 1
        offender.send("x" * 3000)
        ws_close_code(offender)  # returns once the connection has ended
        assert ws_call(bystander, {"id": 2, "method": "ping"})["id"] == 2
    finally:
        offender.close()
        bystander.close()
    fresh = ws_connect(server)
    try:
        assert ws_call(fresh, {"id": 3, "method": "ping"})["id"] == 3
    finally:
        fresh.close()


def test_ws_oversized_message_close_code_is_1009(cau_server):
    """A message over ws_max_message_bytes is answered with a close frame
    carrying code 1009 (message too big), so the client learns why."""
    server = cau_server(SMALL_WS_LIMIT)
    ws = ws_connect(server)
    try:
        ws.send("x" * 3000)
        assert ws_close_code(ws) == 1009
    finally:
        ws.close()


def test_ws_fragmented_oversized_message_is_refused(cau_server):
    """A 3000-byte message sent as two 1500-byte fragments is over the 2048
    limit too, and ends the connection like an unfragmented one."""
    server = cau_server(SMALL_WS_LIMIT)
    ws = ws_connect(server)
    try:
        part = b"y" * 1500
        ws.send_frame(websocket.ABNF.create_frame(part, websocket.ABNF.OPCODE_TEXT, fin=0))
        ws.send_frame(websocket.ABNF.create_frame(part, websocket.ABNF.OPCODE_CONT, fin=1))
        assert ws_next_event(ws) in (("close", 1009), ("close", CLOSE_ABNORMAL))
    finally:
        ws.close()


# --------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_server_cleanly(cau_server, sig):
    """SIGTERM and SIGINT stop the server with exit code 0 within 5 s, even with
    a WebSocket client connected."""
    server = cau_server()
    ws = ws_connect(server)
    try:
        assert ws_call(ws, {"id": 1, "method": "ping"})["result"]["pong"] is True
        started = time.monotonic()
        code = server.stop(sig, timeout=10)
        elapsed = time.monotonic() - started
    finally:
        ws.close()
    assert code == 0, server.describe()
    assert elapsed < 5, f"took {elapsed:.2f} s to stop"


# --------------------------------------------------------------------------
# Configuration layers
# --------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [4096, 8192])
def test_max_body_bytes_sets_the_413_threshold(cau_server, limit):
    """[http] max_body_bytes decides which body sizes get 413: exactly the
    limit passes (405 from GET-only /healthz), one byte more is refused."""
    server = cau_server({"http": {"max_body_bytes": str(limit)}})
    assert post_status(server, limit) == 405
    assert post_status(server, limit + 1) == 413
    assert post_status(server, 6000) == (413 if limit < 6000 else 405)


def test_env_var_overrides_config_file(cau_server):
    """CAU_HTTP_MAX_BODY_BYTES overrides [http] max_body_bytes from the file."""
    server = cau_server(SMALL_BODY_LIMIT, env={"CAU_HTTP_MAX_BODY_BYTES": "8192"})
    assert post_status(server, 6000) == 405
    assert post_status(server, 8193) == 413


def test_port_flag_overrides_env_var(cau_server):
    """--port wins over CAU_HTTP_PORT (which names a port already taken here)."""
    with socket.socket() as taken, socket.socket() as probe:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        probe.bind(("127.0.0.1", 0))
        wanted_port = probe.getsockname()[1]
        probe.close()
        env = {"CAU_HTTP_PORT": str(taken.getsockname()[1])}
        server = cau_server(env=env, port=wanted_port)
    assert server.port == wanted_port
    assert_healthy(server)


def test_env_port_is_used_without_flag(cau_server):
    """Without --port, CAU_HTTP_PORT picks the port (so the flag test above
    really tests precedence)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        wanted_port = probe.getsockname()[1]
    server = cau_server(env={"CAU_HTTP_PORT": str(wanted_port)}, port=None)
    assert server.port == wanted_port


def run_serve_expecting_failure(cau_config, overrides=None, env=None):
    config_path, _ = cau_config(overrides)
    started = time.monotonic()
    result = run_cau("serve", "-c", config_path, env=env, timeout=10)
    return config_path, result, time.monotonic() - started


def test_bad_port_value_exits_2_naming_key_and_file(cau_config):
    """`[http] port = abc` stops start-up at once with exit code 2 and a
    message naming the file, the key and the problem."""
    config_path, result, elapsed = run_serve_expecting_failure(
        cau_config, {"http": {"port": "abc"}})
    assert result.returncode == 2, result
    assert elapsed < 3
    assert (f'cau: error: config file {config_path}: [http] port = "abc": not an integer'
            in result.stderr), result.stderr
    assert "ready" not in result.stdout


def test_unknown_key_is_refused(cau_config):
    """A misspelt key (`[http] prot`) is an error naming it, not silently ignored."""
    config_path, result, _ = run_serve_expecting_failure(cau_config, {"http": {"prot": "8080"}})
    assert result.returncode != 0
    assert "[http] prot" in result.stderr and str(config_path) in result.stderr, result.stderr
    assert "ready" not in result.stdout


def test_bad_env_value_names_the_variable(cau_config):
    """CAU_HTTP_PORT=x fails with exit code 2 and names the variable."""
    _, result, _ = run_serve_expecting_failure(cau_config, env={"CAU_HTTP_PORT": "x"})
    assert result.returncode == 2
    assert re.search(r"CAU_HTTP_PORT\b.*not an integer", result.stderr), result.stderr


# --------------------------------------------------------------------------
# First start and the database
# --------------------------------------------------------------------------

FIRST_OPERATOR_RE = re.compile(r'^cau: first operator created: user "admin", '
                               r'password "(?P<password>[^"]+)"$')


def test_first_start_creates_operator_once(cau_server):
    """The first start prints the operator's password and writes it to a 0600
    file; a second start on the same data directory creates no new password
    and says where the first one is."""
    first = cau_server()
    matches = [m for m in map(FIRST_OPERATOR_RE.match, first.stdout_lines) if m]
    assert len(matches) == 1, first.stdout_lines
    password_file = first.data_dir / "initial-operator-password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    content = password_file.read_text()
    assert content == f"user: admin\npassword: {matches[0]['password']}\n"
    assert first.stop() == 0
    file_state = (password_file.stat().st_mtime_ns, password_file.stat().st_ino)

    second = cau_server(data_dir=first.data_dir)
    assert not any(FIRST_OPERATOR_RE.match(line) for line in second.stdout_lines)
    assert (f'cau: first operator "admin": initial password in {password_file}'
            in second.stdout_lines), second.stdout_lines
    assert password_file.read_text() == content
    assert (password_file.stat().st_mtime_ns, password_file.stat().st_ino) == file_state


def parse_db_output(stdout):
    migrations = re.findall(r"^migration (\d{4}) (\S+)\s+(applied|pending)", stdout, re.M)
    tables = re.search(r"^tables:(.*)$", stdout, re.M)
    schema = re.search(r"^schema: (.*)$", stdout, re.M)
    return migrations, set(tables[1].split()) if tables else set(), schema and schema[1]


def test_db_migrate_then_status(cau_config):
    """`cau db migrate` on a fresh data directory applies migration 0001 and
    lists the tables; `cau db status` then reports the schema up to date; the
    SQLite file really holds those tables."""
    config_path, data_dir = cau_config()
    for command in ("migrate", "status"):
        result = run_cau("db", command, "-c", config_path)
        assert result.returncode == 0, result.stderr
        migrations, tables, schema = parse_db_output(result.stdout)
        assert ("0001", "init", "applied") in migrations, result.stdout
        assert EXPECTED_TABLES <= tables, result.stdout
        assert schema == "up to date", result.stdout

    with sqlite3.connect(data_dir / "cau.db") as db:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master "
                                              "WHERE type = 'table'")}
        versions = [row[0] for row in db.execute("SELECT version FROM schema_migrations")]
    assert EXPECTED_TABLES <= names
    assert 1 in versions


def test_db_status_on_fresh_dir_reports_pending(cau_config):
    """`cau db status` before any migration says 0001 is pending and tells
    the user to run `cau db migrate`."""
    config_path, _ = cau_config()
    result = run_cau("db", "status", "-c", config_path)
    assert result.returncode == 0, result.stderr
    migrations, _, schema = parse_db_output(result.stdout)
    assert ("0001", "init", "pending") in migrations, result.stdout
    assert "cau db migrate" in schema


# --------------------------------------------------------------------------
# Logging
# --------------------------------------------------------------------------


def stderr_after_stop(server):
    assert_healthy(server)
    assert server.stop() == 0
    return [line for line in server.stderr_text().splitlines() if line.strip()]


def test_json_log_format(cau_server):
    """[log] format = json writes every stderr line as a JSON object with ts,
    level, domain and msg."""
    lines = stderr_after_stop(cau_server({"log": {"format": "json"}}))
    assert lines, "no log line at all"
    records = [json.loads(line) for line in lines]
    for record in records:
        assert isinstance(record, dict)
        assert {"ts", "level", "domain", "msg"} <= record.keys(), record
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", record["ts"]), record
    assert any(r["level"] == "info" and "listening" in r["msg"] for r in records), records


def test_log_level_error_hides_info(cau_server):
    """[log] level = error hides the info lines that the default level shows."""
    default_lines = stderr_after_stop(cau_server())
    assert any(" INFO " in line for line in default_lines), default_lines
    quiet_lines = stderr_after_stop(cau_server({"log": {"level": "error"}}))
    assert not any(" INFO " in line for line in quiet_lines), quiet_lines
    assert quiet_lines == []
