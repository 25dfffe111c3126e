# SPDX-License-Identifier: MIT
"""DTLS-SRTP against independent stacks, in both roles: our DTLS and SRTP (the
dtls-echo-tool built next to the tests) over plain UDP on 127.0.0.1 -- no ICE --
against aiortc's RTCDtlsTransport (pyOpenSSL, pylibsrtp) and against the
openssl command line (s_server, s_client).

aiortc offers only SRTP_AES128_CM_SHA1_80, so it checks that profile end to end:
the same exported keying material on both sides, then SRTP and SRTCP that each
side protects and the other unprotects (the tool echoes what it receives). The
openssl CLI offers SRTP_AEAD_AES_128_GCM and prints its exporter output, which
must equal ours."""

import asyncio
import os
import queue
import re
import shutil
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest

from cau_harness import REPO_ROOT

aiortc_dtls = pytest.importorskip("aiortc.rtcdtlstransport",
                                  reason="aiortc missing (apt-get install python3-aiortc)")

TOOL = Path(os.environ.get("CAU_TEST_DTLS_TOOL") or REPO_ROOT / "build" / "tests" / "dtls-echo-tool")
EXPORTER_LABEL = "EXTRACTOR-dtls_srtp"
TIMEOUT_S = 15


class LineReader:
    """Collects a child process's stdout lines on a thread, so that a test can
    wait for one with a timeout."""

    def __init__(self, proc, name):
        self.proc = proc
        self.name = name
        self.seen = []
        self._lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def expect(self, pattern, timeout=TIMEOUT_S):
        """Returns the first match of regex `pattern` in a coming line; fails
        on a `failed ...` line, at EOF or after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self._lines.get(timeout=max(left, 0.01))
            except queue.Empty:
                raise AssertionError(f"{self.name}: no /{pattern}/ within {timeout} s; "
                                     f"saw {self.seen}") from None
            if line is None:
                raise AssertionError(f"{self.name} exited ({self.proc.poll()}) before "
                                     f"/{pattern}/; saw {self.seen}")
            self.seen.append(line)
            if line.startswith("failed ") and "failed" not in pattern:
                raise AssertionError(f"{self.name}: {line}")
            match = re.search(pattern, line)
            if match:
                return match


class EchoTool:
    """The dtls-echo-tool: our DTLS-SRTP on a UDP socket, driven by lines."""

    def __init__(self, role, profiles=None):
        argv = [str(TOOL), "--role", role, "--timeout", str(TIMEOUT_S)]
        if profiles:
            argv += ["--profiles", profiles]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.out = LineReader(self.proc, f"dtls-echo-tool --role {role}")
        ready = self.out.expect(r"^ready port=(\d+) fingerprint=(\S+) (\S+)$")
        self.port = int(ready.group(1))
        self.fingerprint_alg = ready.group(2)
        self.fingerprint = ready.group(3)

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def peer(self, port, alg, fingerprint):
        """Starts the handshake with the peer at 127.0.0.1:port (0: learn it from
        its first datagram), whose certificate must match the fingerprint."""
        self.send(f"peer {port} {alg} {fingerprint}")

    def connected(self):
        """Waits for the handshake; returns (profile, exporter output as hex)."""
        match = self.out.expect(r"^connected profile=(\S+) material=([0-9A-F]+)$")
        return match.group(1), match.group(2)

    def wait(self):
        try:
            return self.proc.wait(timeout=TIMEOUT_S)
        finally:
            self.stop()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stderr(self):
        return self.proc.stderr.read() if self.proc.poll() is not None else ""


@pytest.fixture
def tools():
    """Every EchoTool made through it is killed at the end of the test."""
    made = []

    def make(role, profiles=None):
        assert TOOL.exists(), f"{TOOL} not built (ninja -C build)"
        tool = EchoTool(role, profiles)
        made.append(tool)
        return tool

    yield make
    for tool in made:
        tool.stop()


# --------------------------------------------------------------------------
# aiortc
# --------------------------------------------------------------------------


class UdpIceStandIn(asyncio.DatagramProtocol):
    """What RTCDtlsTransport uses of its RTCIceTransport -- `role`, `_recv()`,
    `_send()` -- over one UDP socket. SRTP and SRTCP (first byte 128-191) go to
    `media` for the test instead of aiortc's packet router."""

    def __init__(self, peer):
        self.role = "controlling"
        self.peer = peer
        self.dtls = asyncio.Queue()
        self.media = asyncio.Queue()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        (self.media if 128 <= data[0] < 192 else self.dtls).put_nowait(data)

    async def _recv(self):
        return await self.dtls.get()

    async def _send(self, data):
        self.transport.sendto(data, self.peer)


async def aiortc_peer(tool, aiortc_role, tool_fingerprint=None):
    """An aiortc RTCDtlsTransport in aiortc_role facing the tool; returns
    (dtls transport, ice stand-in, udp transport) after start() returned."""
    loop = asyncio.get_running_loop()
    ice = UdpIceStandIn(("127.0.0.1", tool.port))
    udp, _ = await loop.create_datagram_endpoint(lambda: ice, local_addr=("127.0.0.1", 0))
    certificate = aiortc_dtls.RTCCertificate.generateCertificate()
    dtls = aiortc_dtls.RTCDtlsTransport(ice, [certificate])
    dtls._set_role(aiortc_role)
    ours = certificate.getFingerprints()[0]
    tool.peer(udp.get_extra_info("sockname")[1], ours.algorithm, ours.value)
    remote = aiortc_dtls.RTCDtlsParameters(fingerprints=[
        aiortc_dtls.RTCDtlsFingerprint(tool.fingerprint_alg, tool_fingerprint or tool.fingerprint)])
    await asyncio.wait_for(dtls.start(remote), TIMEOUT_S)
    return dtls, ice, udp


def rtp_packet(seq):
    return struct.pack("!BBHII", 0x80, 96, seq, 960 * seq, 0x1234ABCD) + bytes(range(seq, seq + 60))


def rtcp_receiver_report():
    return struct.pack("!BBHI", 0x80, 201, 1, 0x1234ABCD)


async def echo_media(dtls, ice, tool):
    """aiortc protects, the tool unprotects and protects the packet back, aiortc
    unprotects: each side's SRTP keys must be the other's."""
    loop = asyncio.get_running_loop()
    for seq in (1, 2, 3):
        packet = rtp_packet(seq)
        await dtls._send_rtp(packet)
        echoed = await asyncio.wait_for(ice.media.get(), TIMEOUT_S)
        assert echoed != packet
        assert dtls._rx_srtp.unprotect(echoed) == packet
        await loop.run_in_executor(None, tool.out.expect, rf"^rtp seq={seq} len={len(packet)}$")
    report = rtcp_receiver_report()
    await dtls._send_rtp(report)
    echoed = await asyncio.wait_for(ice.media.get(), TIMEOUT_S)
    assert dtls._rx_srtp.unprotect_rtcp(echoed) == report
    await loop.run_in_executor(None, tool.out.expect, rf"^rtcp len={len(report)}$")


@pytest.mark.parametrize("tool_role", ["server", "client"])
def test_aiortc_handshake_keys_and_srtp(tools, tool_role):
    """aiortc completes the handshake with us in either role; both sides export
    the same RFC 5764 keying material; SRTP and SRTCP pass both ways; a
    close_notify from either side reaches the other."""
    tool = tools(tool_role)
    aiortc_role = "client" if tool_role == "server" else "server"

    async def scenario():
        loop = asyncio.get_running_loop()
        dtls, ice, udp = await aiortc_peer(tool, aiortc_role)
        try:
            assert dtls.state == "connected"
            profile, material = await loop.run_in_executor(None, tool.connected)
            assert profile == "SRTP_AES128_CM_SHA1_80"  # all that aiortc offers
            theirs = dtls.ssl.export_keying_material(EXPORTER_LABEL.encode(), 2 * (16 + 14))
            assert material == theirs.hex().upper()
            await echo_media(dtls, ice, tool)
            if tool_role == "server":
                await dtls.stop()  # aiortc sends close_notify
                await loop.run_in_executor(None, tool.out.expect, r"^closed$")
            else:
                tool.send("close")  # we send close_notify
                await loop.run_in_executor(None, tool.out.expect, r"^closed-local$")
                for _ in range(100):
                    if dtls.state == "closed":
                        break
                    await asyncio.sleep(0.05)
                assert dtls.state == "closed"
        finally:
            udp.close()

    asyncio.run(scenario())
    assert tool.wait() == 0, tool.stderr()


@pytest.mark.parametrize("tool_role", ["server", "client"])
def test_aiortc_wrong_fingerprint_fails_both_sides(tools, tool_role):
    """When aiortc's certificate is not the one we were told, our side fails
    the handshake saying so, and aiortc fails too (it gets our alert)."""
    tool = tools(tool_role)
    aiortc_role = "client" if tool_role == "server" else "server"

    async def scenario():
        loop = asyncio.get_running_loop()
        ice = UdpIceStandIn(("127.0.0.1", tool.port))
        udp, _ = await loop.create_datagram_endpoint(lambda: ice, local_addr=("127.0.0.1", 0))
        certificate = aiortc_dtls.RTCCertificate.generateCertificate()
        other = aiortc_dtls.RTCCertificate.generateCertificate().getFingerprints()[0]
        dtls = aiortc_dtls.RTCDtlsTransport(ice, [certificate])
        dtls._set_role(aiortc_role)
        tool.peer(udp.get_extra_info("sockname")[1], other.algorithm, other.value)
        remote = aiortc_dtls.RTCDtlsParameters(fingerprints=[
            aiortc_dtls.RTCDtlsFingerprint(tool.fingerprint_alg, tool.fingerprint)])
        try:
            await asyncio.wait_for(dtls.start(remote), TIMEOUT_S)
            assert dtls.state == "failed"
        finally:
            udp.close()

    asyncio.run(scenario())
    failed = tool.out.expect(r"^failed reason=(.*)$").group(1)
    assert "remote certificate fingerprint mismatch" in failed
    assert tool.wait() == 1


# --------------------------------------------------------------------------
# openssl s_server / s_client (AEAD_AES_128_GCM)
# --------------------------------------------------------------------------


@pytest.fixture
def openssl_identity(tmp_path):
    """An ECDSA P-256 certificate and key for the openssl CLI, and its sha-256
    fingerprint in SDP form."""
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("the openssl command is missing (apt-get install openssl)")
    cert, key = tmp_path / "peer.crt", tmp_path / "peer.key"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-subj", "/CN=openssl-peer", "-days", "1"],
                   check=True, capture_output=True, timeout=30)
    printed = subprocess.run([openssl, "x509", "-in", str(cert), "-noout", "-fingerprint",
                              "-sha256"], check=True, capture_output=True, text=True,
                             timeout=30).stdout
    return openssl, cert, key, printed.strip().split("=", 1)[1]


def openssl_srtp_args(cert, key):
    return ["-dtls1_2", "-cert", str(cert), "-key", str(key),
            "-use_srtp", "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
            "-keymatexport", EXPORTER_LABEL, "-keymatexportlen", str(2 * (16 + 12))]


def start_openssl(argv, name):
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    return proc, LineReader(proc, name)


def check_openssl_agrees(tool, out):
    """Both sides negotiated GCM and exported the same keying material."""
    profile, material = tool.connected()
    assert profile == "SRTP_AEAD_AES_128_GCM"
    out.expect(r"SRTP Extension negotiated, profile=SRTP_AEAD_AES_128_GCM")
    theirs = out.expect(r"Keying material: ([0-9A-F]+)").group(1)
    assert material == theirs


def test_openssl_s_client_against_our_server(tools, openssl_identity):
    """openssl s_client (client) completes a DTLS 1.2 handshake with our server,
    which checks its certificate against the fingerprint; both export the same
    AEAD_AES_128_GCM keying material; s_client's close_notify reaches us."""
    openssl, cert, key, fingerprint = openssl_identity
    tool = tools("server")
    tool.peer(0, "sha-256", fingerprint)
    proc, out = start_openssl([openssl, "s_client", "-connect", f"127.0.0.1:{tool.port}",
                               *openssl_srtp_args(cert, key)], "openssl s_client")
    try:
        check_openssl_agrees(tool, out)
        proc.stdin.close()  # end of input: s_client shuts down with close_notify
        tool.out.expect(r"^closed$")
        assert tool.wait() == 0
    finally:
        proc.kill()
        proc.wait()


def test_openssl_s_server_against_our_client(tools, openssl_identity):
    """Our client completes a DTLS 1.2 handshake with openssl s_server (which
    asks for our certificate); both export the same AEAD_AES_128_GCM keying
    material; our close_notify ends s_server's connection."""
    openssl, cert, key, fingerprint = openssl_identity
    proc, out = start_openssl([openssl, "s_server", "-accept", "127.0.0.1:0", "-naccept", "1",
                               "-verify", "1", *openssl_srtp_args(cert, key)], "openssl s_server")
    try:
        port = int(out.expect(r"^ACCEPT 127\.0\.0\.1:(\d+)$").group(1))
        tool = tools("client")
        tool.peer(port, "sha-256", fingerprint)
        check_openssl_agrees(tool, out)
        tool.send("close")
        tool.out.expect(r"^closed-local$")
        assert tool.wait() == 0
        assert proc.wait(timeout=TIMEOUT_S) == 0  # -naccept 1: done after our close
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
