# SPDX-License-Identifier: MIT
"""An aiortc client of Cầu's echo room, run as its own process by the tests.

It sends a sine tone (Opus) and a moving test picture (VP8) made by aiortc itself,
receives what the server sends back, decodes it, and prints one JSON report line:

  {"ok": true, "peer": "...", "video_frames": N, "video_size": [W, H],
   "audio_frames": N, "tone_ratio": R, "states": [...], ...}

tone_ratio is the energy at the sent tone's frequency over the mean energy of the
spectrum of the decoded audio: a loud, clean echo of the tone gives hundreds.

Usage: aiortc_echo.py WS_URL|- [--server-offer] [--seconds S] [--hold] [--tamper-fingerprint]
  -                     no WebSocket of its own: each request is printed as a line
                        {"signal": REQUEST} and its reply read as one JSON line on stdin,
                        so that the test holds the signalling connection (vanish tests)
  --server-offer        ask the server to offer (peer.create without an offer)
  --hold                after the report, stay connected until killed (vanish tests)
  --tamper-fingerprint  send an offer whose a=fingerprint is not aiortc's certificate's
  --inject-bad          once connected, also send bad datagrams over the ICE path: 5 each
                        of garbage SRTP (fails authentication), SRTP of an unknown SSRC,
                        SRTCP that is not valid RTCP, bytes of no RFC 7983 class, a STUN
                        check signed with the wrong password, a STUN message whose
                        attribute runs past its end, and (from another socket) RTP-like
                        bytes from an address that is not the selected pair's
"""

import argparse
import asyncio
import fractions
import json
import math
import os
import re
import struct
import sys
import time

import socket

import numpy
import websocket
from aioice import stun
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AUDIO_PTIME, MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

TONE_HZ = 880
SAMPLE_RATE = 48000
WIDTH, HEIGHT = 320, 240
FPS = 30


class ToneTrack(MediaStreamTrack):
    """A sine at TONE_HZ, mono s16 at 48 kHz, in 20 ms frames, paced in real time."""

    kind = "audio"

    def __init__(self):
        super().__init__()
        self._samples = int(AUDIO_PTIME * SAMPLE_RATE)
        self._pts = 0
        self._start = None

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.time()
        else:
            await asyncio.sleep(max(0, self._start + self._pts / SAMPLE_RATE - time.time()))
        t = (numpy.arange(self._samples) + self._pts) / SAMPLE_RATE
        pcm = (0.5 * 32767 * numpy.sin(2 * math.pi * TONE_HZ * t)).astype(numpy.int16)
        frame = AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        self._pts += self._samples
        return frame


class PatternTrack(MediaStreamTrack):
    """A WIDTH x HEIGHT picture with a moving bar, FPS frames a second."""

    kind = "video"

    def __init__(self):
        super().__init__()
        self._count = 0
        self._start = None

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.time()
        else:
            await asyncio.sleep(max(0, self._start + self._count / FPS - time.time()))
        img = numpy.zeros((HEIGHT, WIDTH, 3), numpy.uint8)
        img[:, :, 1] = 64
        x = (self._count * 4) % WIDTH
        img[:, x:x + 16, :] = 255
        frame = VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = self._count * (90000 // FPS)
        frame.time_base = fractions.Fraction(1, 90000)
        self._count += 1
        return frame


class Signalling:
    """The JSON protocol over a blocking WebSocket, read from a thread."""

    def __init__(self, url):
        self.ws = websocket.create_connection(url, timeout=30, http_no_proxy=["127.0.0.1"])
        self.next_id = 1
        self.events = []

    def _recv(self):
        return json.loads(self.ws.recv())

    async def call(self, method, params):
        request_id = self.next_id
        self.next_id += 1
        self.ws.send(json.dumps({"id": request_id, "method": method, "params": params}))
        while True:
            message = await asyncio.get_running_loop().run_in_executor(None, self._recv)
            if message.get("id") == request_id:
                return message
            self.events.append(message)

    async def next_event(self):
        if self.events:
            return self.events.pop(0)
        return await asyncio.get_running_loop().run_in_executor(None, self._recv)


class PipeSignalling:
    """Requests as {"signal": ...} lines on stdout, replies as JSON lines on stdin."""

    def __init__(self):
        self.next_id = 1

    async def call(self, method, params):
        request = {"id": self.next_id, "method": method, "params": params}
        self.next_id += 1
        print(json.dumps({"signal": request}), flush=True)
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        return json.loads(line)

    async def next_event(self):
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        return json.loads(line)


def tone_ratio(chunks):
    """Energy at TONE_HZ over the mean of the spectrum, from decoded s16 frames."""
    if not chunks:
        return 0.0
    pcm = numpy.concatenate(chunks).astype(numpy.float64)
    pcm = pcm[-SAMPLE_RATE * 2:] if len(pcm) > SAMPLE_RATE * 2 else pcm
    spectrum = numpy.abs(numpy.fft.rfft(pcm * numpy.hanning(len(pcm))))
    freqs = numpy.fft.rfftfreq(len(pcm), 1 / SAMPLE_RATE)
    band = (freqs > TONE_HZ - 20) & (freqs < TONE_HZ + 20)
    return float(spectrum[band].max() / (spectrum.mean() + 1e-9))


async def consume(track, report, audio_chunks):
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        if track.kind == "video":
            report["video_frames"] += 1
            report["video_size"] = [frame.width, frame.height]
        else:
            report["audio_frames"] += 1
            samples = frame.to_ndarray()
            # Interleaved stereo s16 from aiortc's Opus decoder: keep one channel.
            channels = len(frame.layout.channels)
            audio_chunks.append(samples.reshape(-1)[::channels] if channels > 1
                                else samples.reshape(-1))


BAD_COUNT = 5


async def inject_bad(pc):
    """Sends the --inject-bad datagrams through aiortc's own DTLS-SRTP and ICE objects."""
    dtls = pc.getTransceivers()[0].sender.transport
    ice = dtls.transport
    for i in range(BAD_COUNT):
        rtp_unknown = struct.pack("!BBHII", 0x80, 127, 1000 + i, 1234 * i, 0xBADC0DE) + b"x" * 40
        await dtls._send_rtp(rtp_unknown)
        # An SR whose length word claims more than the packet holds.
        rtcp_bad = struct.pack("!BBHI", 0x80, 200, 40, 0xBADC0DE) + b"\0" * 20
        await dtls._send_rtp(rtcp_bad)
        await ice._send(struct.pack("!BBHII", 0x80, 96, i, 0, 1) + os.urandom(60))
        await ice._send(b"\xff" * 40)
        await ice._send(bad_stun_check(ice._connection))
        # A USERNAME attribute claiming 64 bytes in a message that holds 4.
        await ice._send(struct.pack("!HHI12sHH4s", 0x0001, 8, 0x2112A442, os.urandom(12),
                                    0x0006, 64, b"abcd"))
        # Larger than any datagram WebRTC sends (the server's buffers are 2 KiB).
        await ice._send(b"\x80" + os.urandom(2999))
    # The same kind of bytes from another port: not the remote the server selected.
    server = ice._connection._nominated[1].remote_addr
    with socket.socket(socket.AF_INET6 if ":" in server[0] else socket.AF_INET,
                       socket.SOCK_DGRAM) as other:
        for i in range(BAD_COUNT):
            other.sendto(struct.pack("!BBHII", 0x80, 96, i, 0, 1) + os.urandom(60), server)


def bad_stun_check(connection):
    """A well-formed Binding request (the right USERNAME, a valid FINGERPRINT) signed
    with a password that is not the server's."""
    msg = stun.Message(message_method=stun.Method.BINDING,
                       message_class=stun.Class.REQUEST)
    msg.attributes["USERNAME"] = f"{connection.remote_username}:{connection.local_username}"
    msg.attributes["PRIORITY"] = 1
    msg.add_message_integrity(b"not the password")  # and FINGERPRINT
    return bytes(msg)


def tamper(sdp):
    """Changes the first byte of every a=fingerprint value."""
    def swap(match):
        first = match.group(2)
        return match.group(1) + ("00" if first != "00" else "11")
    return re.sub(r"(a=fingerprint:\S+ )([0-9A-Fa-f]{2})", swap, sdp)


async def run(args):
    report = {"ok": False, "video_frames": 0, "audio_frames": 0, "video_size": None,
              "states": [], "errors": []}
    audio_chunks = []
    sig = PipeSignalling() if args.url == "-" else Signalling(args.url)
    pc = RTCPeerConnection()
    consumers = []

    @pc.on("track")
    def on_track(track):
        consumers.append(asyncio.ensure_future(consume(track, report, audio_chunks)))

    @pc.on("connectionstatechange")
    def on_state():
        report["states"].append(pc.connectionState)

    pc.addTrack(ToneTrack())
    pc.addTrack(PatternTrack())

    if args.server_offer:
        reply = await sig.call("peer.create", {"room": "echo"})
        if "error" in reply:
            report["errors"].append(reply["error"])
            return report
        report["peer"] = reply["result"]["peer"]
        await pc.setRemoteDescription(RTCSessionDescription(reply["result"]["offer"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        reply = await sig.call("peer.answer", {"peer": report["peer"],
                                               "answer": pc.localDescription.sdp})
        if "error" in reply:
            report["errors"].append(reply["error"])
            return report
    else:
        await pc.setLocalDescription(await pc.createOffer())
        offer = pc.localDescription.sdp
        if args.tamper_fingerprint:
            offer = tamper(offer)
        reply = await sig.call("peer.create", {"room": "echo", "offer": offer})
        if "error" in reply:
            report["errors"].append(reply["error"])
            return report
        report["peer"] = reply["result"]["peer"]
        await pc.setRemoteDescription(RTCSessionDescription(reply["result"]["answer"], "answer"))

    if args.tamper_fingerprint:
        # The server must close the peer: wait for its failed state event.
        deadline = time.time() + args.seconds
        while time.time() < deadline:
            event = await asyncio.wait_for(sig.next_event(), deadline - time.time())
            if event.get("event") == "peer.state":
                report["server_states"] = report.get("server_states", []) + [event["data"]]
                if event["data"]["state"] in ("failed", "closed"):
                    break
        report["ok"] = True
        await pc.close()
        return report

    deadline = time.time() + args.seconds
    injected = not args.inject_bad
    while time.time() < deadline:
        await asyncio.sleep(0.25)
        if not injected and report["video_frames"] > 5:
            await inject_bad(pc)
            injected = True
        if (report["video_frames"] >= args.min_frames and
                report["audio_frames"] >= args.min_frames and time.time() > deadline - 1):
            break
    report["tone_ratio"] = tone_ratio(audio_chunks)
    stats = await sig.call("peer.stats", {"peer": report["peer"]})
    report["server_stats"] = stats.get("result")
    report["ok"] = True
    if args.hold:
        print(json.dumps({"report": report}), flush=True)
        await asyncio.sleep(3600)
    reply = await sig.call("peer.close", {"peer": report["peer"]})
    report["close_reply"] = reply
    for task in consumers:
        task.cancel()
    await pc.close()
    return report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--server-offer", action="store_true")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--min-frames", type=int, default=30)
    parser.add_argument("--hold", action="store_true")
    parser.add_argument("--tamper-fingerprint", action="store_true")
    parser.add_argument("--inject-bad", action="store_true")
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print(json.dumps({"report": report}), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
