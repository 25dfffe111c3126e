# SPDX-License-Identifier: MIT
"""Shared fixtures of the integration and browser suites: a private network
namespace, a real `cau serve` on port 0 and small HTTP/CLI helpers.

Environment contract (set by meson when it runs the suites):
  CAU_TEST_BINARY      absolute path of the built `cau` (default: <repo>/build/cau)
  CAU_TEST_SOURCE_DIR  the repository root (default: derived from this file)

Test modules import the helpers as `from cau_harness import ...`: this file
registers itself under that name, and tests/browser/conftest.py loads it under
the same name when the integration suite is not collected.
"""

import ctypes
import errno
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websocket

__all__ = [
    # constants and classes
    "CAU_TEST_BINARY", "STORE_BACKEND", "CLONE_NEWNET", "CLOSE_ABNORMAL", "CauServer", "NetNamespace", "REPO_ROOT",
    # fixtures and hooks
    "cau_config", "cau_server", "echo_server", "netns", "pytest_sessionfinish",
    "pytest_runtest_makereport",
    # helpers
    "ApiClient", "admin_client", "initial_password", "admin_path", "http_get", "http_post", "http_request", "metrics", "parse_metrics",
    "raw_request", "run_cau", "server_env", "write_config", "ws_call", "ws_close_code",
    "ws_connect", "ws_next_event", "ws_wait_event", "wait_for", "ICE_ADDRESS", "SYSTEM_PYTHON",
]

sys.modules.setdefault("cau_harness", sys.modules[__name__])

REPO_ROOT = Path(os.environ.get("CAU_TEST_SOURCE_DIR") or Path(__file__).resolve().parents[2])
CAU_TEST_BINARY = Path(os.environ.get("CAU_TEST_BINARY") or REPO_ROOT / "build" / "cau")

CLONE_NEWNET = 0x40000000
READY_TIMEOUT_S = 20
STOP_TIMEOUT_S = 10
READY_RE = re.compile(r"^cau: ready http=(?P<host>\[[^\]]+\]|[^:]+):(?P<port>\d+)$")

# In CI (.ci/run sets CAU_TEST_NO_SKIP=1) every test must run: meson counts a pytest file
# whose tests were skipped as passed, so a skip there would hide a test that never ran.
NO_SKIP = os.environ.get("CAU_TEST_NO_SKIP") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Turns a skip into a failure when NO_SKIP is set, keeping the skip's reason."""
    outcome = yield
    report = outcome.get_result()
    if NO_SKIP and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, but CAU_TEST_NO_SKIP=1 wants every test run: {reason}"


# Fast password hashing: the defaults take a noticeable fraction of a second.
FAST_ARGON2 = {"argon2_time_cost": "1", "argon2_memory_kib": "8192", "argon2_parallelism": "1"}


# --------------------------------------------------------------------------
# Network namespace
# --------------------------------------------------------------------------


class NetNamespace:
    """A private network namespace holding `lo` and an `ifb` device that carries
    127.0.0.2/32 (see shared TESTING.md), entered by this very process."""

    DEVICE = "cau0"
    SECOND_ADDRESS = "127.0.0.2"

    def __init__(self, name):
        self.name = name
        self._original_fd = None
        self._entered = False
        self.original_inode = None  # of the namespace pytest started in

    @classmethod
    def create(cls):
        """Creates and enters a fresh namespace; raises RuntimeError naming the
        step that failed (the namespace is removed again in that case)."""
        ns = cls(f"cau-test-{os.getpid()}-{secrets.token_hex(3)}")
        try:
            ns._build()
            ns._enter()
        except BaseException:
            ns.close()
            raise
        return ns

    def _ip(self, *args):
        run_checked(["ip", *args])

    def _build(self):
        if os.geteuid() != 0:
            raise RuntimeError(f"not root (euid {os.geteuid()}): cannot create a network namespace")
        if not shutil.which("ip", path=admin_path()):
            raise RuntimeError("the `ip` command (iproute2) is missing")
        self._ip("netns", "add", self.name)
        self._ip("-n", self.name, "link", "set", "lo", "up")
        self._ip("-n", self.name, "link", "add", self.DEVICE, "type", "ifb")
        run_checked(["ip", "netns", "exec", self.name, "sysctl", "-qw",
                     f"net.ipv6.conf.{self.DEVICE}.disable_ipv6=1"])
        self._ip("-n", self.name, "addr", "add", f"{self.SECOND_ADDRESS}/32", "dev", self.DEVICE)
        self._ip("-n", self.name, "link", "set", self.DEVICE, "up")

    def _enter(self):
        # setns(2) moves only the calling thread; pytest runs fixtures on the
        # main thread, and every socket and subprocess comes from it.
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("setns must be called from the main thread")
        self._original_fd = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        self.original_inode = os.fstat(self._original_fd).st_ino
        target_fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY | os.O_CLOEXEC)
        try:
            setns(target_fd, CLONE_NEWNET)
        finally:
            os.close(target_fd)
        self._entered = True

    def close(self):
        """Returns to the original namespace and deletes this one."""
        if self._entered:
            setns(self._original_fd, CLONE_NEWNET)
            self._entered = False
        if self._original_fd is not None:
            os.close(self._original_fd)
            self._original_fd = None
        if Path(f"/run/netns/{self.name}").exists():
            subprocess.run(["ip", "netns", "del", self.name], check=False,
                           env=dict(os.environ, PATH=admin_path()),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def setns(fd, nstype):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, nstype) != 0:
        err = ctypes.get_errno()
        raise RuntimeError(f"setns({nstype:#x}) failed: {errno.errorcode.get(err, err)} "
                           f"({os.strerror(err)})")


def print_uncaptured(config, text):
    """Prints to the real stderr even while pytest captures output."""
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        print(text, file=sys.stderr)
        return
    with capture.global_and_fixture_disabled():
        print(text, file=sys.stderr)


def admin_path():
    """PATH plus the sbin folders, where `ip` and `sysctl` live on Debian."""
    return os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def run_checked(argv):
    env = dict(os.environ, PATH=admin_path())
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            timeout=30, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv)}` exited {result.returncode}: "
                           f"{result.stderr.strip()}")


@pytest.fixture(scope="session", autouse=True)
def netns(request):
    """The session's network namespace, entered by the pytest process itself.

    Both suites load this fixture (each through its own conftest), so the one
    namespace is kept on the pytest config and removed at the end of the run."""
    state = getattr(request.config, "_cau_netns", None)
    if state is None:
        try:
            state = NetNamespace.create()
            request.config.add_cleanup(state.close)
        except (RuntimeError, OSError, subprocess.SubprocessError) as failure:
            state = f"cannot set up the test network namespace: {failure}"
            print_uncaptured(request.config, f"\nSKIP (all tests): {state}")
        request.config._cau_netns = state
    if isinstance(state, str):
        pytest.skip(state)
    return state


# --------------------------------------------------------------------------
# Configuration and the server
# --------------------------------------------------------------------------


def write_config(path, sections):
    """Writes a GKeyFile from {section: {key: value}}; returns the path."""
    lines = []
    for section, keys in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {value}" for key, value in keys.items())
        lines.append("")
    Path(path).write_text("\n".join(lines), encoding="utf-8")
    return Path(path)


def merge_sections(base, overrides):
    merged = {section: dict(keys) for section, keys in base.items()}
    for section, keys in (overrides or {}).items():
        merged.setdefault(section, {}).update(keys)
    return merged


def server_env(extra=None):
    """The environment for a `cau` child: ours without any CAU_* variable
    (the server reads CAU_SECTION_KEY as configuration, so a developer's
    exported CAU_HTTP_PORT must not leak into a test), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAU_")}
    env.update(extra or {})
    return env


# Which database the servers of this run use: "sqlite" (a file in the data dir) or
# "postgres" (a fresh database per data dir on the server tests/pg/pg-run.sh started;
# meson runs the control-plane test files once each way).
STORE_BACKEND = os.environ.get("CAU_TEST_STORE", "sqlite")
_pg_databases = {}


def postgres_database_for(data_dir):
    """The URL of a PostgreSQL database of its own for `data_dir` (created on first
    use, so a restarted server on the same data dir finds its data again)."""
    key = str(data_dir)
    if key in _pg_databases:
        return _pg_databases[key]
    admin_url = os.environ.get("CAU_TEST_PG_URL")
    host = os.environ.get("CAU_TEST_PG_HOST")
    if not admin_url or not host:
        pytest.fail("CAU_TEST_STORE=postgres but no test server: run under tests/pg/pg-run.sh")
    name = f"cau_{secrets.token_hex(6)}"
    subprocess.run(["psql", admin_url, "-v", "ON_ERROR_STOP=1", "-q", "-c",
                    f"CREATE DATABASE {name}"], check=True, capture_output=True)
    _pg_databases[key] = f"postgresql:///{name}?host={host}&user=postgres"
    return _pg_databases[key]


@pytest.fixture
def cau_config(tmp_path_factory):
    """Factory: cau_config(overrides=None, data_dir=None) -> (config path, data dir).

    The base config keeps every file in a temporary folder, serves <repo>/web
    and hashes passwords with small Argon2 costs."""

    def make(overrides=None, data_dir=None):
        folder = tmp_path_factory.mktemp("cau")
        data_dir = Path(data_dir) if data_dir else folder / "data"
        base = {
            "http": {"host": "127.0.0.1", "web_root": str(REPO_ROOT / "web")},
            "data": {"dir": str(data_dir)},
            "auth": dict(FAST_ARGON2),
        }
        if STORE_BACKEND == "postgres":
            base["store"] = {"url": postgres_database_for(data_dir)}
        path = write_config(folder / "cau.conf", merge_sections(base, overrides))
        return path, data_dir

    return make


class CauServer:
    """One running `cau serve`, started and stopped by the harness."""

    def __init__(self, proc, config_path, data_dir, stderr_path):
        self.proc = proc
        self.config_path = config_path
        self.data_dir = data_dir
        self.stderr_path = stderr_path
        self.stdout_lines = []
        self.host = None
        self.port = None
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self):
        return f"ws://{self.host}:{self.port}/ws"

    def _read_stdout(self):
        for raw in self.proc.stdout:
            line = raw.rstrip("\n")
            self.stdout_lines.append(line)
            match = READY_RE.match(line)
            if match and not self._ready.is_set():
                self.host = match["host"]
                self.port = int(match["port"])
                self._ready.set()
        self._ready.set()  # end of output: wake the waiter

    def wait_ready(self, timeout=READY_TIMEOUT_S):
        """Waits for the readiness line; fails with the server's output if the
        line does not come (exit or time-out)."""
        self._ready.wait(timeout)
        if self.port is None:
            state = (f"exited with code {self.proc.poll()}" if self.proc.poll() is not None
                     else f"printed no ready line within {timeout} s")
            pytest.fail(f"cau serve {state}\n{self.describe()}")

    def stderr_text(self):
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def describe(self):
        stdout = "\n".join(self.stdout_lines)
        return f"--- stdout ---\n{stdout}\n--- stderr ---\n{self.stderr_text()}"

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT_S):
        """Sends `sig` and waits; returns the exit code. Kills and fails if the
        server does not stop within `timeout` seconds."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._reader.join(5)
                pytest.fail(f"cau serve did not stop within {timeout} s of "
                            f"{signal.Signals(sig).name}; killed\n{self.describe()}")
        self._reader.join(5)
        return self.proc.returncode


@pytest.fixture
def cau_server(cau_config, tmp_path_factory):
    """Factory that starts `cau serve` and waits until it is ready.

    cau_server(overrides=None, args=(), env=None, data_dir=None, port=0,
               wait=True) -> CauServer
    `overrides` is {section: {key: value}} over the base config; `port=None`
    leaves out `--port`; `env` adds variables. Every server still running at
    the end of the test gets SIGTERM (then SIGKILL and a failure after 10 s)."""
    started = []

    def start(overrides=None, args=(), env=None, data_dir=None, port=0, wait=True):
        config_path, data_dir = cau_config(overrides, data_dir)
        workdir = config_path.parent
        argv = [str(CAU_TEST_BINARY), "serve", "-c", str(config_path)]
        if port is not None:
            argv += ["--port", str(port)]
        argv += list(args)
        stderr_path = workdir / "stderr.log"
        with open(stderr_path, "w", encoding="utf-8") as stderr_file:
            proc = subprocess.Popen(argv, cwd=workdir, env=server_env(env),
                                    encoding="utf-8", errors="replace",
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=stderr_file)
        server = CauServer(proc, config_path, data_dir, stderr_path)
        started.append(server)
        if wait:
            server.wait_ready()
        return server

    if not CAU_TEST_BINARY.is_file():
        pytest.fail(f"no cau binary at {CAU_TEST_BINARY} (build it, or set CAU_TEST_BINARY)")
    yield start
    failures = []
    for server in started:
        try:
            server.stop()
        except pytest.fail.Exception as failure:
            failures.append(str(failure))
    if failures:
        pytest.fail("\n".join(failures))


# ICE candidates are gathered on the namespace's second loopback address (TESTING.md):
# libnice, aioice and Chromium refuse 127.0.0.1 itself.
ICE_ADDRESS = NetNamespace.SECOND_ADDRESS
# Debian's interpreter, which has the WebRTC bindings (gi, aiortc).
SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture
def echo_server(cau_server):
    """Factory: echo_server(overrides=None, **kwargs) -> CauServer ready for WebRTC peers
    (candidates on ICE_ADDRESS, short consent and connect timeouts)."""

    def start(overrides=None, **kwargs):
        base = {"ice": {"addresses": ICE_ADDRESS, "consent_timeout_s": "5",
                        "connect_timeout_s": "20"},
                "transport": {"workers": "2"}}
        return cau_server(merge_sections(base, overrides), **kwargs)

    return start


def wait_for(predicate, timeout, interval=0.1, message="condition"):
    """Polls predicate() until it returns a true value (returned) or fails the test."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def run_cau(*args, env=None, timeout=20, cwd=None, input=None):
    """Runs a `cau` command line to completion; returns the CompletedProcess
    (text stdout/stderr). `env` adds variables to a CAU_*-free environment;
    `input` is sent on stdin (else stdin is empty)."""
    return subprocess.run([str(CAU_TEST_BINARY), *map(str, args)], env=server_env(env), cwd=cwd,
                          input=input if input is not None else "", stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout)


# --------------------------------------------------------------------------
# HTTP helpers
# --------------------------------------------------------------------------

# No proxy from the environment: every request goes straight to the server.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_request(method, url, body=None, headers=None, timeout=10):
    """Sends one request; returns (status, headers, body bytes) for any status."""
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def http_get(url, headers=None, timeout=10):
    return http_request("GET", url, headers=headers, timeout=timeout)


def http_post(url, body=b"", headers=None, timeout=10):
    return http_request("POST", url, body=body, headers=headers, timeout=timeout)


class ApiClient:
    """A client of the REST API at /api/v1 that keeps a bearer token."""

    def __init__(self, server, token=None):
        self.base = server.url + "/api/v1"
        self.token = token

    def call(self, method, path, body=None, token=None, headers=None, raw=None):
        """Sends `body` as JSON (or `raw` bytes as they are); returns (status, parsed
        JSON or None, response headers). `token` overrides the client's; "" sends none."""
        headers = dict(headers or {})
        token = self.token if token is None else token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        status, response_headers, payload = http_request(method, self.base + path, body=data,
                                                         headers=headers)
        parsed = json.loads(payload) if payload and response_headers.get(
            "Content-Type", "").startswith("application/json") else None
        return status, parsed, response_headers

    def login(self, username, password):
        """Logs in, keeps the token and returns the reply."""
        status, reply, _ = self.call("POST", "/auth/login",
                                     {"username": username, "password": password}, token="")
        assert status == 200, reply
        self.token = reply["token"]
        return reply


def initial_password(server):
    """The first operator's password, from the file the server keeps in its data dir."""
    text = (server.data_dir / "initial-operator-password").read_text(encoding="utf-8")
    return dict(line.split(": ", 1) for line in text.splitlines())["password"]


def admin_client(server):
    """An ApiClient logged in as the first operator, "admin"."""
    client = ApiClient(server)
    client.login("admin", initial_password(server))
    return client


_SAMPLE_RE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})?\s+"
                        r"(?P<value>\S+)(?:\s+\d+)?$")
_LABEL_RE = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


def _unescape_label(value):
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], value)


def parse_metrics(text):
    """Parses Prometheus text into {(name, frozenset(label items)): float}."""
    samples = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = _SAMPLE_RE.match(line)
        if not match:
            raise ValueError(f"not a Prometheus sample line: {line!r}")
        labels = {k: _unescape_label(v) for k, v in _LABEL_RE.findall(match["labels"] or "")}
        samples[(match["name"], frozenset(labels.items()))] = float(match["value"])
    return samples


def metrics(url):
    """GETs `url`/metrics and parses it (see parse_metrics)."""
    status, _, body = http_get(url.rstrip("/") + "/metrics")
    assert status == 200, f"/metrics answered {status}: {body[:200]!r}"
    return parse_metrics(body.decode("utf-8"))


def raw_request(host, port, method, path, body=None, headers=None, encode_chunked=False,
                timeout=10):
    """Sends `path` exactly as given (no normalisation) with http.client;
    returns (status, headers, body bytes)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {},
                     encode_chunked=encode_chunked)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


# --------------------------------------------------------------------------
# WebSocket helpers
# --------------------------------------------------------------------------

CLOSE_ABNORMAL = 1006  # what a browser reports when no close frame arrives


def ws_connect(server, timeout=5):
    """Opens a WebSocket to `server`'s /ws (no proxy)."""
    return websocket.create_connection(server.ws_url, timeout=timeout,
                                       http_no_proxy=[server.host])


def ws_call(ws, message):
    """Sends one text message (a dict is JSON-encoded) and returns the decoded reply.
    Events that arrive first are kept on ws.cau_events for ws_wait_event()."""
    ws.send(message if isinstance(message, str) else json.dumps(message))
    while True:
        reply = json.loads(ws.recv())
        if isinstance(reply, dict) and "event" in reply:
            ws.__dict__.setdefault("cau_events", []).append(reply)
            continue
        return reply


def ws_next_event(ws):
    """Waits for the server's next message or the end of the connection:
    returns ("message", data) for a text or binary message, ("close", code)
    for a close frame (1005 if it has no code) and ("close", 1006) when the
    connection ends without one, as a browser would report it."""
    try:
        opcode, frame = ws.recv_data_frame(control_frame=True)
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        return "close", CLOSE_ABNORMAL
    if opcode == websocket.ABNF.OPCODE_CLOSE:
        return "close", struct.unpack("!H", frame.data[:2])[0] if len(frame.data) >= 2 else 1005
    if opcode in (websocket.ABNF.OPCODE_PING, websocket.ABNF.OPCODE_PONG):
        return ws_next_event(ws)
    return "message", frame.data


def ws_wait_event(ws, name, timeout=10, predicate=None):
    """Reads messages until an event `name` (whose data satisfies predicate, if given)
    arrives; returns its data. Fails the test on time-out or close."""
    deadline = time.monotonic() + timeout
    seen = []
    for message in list(ws.__dict__.get("cau_events", [])):
        ws.cau_events.remove(message)
        seen.append(message)
        if message["event"] == name and (predicate is None or predicate(message["data"])):
            return message["data"]
    while time.monotonic() < deadline:
        ws.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            kind, value = ws_next_event(ws)
        except websocket.WebSocketTimeoutException:
            break
        if kind == "close":
            pytest.fail(f"connection closed ({value}) while waiting for {name}; saw {seen}")
        message = json.loads(value)
        seen.append(message)
        if message.get("event") == name and (predicate is None or predicate(message["data"])):
            return message["data"]
    pytest.fail(f"no {name} event within {timeout} s; saw {seen}")


def ws_close_code(ws):
    """Reads until the server ends the connection and returns the close code
    (see ws_next_event); messages met on the way are skipped."""
    while True:
        kind, value = ws_next_event(ws)
        if kind == "close":
            return value


def pytest_sessionfinish(session, exitstatus):
    """A run in which every test was skipped (no namespace, no browser) is not
    a pass: exit 77, which meson reports as SKIP rather than OK."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or exitstatus != 0:
        return
    ran = sum(len(reporter.stats.get(kind, []))
              for kind in ("passed", "failed", "error", "xfailed", "xpassed"))
    if ran == 0 and reporter.stats.get("skipped"):
        session.exitstatus = 77
