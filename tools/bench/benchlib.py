# SPDX-License-Identifier: MIT
"""Shared pieces of the benchmarks in tools/bench: a private network namespace,
starting `cau serve` and waiting for its ready line, the server's CPU time from
/proc, percentiles, and the common output (a table, a CSV file, and one JSON
object as the last line)."""

import atexit
import csv
import ctypes
import json
import os
import platform
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CLONE_NEWNET = 0x40000000
REPO = Path(__file__).resolve().parents[2]
READY_RE = re.compile(r"^cau: ready http=(?P<host>[^:]+):(?P<port>\d+)$")


# This machine is shared with other engineers' builds and tests, most of them at nice 0:
# their CPU-bound processes kept the CPU pressure (/proc/pressure/cpu) at 99% and left
# the servers' threads waiting for a core 70% of the time. The bench, the servers it
# starts (Cầu and Janus alike) and cau-load therefore run at this niceness, as a server
# that has its machine to itself would. CAU_BENCH_NICE=0 turns it off.
#
# The kernel here groups tasks by session (sched_autogroup_enabled = 1): a process's
# niceness only ranks it against its own session, and each session gets an equal share
# of the CPU against the others whatever their tasks' niceness. So the session's own
# niceness (/proc/self/autogroup) is set too; without it nice -10 changed nothing
# against other engineers' sessions.
BENCH_NICE = int(os.environ.get("CAU_BENCH_NICE", "-10"))


def prioritise():
    """Moves this process (and so everything it starts) to BENCH_NICE, once, and its
    session's autogroup too (given back at exit).

    With the kernel's autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled, on
    here) CPU time is first shared equally between sessions, and a process's nice value
    only weighs against processes of its own session: the bench's servers and load
    generator then shared one session's slice however many other sessions were busy
    (a video thread measured waiting for a core 98% of the time at load average 26).
    The session's own nice value (/proc/self/autogroup) is what weighs against the
    others, so it is set too."""
    current = os.nice(0)
    if BENCH_NICE < current:
        try:
            os.nice(BENCH_NICE - current)
        except PermissionError:
            print(f"bench: cannot raise priority to nice {BENCH_NICE} (not root)",
                  file=sys.stderr)
    before = autogroup_nice()
    if BENCH_NICE < before:
        try:
            Path("/proc/self/autogroup").write_text(str(BENCH_NICE))
            # The session outlives the bench (a shell): give it its niceness back.
            atexit.register(lambda: Path("/proc/self/autogroup").write_text(str(before)))
        except OSError as error:
            print(f"bench: cannot set the session's autogroup to nice {BENCH_NICE} "
                  f"({error})", file=sys.stderr)


def autogroup_nice():
    """The niceness of this session's autogroup (0 when autogroups are off or absent)."""
    try:
        return int(Path("/proc/self/autogroup").read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return 0


def pressure():
    """The CPU pressure (share of time some task waited for a core, 10 s average)."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        return float(line.split()[1].split("=")[1])
    except (OSError, IndexError, ValueError):
        return None


class Namespace:
    """A private network namespace (lo + an ifb device with 127.0.0.2, as in
    shared/TESTING.md) that this process enters with setns(2): sockets opened and
    processes started afterwards live in it. Falls back to the host's loopback when
    namespaces cannot be made (not root), saying so."""

    def __init__(self):
        self.name = f"cau-bench-{os.getpid()}-{secrets.token_hex(3)}"
        self.entered = False
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._home = None

    def _ip(self, *args):
        subprocess.run(["ip", *args], check=True, capture_output=True)

    def __enter__(self):
        prioritise()
        try:
            self._ip("netns", "add", self.name)
            self._ip("-n", self.name, "link", "set", "lo", "up")
            self._ip("-n", self.name, "link", "add", "cau0", "type", "ifb")
            self._ip("-n", self.name, "addr", "add", "127.0.0.2/32", "dev", "cau0")
            self._ip("-n", self.name, "link", "set", "cau0", "up")
            self._home = os.open("/proc/self/ns/net", os.O_RDONLY)
            fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
            if self._libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns")
            os.close(fd)
            self.entered = True
        except (OSError, subprocess.CalledProcessError, FileNotFoundError) as error:
            print(f"bench: no private namespace ({error}); using the host's loopback",
                  file=sys.stderr)
        return self

    def __exit__(self, *exc):
        if self.entered:
            self._libc.setns(self._home, CLONE_NEWNET)
            os.close(self._home)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


class Server:
    """`cau serve` started on a free port with a config written from `sections`."""

    def __init__(self, binary, sections, workdir):
        self.workdir = Path(workdir)
        self.data_dir = self.workdir / "var"
        sections = {k: dict(v) for k, v in sections.items()}
        sections.setdefault("data", {})["dir"] = str(self.data_dir)
        sections.setdefault("http", {})["web_root"] = str(REPO / "web")
        sections.setdefault("log", {})["level"] = "warning"
        config = self.workdir / "cau.conf"
        config.write_text("".join(f"[{s}]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())
                                  for s, keys in sections.items()), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("CAU_")}
        self.proc = subprocess.Popen([str(binary), "serve", "-c", str(config), "--port", "0"],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL, text=True)
        self.port = None
        deadline = time.monotonic() + 30
        for line in self.proc.stdout:
            match = READY_RE.match(line.strip())
            if match:
                self.port = int(match["port"])
                break
            if time.monotonic() > deadline:
                break
        if self.port is None:
            self.stop()
            raise RuntimeError("cau serve printed no ready line")
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self):
        """User + system CPU time of the server process so far, from /proc."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def rss_bytes(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def initial_password(self):
        text = (self.data_dir / "initial-operator-password").read_text(encoding="utf-8")
        return dict(line.split(": ", 1) for line in text.splitlines())["password"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def percentile(values, p):
    """The p-th percentile (0..100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def median(values):
    return statistics.median(values) if values else 0.0


def machine():
    """What the numbers were measured on."""
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release(),
            "load_average": round(os.getloadavg()[0], 2), "cpu_pressure_pct": pressure(),
            "nice": os.nice(0), "autogroup_nice": autogroup_nice()}


def print_table(rows, columns):
    """Prints rows (dicts) as an aligned text table with the given columns."""
    widths = {c: max(len(c), *(len(fmt(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(fmt(r.get(c)).ljust(widths[c]) for c in columns))


def fmt(value):
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def write_csv(path, rows, columns):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def print_summary(obj):
    """The last line of every benchmark: one JSON object."""
    print(json.dumps(obj, ensure_ascii=False, sort_keys=True))


def tempdir():
    return tempfile.TemporaryDirectory(prefix="cau-bench-")


# ---- reference servers and the load tool ----

LOAD_BINARY = REPO / "build" / "tools" / "load" / "cau-load"
JANUS_LIB = Path("/usr/lib/x86_64-linux-gnu/janus")
JANUS_PORT = 8088     # HTTP API: only asked whether Janus is up
JANUS_WS_PORT = 8188  # WebSocket API: cau-load's signalling
ICE_ADDRESS = "127.0.0.2"
# Janus's static pool of GLib event loops (janus.jcfg `event_loops`), as an operator sets
# it for many handles; 0 is Janus's default, a loop thread per handle. Four per core (8
# here, the value janus.jcfg's comment shows): at N = 100 in the AudioBridge Janus used
# 130 % of a core with 8 loops, 116 % with 2 and 149 % with one per handle, and at 150,
# under CPU pressure, 2 loops fell seconds behind among the 150 encoder threads (4 % of
# the mix got out) where 8 loops or one per handle got about 70 % out
# (docs/performance.md, "Why Janus's AudioBridge stops between 100 and 170 here").
JANUS_EVENT_LOOPS = 4 * (os.cpu_count() or 2)


def webrtc_sections():
    """The [ice]/[transport] sections a Cầu server needs inside a bench namespace."""
    return {"ice": {"addresses": ICE_ADDRESS, "connect_timeout_s": "60"},
            "transport": {"workers": "0"}}


def have_janus():
    return Path("/usr/bin/janus").exists() and (JANUS_LIB / "plugins").is_dir()


class JanusServer:
    """Debian's Janus started with a generated config (shared/TESTING.md): ICE on
    127.0.0.2 only, the WebSocket transport on 127.0.0.1:8188 (cau-load's signalling:
    one WebSocket per endpoint, as janus.js has; see tools/load/signal_janus.c for why
    not HTTP long polls), the HTTP transport on 127.0.0.1:8088 (only to see that Janus
    is up), and only the plugins named (e.g. ["audiobridge"], ["echotest"]) loaded.
    `event_loops` handles share that many event loop threads (0: Janus's default, one
    thread per handle). Logging at warnings (level 3; Janus's default 4 adds a few lines
    per join), no event handlers, the JSON logger off. AudioBridge gets room 1234 at
    48 kHz (as Cầu's mixer) without recording, RTP forwarders or level events. The
    rest is Janus's default: full ICE without consent checks or ICE-TCP, the
    AudioBridge's prebuffering of 6 packets, Opus complexity 4 and no FEC for its
    per-participant encoders (Cầu's four encoders run at complexity 10)."""

    def __init__(self, workdir, plugins, event_loops=JANUS_EVENT_LOOPS):
        self.dir = Path(workdir) / "janus"
        self.dir.mkdir(parents=True, exist_ok=True)
        keep = {f"libjanus_{p}.so" for p in plugins}
        every = sorted(p.name for p in (JANUS_LIB / "plugins").glob("*.so"))
        transports = sorted(p.name for p in (JANUS_LIB / "transports").glob("*.so"))
        (self.dir / "janus.jcfg").write_text(f"""general: {{
    configs_folder = "{self.dir}"
    plugins_folder = "{JANUS_LIB}/plugins"
    transports_folder = "{JANUS_LIB}/transports"
    events_folder = "{JANUS_LIB}/events"
    loggers_folder = "{JANUS_LIB}/loggers"
    debug_level = 3
    debug_timestamps = true
    interface = "{ICE_ADDRESS}"
    session_timeout = 60
{f"    event_loops = {event_loops}" if event_loops else ""}
}}
media: {{
    rtp_port_range = "20000-60000"
}}
nat: {{
    nice_debug = false
    ice_enforce_list = "{ICE_ADDRESS}"
}}
plugins: {{
    disable = "{','.join(p for p in every if p not in keep)}"
}}
transports: {{
    disable = "{','.join(t for t in transports
                         if t not in ('libjanus_http.so', 'libjanus_websockets.so'))}"
}}
events: {{
    broadcast = false
}}
loggers: {{
    disable = "libjanus_jsonlog.so"
}}
""", encoding="utf-8")
        (self.dir / "janus.transport.http.jcfg").write_text(f"""general: {{
    json = "plain"
    base_path = "/janus"
    http = true
    port = {JANUS_PORT}
    ip = "127.0.0.1"
    https = false
}}
admin: {{
    admin_http = false
}}
""", encoding="utf-8")
        (self.dir / "janus.transport.websockets.jcfg").write_text(f"""general: {{
    json = "compact"
    ws = true
    ws_port = {JANUS_WS_PORT}
    ws_ip = "127.0.0.1"
    wss = false
}}
admin: {{
    admin_ws = false
    admin_wss = false
}}
""", encoding="utf-8")
        (self.dir / "janus.plugin.audiobridge.jcfg").write_text("""general: {
}
room-1234: {
    description = "cau bench"
    sampling_rate = 48000
    record = false
    audiolevel_event = false
}
""", encoding="utf-8")
        (self.dir / "janus.plugin.echotest.jcfg").write_text("general: {\n}\n",
                                                            encoding="utf-8")
        self.log = open(self.dir / "janus.log", "w", encoding="utf-8")
        self.proc = subprocess.Popen(["janus", "-F", str(self.dir), "-C",
                                      str(self.dir / "janus.jcfg")],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{JANUS_PORT}/janus"
        self.ws_url = f"ws://127.0.0.1:{JANUS_WS_PORT}/"
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"janus exited: {self.tail()}")
            try:
                import urllib.request
                with urllib.request.urlopen(self.url + "/info", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"janus did not answer on {self.url}: {self.tail()}")
            time.sleep(0.2)

    def sample_threads(self):
        """Notes the CPU time of each of Janus's threads so far (/proc/PID/task/*/stat).
        Called every second while the load runs: a participant's thread, and its handle's
        loop thread with Janus's default loops, end when it leaves, taking their CPU time
        out of /proc, so thread_shares() keeps each thread's last sample."""
        tasks = getattr(self, "_tasks", {})
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):
            try:
                name, rest = (task / "stat").read_text().rsplit(")", 1)
            except OSError:
                continue
            fields = rest.split()
            tasks[task.name] = (name.split("(", 1)[1], int(fields[11]) + int(fields[12]))
        self._tasks = tasks

    def thread_shares(self):
        """Janus's CPU time by kind of thread, in percent of its total, as last sampled
        (sample_threads()): the AudioBridge's per-participant threads (each encodes its
        own mix), the room's mixer thread, the event loops (ICE, DTLS, SRTP, the RTP in
        and out of every handle, and the AudioBridge's decoding of what arrives), and the
        rest (transports, the core). {} when nothing was sampled."""
        kinds = {}
        for name, ticks in getattr(self, "_tasks", {}).values():
            if re.fullmatch(r"mixer \S+ \S+", name):
                kind = "participant_threads"
            elif name.startswith("mixer "):
                kind = "room_mixer"
            elif name.startswith("hloop"):
                kind = "event_loops"
            else:
                kind = "other"
            kinds[kind] = kinds.get(kind, 0) + ticks
        total = sum(kinds.values())
        return {k: round(100 * v / total, 1) for k, v in sorted(kinds.items())} if total else {}

    def warnings(self, top=5):
        """{kind: count} of the [WARN]/[ERR] lines in Janus's log so far, numbers masked
        (e.g. "Discarding too old outgoing packet (age=#us)": its event loops fell more
        than a second behind with a handle's packets), the most frequent first."""
        if not self.log.closed:
            self.log.flush()
        counts = {}
        with open(self.dir / "janus.log", encoding="utf-8", errors="replace") as f:
            for line in f:
                if ("[WARN]" not in line and "[ERR]" not in line
                        or "disabled, skipping" in line or "find any address" in line):
                    continue
                kind = re.sub(r"\x1b\[[0-9;]*m", "", line)
                kind = re.sub(r"^(\[[^]]*\] )+", "", kind.strip())
                kind = re.sub(r"[0-9]+", "#", kind)[:120]
                counts[kind] = counts.get(kind, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1])[:top])

    def tail(self):
        if not self.log.closed:
            self.log.flush()
        return (self.dir / "janus.log").read_text(errors="replace")[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def run_load(args, timeout=None, every_second=None):
    """Runs cau-load with args (a list); returns its JSON summary (a dict) and the
    stderr text. Calls every_second() (if given) once a second while it runs. Raises
    RuntimeError, with stderr, if it printed none."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([str(LOAD_BINARY), *map(str, args)], stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + timeout if timeout else None
        while True:
            try:
                proc.wait(1)
                break
            except subprocess.TimeoutExpired:
                if deadline and time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    raise
                if every_second:
                    every_second()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line.replace("inf.0", "1e309")), stderr
    raise RuntimeError(f"cau-load printed no summary (exit {proc.returncode}):\n"
                       f"{stderr[-3000:]}")


def common_arguments(parser, default_ref):
    """The options every bench takes: --n, --quick, --ref, --csv."""
    parser.add_argument("--n", type=int, action="append",
                        help="participants (repeatable); default: the bench's list")
    parser.add_argument("--quick", action="store_true", help="the short variant (make bench)")
    parser.add_argument("--ref", choices=["janus", "gst", "none"], default=default_ref,
                        help=f"comparison server (default {default_ref})")


def settings_argument(parser):
    """--set SECTION.KEY=VALUE (repeatable): a key of the Cầu server's configuration,
    to compare two settings with the same binary."""
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="a setting of the Cầu server (repeatable), e.g. "
                        "ice.direct_receive=false")


def settings_of(pairs):
    """{section: {key: value}} from --set's SECTION.KEY=VALUE strings."""
    sections = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        section, dot, key = name.partition(".")
        if not sep or not dot or not section or not key:
            sys.exit(f"bench: --set {pair!r} is not SECTION.KEY=VALUE")
        sections.setdefault(section, {})[key] = value
    return sections


def janus_arguments(parser):
    """The option of the benches that run Janus: its event loops."""
    parser.add_argument("--janus-event-loops", type=int, default=JANUS_EVENT_LOOPS,
                        help=f"Janus's event loop threads, shared by its handles (default "
                        f"{JANUS_EVENT_LOOPS}, four per core; 0: a thread per handle, "
                        f"Janus's default)")


def janus_figures(summary):
    """What a Janus run shows beyond its CPU: the share of the media packets its endpoints
    should have got that they did (received_pct), its CPU by kind of thread and its
    most frequent warnings (see JanusServer)."""
    expected = summary.get("connected", 0) * 50
    return {"received_pct": round(100 * summary["received_pps"] / expected, 1)
            if expected else 0.0,
            "threads_pct": summary.get("threads", {}),
            "warnings": summary.get("janus_warnings", {})}


def thread_times(pid):
    """{tid: (comm, utime + stime in seconds)} of every thread of a process now."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue  # the thread ended
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        out[tid] = (comm, (int(fields[11]) + int(fields[12])) / tick)
    return out


def thread_shares(before, after, groups):
    """The share (0..1) of the process's CPU between two thread_times() each group of
    thread-name prefixes took; what no group names is "other"."""
    spent = {name: 0.0 for name, _ in groups}
    spent["other"] = 0.0
    for tid, (comm, secs) in after.items():
        used = secs - before.get(tid, (comm, 0.0))[1]
        name = next((g for g, prefixes in groups if comm.startswith(prefixes)), "other")
        spent[name] += max(used, 0.0)
    total = sum(spent.values())
    return {k: (v / total if total > 0 else 0.0) for k, v in spent.items()}


# The Cầu server's threads by name (/proc/PID/task/*/comm, 15 characters): a room's audio
# thread (the mix and its send to every member), its video thread (decode, compose,
# encode, the send to every receiver), the transport's workers (every datagram received:
# sockets, SRTP, RTCP, jitter buffers) and the rest (the main loop: signalling, /metrics).
CAU_THREADS = [("video", ("media video",)), ("audio", ("media room",)),
               ("transport", ("cau-transport",))]


def load_against_cau(binary, n, room, load_args, settings=None, steady_s=None):
    """A fresh `cau serve` in the current namespace (its configuration the bench's
    sections, then `settings`, {section: {key: value}}), cau-load's N endpoints in `room`,
    the server's CPU and /metrics read by cau-load around each window. Returns the
    summary with "rss_mb" of the server added, and with steady_s (the seconds of
    cau-load's steady windows, which end its run) "thread_shares": the share of the
    server's CPU each CAU_THREADS group took over about that span (sampled each second)."""
    sections = {**webrtc_sections(), "auth": {}}
    for section, keys in (settings or {}).items():
        sections[section] = {**sections.get(section, {}), **keys}
    with tempdir() as work:
        server = Server(binary, sections, work)
        samples = []
        try:
            url = f"ws://127.0.0.1:{server.port}/ws"
            summary, _ = run_load(["--url", url, "--room", room, "--n", n,
                                   "--watch-pid", server.proc.pid,
                                   "--metrics-url", f"{server.url}/metrics", *load_args],
                                  every_second=lambda: samples.append(
                                      (time.monotonic(), thread_times(server.proc.pid))))
            summary["rss_mb"] = server.rss_bytes() / 1e6
            if steady_s and len(samples) > 1:
                # The steady windows are cau-load's last steady_s seconds.
                end = samples[-1]
                start = min(samples, key=lambda s: abs(s[0] - (end[0] - steady_s)))
                summary["thread_shares"] = thread_shares(start[1], end[1], CAU_THREADS)
            if server.proc.poll() is not None:
                summary["delivered_ok"] = False
                summary.setdefault("errors", []).append("the server exited")
        finally:
            server.stop()
    return summary


def load_against_janus(plugin, n, room, load_args, event_loops=JANUS_EVENT_LOOPS):
    """A fresh Janus with only `plugin`, cau-load's N endpoints through its WebSocket API.
    Returns the summary with "rss_mb", "threads" (JanusServer.thread_shares()) and
    "janus_warnings" (JanusServer.warnings()) added."""
    with tempdir() as work:
        janus = JanusServer(work, [plugin], event_loops)
        try:
            summary, _ = run_load(["--backend", "janus", "--url", janus.ws_url, "--room", room,
                                   "--n", n, "--watch-pid", janus.proc.pid, *load_args],
                                  every_second=janus.sample_threads)
            rss = 0
            for line in Path(f"/proc/{janus.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
            summary["rss_mb"] = rss / 1e6
            summary["threads"] = janus.thread_shares()
            summary["janus_warnings"] = janus.warnings()
            if janus.proc.poll() is not None:
                summary["delivered_ok"] = False
                summary.setdefault("errors", []).append("janus exited")
        finally:
            janus.stop()
    return summary


def plot_path(name, args):
    """Where a bench draws its plot unless --plot says: docs/img/NAME.svg for a run at the
    bench's full sizes (the plot docs/performance.md shows), bench-results/NAME.svg for
    a quick run or chosen sizes (so that these never replace it)."""
    if args.quick or args.n:
        return str(REPO / "bench-results" / f"{name}.svg")
    return str(REPO / "docs" / "img" / f"{name}.svg")


def plot_servers(rows, out_path, title, names, xlabel="participants",
                 ylabel="server CPU, % of one core", y="cpu_pct"):
    """CPU (rows' `y`) against rows' "n", one line per server in names (a dict: server ->
    label); runs that did not deliver are drawn apart, as open circles, so that no one
    reads them as capacity."""
    series = []
    for server, label in names.items():
        for ok, suffix in ((True, ""), (False, " (did not deliver)")):
            points = sorted((r["n"], r[y]) for r in rows
                            if r["server"] == server and bool(r["delivered_ok"]) == ok
                            and r.get(y) is not None)
            if points:
                series.append((label + suffix, points))
    return plot_cpu(out_path, title, xlabel, ylabel, series)


def plot_cpu(out_path, title, xlabel, ylabel, series):
    """Draws CPU against participants with gnuplot (Debian's gnuplot-nox), one line per
    (label, rows) in series, each row a (x, y) pair; writes an SVG. Says so and returns
    False when gnuplot is missing."""
    import shutil
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    if not shutil.which("gnuplot"):
        print(f"bench: no gnuplot (apt-get install gnuplot-nox); {out_path} not drawn",
              file=sys.stderr)
        return False
    data = Path(str(out_path) + ".dat")
    blocks = []
    for label, rows in series:
        blocks.append(f"# {label}\n" + "".join(f"{x} {y}\n" for x, y in rows))
    data.write_text("\n\n".join(blocks), encoding="utf-8")

    def quoted(text):  # a gnuplot single-quoted string
        return "'" + text.replace("'", "''") + "'"

    plots = ", ".join(f"{quoted(str(data))} index {i} with "
                      f"{'points pt 6 ps 1.5' if 'not' in label else 'linespoints pt 7'} "
                      f"title {quoted(label)}" for i, (label, _) in enumerate(series))
    xs = sorted({x for _, rows in series for x, _ in rows}) or [1]
    script = (f"set terminal svg size 900,420 dynamic font 'sans,11'\n"
              f"set output {quoted(str(out_path))}\nset title {quoted(title)}\n"
              f"set xlabel {quoted(xlabel)}\nset ylabel {quoted(ylabel)}\nset grid\n"
              f"set key outside right top Left reverse samplen 2\n"
              f"{'set logscale x' if xs[-1] >= 8 * xs[0] else 'unset logscale x'}\n"
              f"set xtics ({','.join(str(x) for x in xs)})\n"
              f"set xrange [{xs[0] * 0.7:g}:{xs[-1] * 1.4:g}]\nset yrange [0:*]\n"
              f"plot {plots}\n")
    proc = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    data.unlink()
    if proc.returncode != 0:
        print(f"bench: gnuplot failed, {out_path} not drawn:\n{proc.stderr}", file=sys.stderr)
        return False
    return True
