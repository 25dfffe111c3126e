# SPDX-License-Identifier: MIT
"""A WHIP publisher or WHEP viewer (RFC 9725) on aiortc, driven line by line by a test.

It POSTs its offer (Content-Type: application/sdp, Authorization: Bearer TOKEN) to
BASE/whip/MEETING (sending a sine tone) or BASE/whep/MEETING (receiving audio), sets the
201's answer, then reads commands, one JSON object a line on stdin, and answers each with
one JSON line on stdout:

  {"cmd": "levels", "seconds": S} -> {"levels": {"440": dB, ...}, "frames": N}
  {"cmd": "state"}                -> {"pc": "connected"}
  {"cmd": "patch", "body": B, "headers": H} -> {"status": N, "body": ...}
  {"cmd": "delete", "token": T}   -> {"status": N, "body": ...} (T: another bearer)
  {"cmd": "quit"}                 -> {"bye": true}

The first line it prints is {"created": {"status", "location", "etag", "content_type"}}
or {"created": {"status", "body"}} when the POST failed.

Usage: whip_client.py BASE_URL whip|whep MEETING TOKEN [--tone HZ] [--measure HZ ...]
                      [--announce-trickle]
"""

import argparse
import asyncio
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from aiortc_mcu import ToneTrack, levels_db

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method, url, body=None, headers=None):
    """(status, headers, body text) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with OPENER.open(request, timeout=30) as reply:
            return reply.status, reply.headers, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


class Client:
    def __init__(self, args):
        self.args = args
        self.pc = RTCPeerConnection()
        self.chunks = []
        self.location = None
        self.consumers = []

    async def consume(self, track):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            samples = frame.to_ndarray()
            channels = len(frame.layout.channels)
            mono = samples.reshape(-1)[::channels] if channels > 1 else samples.reshape(-1)
            self.chunks.append((time.monotonic(), mono))

    async def post(self):
        @self.pc.on("track")
        def on_track(track):
            if track.kind == "audio":
                self.consumers.append(asyncio.ensure_future(self.consume(track)))

        if self.args.kind == "whip":
            self.pc.addTransceiver(ToneTrack(self.args.tone), direction="sendonly")
        else:
            self.pc.addTransceiver("audio", direction="recvonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        offer = self.pc.localDescription.sdp
        if self.args.announce_trickle:  # as browsers do, even with every candidate in it
            offer = offer.replace("\r\nt=0 0\r\n", "\r\nt=0 0\r\na=ice-options:trickle\r\n", 1)
            assert "a=ice-options:trickle" in offer
        url = f"{self.args.base}/{self.args.kind}/{self.args.meeting}"
        status, headers, body = await asyncio.to_thread(
            http, "POST", url, offer.encode(),
            {"Content-Type": "application/sdp", "Authorization": f"Bearer {self.args.token}"})
        if status != 201:
            return {"status": status, "body": body}
        self.location = urllib.parse.urljoin(url, headers["Location"])
        await self.pc.setRemoteDescription(RTCSessionDescription(body, "answer"))
        return {"status": status, "location": headers["Location"], "etag": headers["ETag"],
                "content_type": headers["Content-Type"],
                "candidates": body.count("a=candidate:"),
                "end_of_candidates": "a=end-of-candidates" in body}

    async def command(self, cmd):
        kind = cmd["cmd"]
        if kind == "levels":
            seconds = cmd.get("seconds", 1.5)
            since = time.monotonic() - seconds
            recent = [c for t, c in self.chunks if t >= since]
            return {"levels": levels_db(recent, self.args.measure, seconds),
                    "frames": len(recent)}
        if kind == "state":
            return {"pc": self.pc.connectionState}
        if kind in ("patch", "delete"):
            headers = {"Authorization": f"Bearer {cmd.get('token', self.args.token)}",
                       **cmd.get("headers", {})}
            body = cmd["body"].encode() if "body" in cmd else None
            status, _, text = await asyncio.to_thread(
                http, kind.upper(), self.location, body, headers)
            return {"status": status, "body": text}
        return {"error": f"unknown command {kind}"}

    async def close(self):
        for task in self.consumers:
            task.cancel()
        await self.pc.close()


async def run(args):
    me = Client(args)
    print(json.dumps({"created": await me.post()}), flush=True)
    while True:
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        cmd = json.loads(line)
        if cmd["cmd"] == "quit":
            break
        print(json.dumps(await me.command(cmd)), flush=True)
    await me.close()
    print(json.dumps({"bye": True}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("kind", choices=["whip", "whep"])
    parser.add_argument("meeting", type=int)
    parser.add_argument("token")
    parser.add_argument("--tone", type=int, default=0)
    parser.add_argument("--announce-trickle", action="store_true",
                        help="put a=ice-options:trickle in the offer")
    parser.add_argument("--measure", type=int, nargs="*", default=[440, 660, 990])
    asyncio.run(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
