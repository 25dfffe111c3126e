# SPDX-License-Identifier: MIT
"""The harness itself: the tests, their sockets and their subprocesses live in
the private network namespace that TESTING.md describes."""

import os
import shutil
import subprocess

from cau_harness import NetNamespace, admin_path, http_get, parse_metrics

IP = shutil.which("ip", path=admin_path()) or "ip"


def namespace_inode(pid="self"):
    return os.stat(f"/proc/{pid}/ns/net").st_ino


def test_pytest_runs_in_the_private_namespace(netns):
    """pytest has left the host's namespace for the one named by the fixture."""
    assert namespace_inode() == os.stat(f"/run/netns/{netns.name}").st_ino
    assert namespace_inode() != netns.original_inode


def test_subprocesses_see_lo_and_the_second_loopback_device(netns):
    """A child process sees only lo and the ifb device carrying 127.0.0.2/32
    (up, IPv6 off), as ICE clients will need."""
    links = subprocess.run([IP, "-o", "link", "show"], capture_output=True, text=True,
                           check=True).stdout
    names = sorted(line.split(":")[1].strip().split("@")[0] for line in links.splitlines())
    assert names == sorted(["lo", NetNamespace.DEVICE])
    addresses = subprocess.run([IP, "-o", "addr", "show", "dev", NetNamespace.DEVICE],
                               capture_output=True, text=True, check=True).stdout
    assert f"inet {NetNamespace.SECOND_ADDRESS}/32" in addresses
    assert "inet6" not in addresses


def test_server_listens_on_the_second_loopback_address(cau_server):
    """`cau serve` started by the fixture can bind 127.0.0.2 and answer there."""
    server = cau_server({"http": {"host": NetNamespace.SECOND_ADDRESS}})
    assert server.host == NetNamespace.SECOND_ADDRESS
    status, _, _ = http_get(server.url + "/healthz")
    assert status == 200
    assert namespace_inode(server.proc.pid) == namespace_inode()


def test_metrics_parser_reads_labels_and_escapes():
    """The Prometheus parser used by the tests keys samples by name and labels."""
    samples = parse_metrics('# HELP x y\n# TYPE x counter\n'
                            'x{route="/a",method="GET",status="200"} 3\n'
                            'y 1.5\n'
                            'z{msg="say \\"hi\\"\\\\n"} 2\n')
    assert samples[("x", frozenset({"route": "/a", "method": "GET",
                                    "status": "200"}.items()))] == 3
    assert samples[("y", frozenset())] == 1.5
    assert samples[("z", frozenset({"msg": 'say "hi"\\n'}.items()))] == 2
