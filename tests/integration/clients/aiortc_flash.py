# SPDX-License-Identifier: MIT
"""An aiortc participant of a Cầu meeting room whose camera flashes white and whose
microphone beeps at the same instants, for measuring audio/video sync downstream.

Both tracks are cut from one capture clock: the first frame either track produces fixes
t0, audio frame k (20 ms) is captured at t0 + k * 20 ms and video frame n at
t0 + n / 30 s, each paced to that moment in real time and stamped with it (RTP time from
pts). Events start at t0 + --first and repeat every --period seconds for --length
seconds: the picture is white (else black) and a 1 kHz sine at half scale plays (else
silence). First, period and length are multiples of both frame periods (20 ms and
33.3 ms, i.e. of 100 ms), so each event begins exactly on an audio and a video frame.

It joins with a join token (room.join) and makes its peer in room "meeting" (or, with
the token "-", makes its peer in --room, e.g. an open "mcu:NAME" room of a test server),
sends for --seconds and prints one JSON report line:

  {"report": {"ok": true, "participant": ID, "events": N, "errors": [...]}}

--audio-jitter-ms J sends each audio frame up to J ms late (uniformly at random; the
timestamps stay those of the capture clock), as a congested link would: the server's
jitter buffer for this speaker grows to about J, and the mix is that much later than the
video.

Usage: aiortc_flash.py WS_URL TOKEN [--room R] [--seconds S] [--first S] [--period S]
                       [--length S] [--audio-jitter-ms J]
"""

import argparse
import asyncio
import fractions
import json
import math
import random
import sys
import time

import numpy
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

from aiortc_echo import Signalling

SAMPLE_RATE = 48000
AUDIO_FRAME = 960  # 20 ms
FPS = 30
BEEP_HZ = 1000
WIDTH, HEIGHT = 320, 180


class Schedule:
    """The shared capture clock and the events on it."""

    def __init__(self, first, period, length):
        self.t0 = None
        self.first, self.period, self.length = first, period, length

    def start(self):
        if self.t0 is None:
            self.t0 = time.monotonic()
        return self.t0

    def on(self, t):
        """Whether capture time t (seconds after t0) lies inside an event."""
        if t < self.first - 1e-9:
            return False
        return (t - self.first + 1e-9) % self.period < self.length

    async def pace(self, t):
        await asyncio.sleep(max(0, self.start() + t - time.monotonic()))


class BeepTrack(MediaStreamTrack):
    kind = "audio"

    def __init__(self, schedule, jitter_s=0.0):
        super().__init__()
        self._s = schedule
        self._k = 0
        self._jitter_s = jitter_s
        self._rng = random.Random(7)

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        t = self._k * AUDIO_FRAME / SAMPLE_RATE
        await self._s.pace(t + self._rng.uniform(0, self._jitter_s))
        n = numpy.arange(AUDIO_FRAME) + self._k * AUDIO_FRAME
        pcm = numpy.zeros(AUDIO_FRAME, numpy.int16)
        if self._s.on(t):
            pcm = (0.5 * 32767 * numpy.sin(2 * math.pi * BEEP_HZ * n / SAMPLE_RATE)).astype(
                numpy.int16)
        frame = AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self._k * AUDIO_FRAME
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        self._k += 1
        return frame


class FlashTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, schedule):
        super().__init__()
        self._s = schedule
        self._n = 0
        self._black = numpy.zeros((HEIGHT, WIDTH, 3), numpy.uint8)
        self._white = numpy.full((HEIGHT, WIDTH, 3), 255, numpy.uint8)

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        t = self._n / FPS
        await self._s.pace(t)
        img = self._white if self._s.on(t) else self._black
        frame = VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = self._n * (90000 // FPS)
        frame.time_base = fractions.Fraction(1, 90000)
        self._n += 1
        return frame


async def drain(track):
    while True:
        try:
            await track.recv()
        except MediaStreamError:
            return


async def run(args):
    report = {"ok": False, "events": 0, "errors": []}
    schedule = Schedule(args.first, args.period, args.length)
    sig = Signalling(args.url)
    pc = RTCPeerConnection()
    tasks = []

    @pc.on("track")
    def on_track(track):
        tasks.append(asyncio.ensure_future(drain(track)))

    pc.addTrack(BeepTrack(schedule, args.audio_jitter_ms / 1000))
    pc.addTrack(FlashTrack(schedule))
    await pc.setLocalDescription(await pc.createOffer())
    if args.token != "-":
        joined = await sig.call("room.join", {"token": args.token})
        if "error" in joined:
            report["errors"].append(joined["error"])
            return report
        report["participant"] = joined["result"]["participant"]["id"]
    reply = await sig.call("peer.create", {"room": args.room, "offer": pc.localDescription.sdp})
    if "error" in reply:
        report["errors"].append(reply["error"])
        return report
    await pc.setRemoteDescription(RTCSessionDescription(reply["result"]["answer"], "answer"))
    await asyncio.sleep(args.seconds)
    report["events"] = max(0, math.floor((args.seconds - args.first) / args.period))
    report["ok"] = True
    for task in tasks:
        task.cancel()
    await pc.close()
    return report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("--room", default="meeting")
    parser.add_argument("--audio-jitter-ms", type=float, default=0)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--first", type=float, default=2.0)
    parser.add_argument("--period", type=float, default=1.2)
    parser.add_argument("--length", type=float, default=0.3)
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print(json.dumps({"report": report}), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
