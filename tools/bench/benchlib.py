# SPDX-License-Identifier: MIT
"""Shared pieces of the benchmarks in tools/bench: a private network namespace,
starting `cau serve` and waiting for its ready line, the server's CPU time from
/proc, percentiles, and the common output (a table, a CSV file, and one JSON
object as the last line)."""

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
    return {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release()}


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
