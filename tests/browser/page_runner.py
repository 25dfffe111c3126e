# SPDX-License-Identifier: MIT
"""What the browser tests share to run their node scripts (playwright-core driving
Debian's Chromium): where things are, the skip when something is missing, and a runner
that returns a page script's report."""

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
PLAYWRIGHT = BROWSER_DIR / "node_modules" / "playwright-core"
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def node_env():
    """The environment for node: without proxies (every target is loopback)."""
    return {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}


def node_or_skip():
    node = shutil.which("node")
    missing = [what for what, present in [
        (str(CHROMIUM), CHROMIUM.is_file()),
        (f"{PLAYWRIGHT} (run `PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci` in {BROWSER_DIR})",
         PLAYWRIGHT.is_dir()),
        ("node", node is not None),
    ] if not present]
    if missing:
        pytest.skip("browser test needs " + ", ".join(missing))
    return node


def run_page_script(script, args, timeout_s, during=None, period_s=0.2):
    """Runs `node tests/browser/SCRIPT ARGS...` and returns its report (its last JSON
    line). While it runs, calls during() every period_s until it returns true. Its output
    goes to files, not pipes: a report can be larger than a pipe holds, and it is read only
    once the script has ended. Killed after timeout_s."""
    node = node_or_skip()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([node, str(BROWSER_DIR / script), *map(str, args)],
                                cwd=BROWSER_DIR, env=node_env(), stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err, text=True)
        try:
            deadline = time.monotonic() + timeout_s
            while proc.poll() is None and time.monotonic() < deadline:
                if during is not None and during():
                    during = None
                time.sleep(period_s)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    assert lines, (f"{script} printed no report (exit {proc.returncode})\n"
                   f"stdout: {stdout}\nstderr: {stderr}")
    return json.loads(lines[-1])
