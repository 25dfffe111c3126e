# SPDX-License-Identifier: MIT
"""The `cau` command line and `make run` as a user meets them: version, help,
unknown commands, and the documented first command serving /healthz."""

import os
import signal
import subprocess

from cau_harness import (CAU_TEST_BINARY, REPO_ROOT, CauServer, http_get, run_cau,
                         server_env)


def test_version_prints_the_project_version():
    """`cau --version` prints `cau X.Y.Z` (the version in meson.build) and exits 0."""
    meson_build = (REPO_ROOT / "meson.build").read_text(encoding="utf-8")
    version = meson_build.split("version : '", 1)[1].split("'", 1)[0]
    result = run_cau("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"cau {version}"


def test_help_lists_the_commands():
    """`cau help` lists serve, db and help with a line each."""
    result = run_cau("help")
    assert result.returncode == 0
    for command in ("serve", "db", "help"):
        assert f"\n  {command} " in result.stdout


def test_unknown_command_is_an_error():
    """An unknown command exits 2 and says what to try."""
    result = run_cau("fly")
    assert result.returncode == 2
    assert 'unknown command "fly"' in result.stderr
    assert "cau help" in result.stderr


def test_make_run_serves_healthz_on_8080(netns, tmp_path):
    """`make run` (README's first command) builds if needed and serves the
    defaults of config/cau.conf: ready on 127.0.0.1:8080, /healthz 200. The data
    directory is moved to a temporary one with CAU_DATA_DIR so the test leaves
    the tree clean."""
    build_dir = CAU_TEST_BINARY.parent
    env = server_env({"CAU_DATA_DIR": str(tmp_path / "var")})
    stderr_path = tmp_path / "stderr.log"
    with open(stderr_path, "w", encoding="utf-8") as stderr_file:
        proc = subprocess.Popen(["make", "--no-print-directory", "-C", str(REPO_ROOT),
                                 f"BUILD={build_dir}", "run"],
                                env=env, encoding="utf-8", errors="replace",
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=stderr_file, start_new_session=True)
    server = CauServer(proc, None, tmp_path / "var", stderr_path)
    try:
        server.wait_ready(timeout=120)
        assert (server.host, server.port) == ("127.0.0.1", 8080)
        status, _, body = http_get(server.url + "/healthz")
        assert (status, body) == (200, b'{"status":"ok"}')
        assert any(line.startswith("cau: first operator created") for line in
                   server.stdout_lines)
    finally:
        # make and the server it started form their own process group.
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    assert (tmp_path / "var" / "cau.db").is_file()
