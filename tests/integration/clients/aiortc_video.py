# SPDX-License-Identifier: MIT
"""An aiortc participant of a Cầu mcu room with video, run as its own process by the tests.

It sends silence (Opus) and, with --colour R,G,B, a solid colour picture (VP8, --size,
15 fps); without --colour it sends no video at all (an audio-only member: the room shows
its name tile). It decodes the composed picture the server sends and, with --dump PATH,
keeps writing the latest decoded frame there (numpy .npy, RGB, replaced atomically about
twice a second) for the test to look at. With --remb BPS it reports a receive estimate of
BPS bits per second to the server (REMB, every 250 ms). It prints one JSON report line:

  {"report": {"ok": true, "peer": "...", "frames": N, "sizes": {"640x360": N, ...},
              "last_size": "320x180", "errors": [...]}}

Usage: aiortc_video.py WS_URL --room mcu:NAME [--colour R,G,B] [--size WxH] [--name NAME]
                       [--seconds S] [--dump PATH] [--remb BPS]
"""

import argparse
import asyncio
import fractions
import json
import os
import sys
import time

import numpy
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket, pack_remb_fci
from av import VideoFrame

from aiortc_echo import Signalling
from aiortc_mcu import ToneTrack

FPS = 15


class ColourTrack(MediaStreamTrack):
    """A solid colour picture, FPS frames a second, paced in real time."""

    kind = "video"

    def __init__(self, rgb, width, height):
        super().__init__()
        self._img = numpy.zeros((height, width, 3), numpy.uint8)
        self._img[:, :] = rgb
        self._count = 0
        self._start = None

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.time()
        else:
            await asyncio.sleep(max(0, self._start + self._count / FPS - time.time()))
        frame = VideoFrame.from_ndarray(self._img, format="rgb24")
        frame.pts = self._count * (90000 // FPS)
        frame.time_base = fractions.Fraction(1, 90000)
        self._count += 1
        return frame


async def consume_video(track, report, dump):
    last_dump = 0.0
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        size = f"{frame.width}x{frame.height}"
        report["frames"] += 1
        report["sizes"][size] = report["sizes"].get(size, 0) + 1
        report["last_size"] = size
        if dump and time.time() - last_dump > 0.5:
            last_dump = time.time()
            tmp = dump + ".tmp.npy"
            numpy.save(tmp, frame.to_ndarray(format="rgb24"))
            os.replace(tmp, dump)


async def consume_audio(track):
    while True:
        try:
            await track.recv()
        except MediaStreamError:
            return


async def send_remb(pc, bps):
    """Reports bps as this receiver's estimate for what the server sends, as a browser
    would from its bandwidth estimator."""
    while True:
        for receiver in pc.getReceivers():
            if receiver.track.kind != "video":
                continue
            rtcp_ssrc = getattr(receiver, "_RTCRtpReceiver__rtcp_ssrc", None)
            if rtcp_ssrc is None:
                continue
            packet = RtcpPsfbPacket(fmt=RTCP_PSFB_APP, ssrc=rtcp_ssrc, media_ssrc=0,
                                    fci=pack_remb_fci(bps, []))
            try:
                await receiver._send_rtcp(packet)
            except Exception:  # noqa: BLE001 - not connected yet
                pass
        await asyncio.sleep(0.25)


async def run(args):
    report = {"ok": False, "colour": args.colour, "frames": 0, "sizes": {}, "last_size": None,
              "states": [], "errors": []}
    sig = Signalling(args.url)
    pc = RTCPeerConnection()
    tasks = []

    @pc.on("track")
    def on_track(track):
        if track.kind == "video":
            tasks.append(asyncio.ensure_future(consume_video(track, report, args.dump)))
        else:
            tasks.append(asyncio.ensure_future(consume_audio(track)))

    @pc.on("connectionstatechange")
    def on_state():
        report["states"].append(pc.connectionState)

    pc.addTrack(ToneTrack(0))
    if args.colour:
        rgb = [int(c) for c in args.colour.split(",")]
        width, height = (int(x) for x in args.size.split("x"))
        pc.addTrack(ColourTrack(rgb, width, height))
    else:
        pc.addTransceiver("video", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    params = {"room": args.room, "offer": pc.localDescription.sdp}
    if args.name:
        params["name"] = args.name
    reply = await sig.call("peer.create", params)
    if "error" in reply:
        report["errors"].append(reply["error"])
        return report
    report["peer"] = reply["result"]["peer"]
    await pc.setRemoteDescription(RTCSessionDescription(reply["result"]["answer"], "answer"))
    if args.remb:
        tasks.append(asyncio.ensure_future(send_remb(pc, args.remb)))

    await asyncio.sleep(args.seconds)
    stats = await sig.call("peer.stats", {"peer": report["peer"]})
    report["server_stats"] = stats.get("result")
    report["ok"] = True
    await sig.call("peer.close", {"peer": report["peer"]})
    for task in tasks:
        task.cancel()
    await pc.close()
    return report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--room", required=True)
    parser.add_argument("--colour")
    parser.add_argument("--size", default="320x180")
    parser.add_argument("--name")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--dump")
    parser.add_argument("--remb", type=int, default=0)
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print(json.dumps({"report": report}), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
