# SPDX-License-Identifier: MIT
"""An aiortc participant of a Cầu mcu room with video, run as its own process by the tests.

It sends silence (Opus) and, with --colour R,G,B, a solid colour picture (VP8, --size,
15 fps); without --colour it sends no video at all (an audio-only member: the room shows
its name tile). It decodes the composed picture the server sends and, with --dump PATH,
keeps writing the latest decoded frame there (numpy .npy, RGB, replaced atomically about
twice a second) for the test to look at. With --remb BPS it reports a receive estimate of
BPS bits per second to the server (REMB, every 250 ms).

Bad input, for the robustness tests: --corrupt N breaks every Nth VP8 frame it sends (the
first partition's size in the frame tag set beyond the data, which libvpx refuses);
--keyframes makes every frame a key frame (a sender flooding key frames); --resize-at S
switches the camera to --resize WxH after S seconds (a resolution change mid-stream);
--pli-flood MS asks the server for a key frame (PLI) every MS milliseconds.

It prints one JSON report line:

  {"report": {"ok": true, "peer": "...", "frames": N, "sizes": {"640x360": N, ...},
              "last_size": "320x180", "errors": [...]}}

With --token TOKEN it takes a seat in a meeting room (room.join) and makes its peer in
room "meeting" instead of --room; its report then has "participant", the seat's id.

Usage: aiortc_video.py WS_URL (--room mcu:NAME | --token TOKEN) [--colour R,G,B] [--size WxH] [--name NAME]
                       [--seconds S] [--dump PATH] [--remb BPS] [--corrupt N] [--keyframes]
                       [--resize-at S --resize WxH] [--pli-flood MS]
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
from aiortc.codecs import vpx
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket, pack_remb_fci
from av import VideoFrame

from aiortc_echo import Signalling
from aiortc_mcu import ToneTrack

FPS = 15


class ColourTrack(MediaStreamTrack):
    """A solid colour picture, FPS frames a second, paced in real time."""

    kind = "video"

    def __init__(self, rgb, width, height, resize_at=None, resize=None):
        super().__init__()
        self._rgb = rgb
        self._img = self._picture(width, height)
        self._count = 0
        self._start = None
        self._resize_at = resize_at
        self._resize = resize

    def _picture(self, width, height):
        img = numpy.zeros((height, width, 3), numpy.uint8)
        img[:, :] = self._rgb
        return img

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.time()
        else:
            await asyncio.sleep(max(0, self._start + self._count / FPS - time.time()))
        if self._resize_at is not None and time.time() - self._start >= self._resize_at:
            self._img = self._picture(*self._resize)
            self._resize_at = None
        frame = VideoFrame.from_ndarray(self._img, format="rgb24")
        frame.pts = self._count * (90000 // FPS)
        frame.time_base = fractions.Fraction(1, 90000)
        self._count += 1
        return frame


def descriptor_length(payload):
    """The size of the RFC 7741 payload descriptor at the start of payload."""
    n = 1
    if payload[0] & 0x80:
        ext = payload[1]
        n = 2
        if ext & 0x80:
            n += 2 if payload[n] & 0x80 else 1
        if ext & 0x40:
            n += 1
        if ext & 0x30:
            n += 1
    return n


def misbehave(every, keyframes, report):
    """Patches aiortc's VP8 encoder: every Nth frame broken, or every frame a key frame."""
    encode = vpx.Vp8Encoder.encode

    def bad_encode(self, frame, force_keyframe=False):
        payloads, timestamp = encode(self, frame, force_keyframe or keyframes)
        report["frames_sent"] += 1
        if every and report["frames_sent"] % every == 0 and payloads:
            first = bytearray(payloads[0])
            at = descriptor_length(first)
            if len(first) > at + 3:
                # Frame tag: keep the key frame bit, version and show bit; the 19-bit first
                # partition size becomes the largest, far beyond the frame.
                first[at] |= 0xE0
                first[at + 1] = 0xFF
                first[at + 2] = 0xFF
                payloads[0] = bytes(first)
                report["frames_corrupted"] += 1
        return payloads, timestamp

    vpx.Vp8Encoder.encode = bad_encode


async def flood_plis(pc, every_ms, report):
    while True:
        for receiver in pc.getReceivers():
            if receiver.track.kind != "video":
                continue
            for source in receiver.getSynchronizationSources():
                try:
                    await receiver._send_rtcp_pli(source.source)
                    report["plis_sent"] += 1
                except Exception:  # noqa: BLE001 - not connected yet
                    pass
        await asyncio.sleep(every_ms / 1000)


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
              "frames_sent": 0, "frames_corrupted": 0, "plis_sent": 0, "states": [],
              "errors": []}
    if args.corrupt or args.keyframes:
        misbehave(args.corrupt, args.keyframes, report)
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
        resize = tuple(int(x) for x in args.resize.split("x")) if args.resize else None
        pc.addTrack(ColourTrack(rgb, width, height, args.resize_at, resize))
    else:
        pc.addTransceiver("video", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    room = args.room
    if args.token:
        # A seat of a meeting room first (room.join), then its peer in room "meeting".
        joined = await sig.call("room.join", {"token": args.token})
        if "error" in joined:
            report["errors"].append(joined["error"])
            return report
        report["participant"] = joined["result"]["participant"]["id"]
        room = "meeting"
    params = {"room": room, "offer": pc.localDescription.sdp}
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
    if args.pli_flood:
        tasks.append(asyncio.ensure_future(flood_plis(pc, args.pli_flood, report)))

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
    parser.add_argument("--room", default="meeting")
    parser.add_argument("--token", help="join a meeting room with this join token first")
    parser.add_argument("--colour")
    parser.add_argument("--size", default="320x180")
    parser.add_argument("--name")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--dump")
    parser.add_argument("--remb", type=int, default=0)
    parser.add_argument("--corrupt", type=int, default=0)
    parser.add_argument("--keyframes", action="store_true")
    parser.add_argument("--resize-at", type=float)
    parser.add_argument("--resize")
    parser.add_argument("--pli-flood", type=float, default=0)
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print(json.dumps({"report": report}), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
