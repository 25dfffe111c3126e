# SPDX-License-Identifier: MIT
"""An aiortc participant of a Cầu mcu room, run as its own process by the tests.

It sends a sine tone (Opus, or silence with --tone 0), records the audio the server
sends it, and prints one JSON report line:

  {"report": {"ok": true, "peer": "...", "audio_frames": N,
              "levels_db": {"440": L, "660": L, ...}, "errors": [...], ...}}

levels_db: for each --measure frequency, the peak of the magnitude spectrum (dB, relative
to full scale of a sine) within 15 Hz of it, over the last --window seconds received.

Usage: aiortc_mcu.py WS_URL --room mcu:NAME [--tone HZ] [--seconds S] [--window S]
                     [--measure HZ ...]
"""

import argparse
import asyncio
import fractions
import json
import math
import sys
import time

import numpy
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AUDIO_PTIME, MediaStreamError, MediaStreamTrack
from av import AudioFrame

from aiortc_echo import Signalling

SAMPLE_RATE = 48000
AMPLITUDE = 0.25  # three of them summed stay below full scale


class ToneTrack(MediaStreamTrack):
    """A sine at hz (0: silence), mono s16 at 48 kHz, in 20 ms frames, paced in real time."""

    kind = "audio"

    def __init__(self, hz):
        super().__init__()
        self._hz = hz
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
        pcm = (AMPLITUDE * 32767 * numpy.sin(2 * math.pi * self._hz * t)).astype(numpy.int16)
        frame = AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        self._pts += self._samples
        return frame


def levels_db(chunks, freqs, window_s):
    """Peak spectrum magnitude near each frequency, in dB relative to a full-scale sine."""
    if not chunks:
        return {str(f): -200.0 for f in freqs}
    pcm = numpy.concatenate(chunks).astype(numpy.float64) / 32768.0
    pcm = pcm[-int(SAMPLE_RATE * window_s):]
    window = numpy.hanning(len(pcm))
    spectrum = numpy.abs(numpy.fft.rfft(pcm * window)) * 2 / window.sum()
    bins = numpy.fft.rfftfreq(len(pcm), 1 / SAMPLE_RATE)
    out = {}
    for f in freqs:
        band = (bins > f - 15) & (bins < f + 15)
        out[str(f)] = round(float(20 * math.log10(spectrum[band].max() + 1e-10)), 1)
    return out


async def consume(track, report, chunks):
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        report["audio_frames"] += 1
        samples = frame.to_ndarray()
        channels = len(frame.layout.channels)
        chunks.append(samples.reshape(-1)[::channels] if channels > 1 else samples.reshape(-1))


async def run(args):
    report = {"ok": False, "tone": args.tone, "audio_frames": 0, "states": [], "errors": []}
    chunks = []
    sig = Signalling(args.url)
    pc = RTCPeerConnection()
    consumers = []

    @pc.on("track")
    def on_track(track):
        consumers.append(asyncio.ensure_future(consume(track, report, chunks)))

    @pc.on("connectionstatechange")
    def on_state():
        report["states"].append(pc.connectionState)

    pc.addTrack(ToneTrack(args.tone))
    await pc.setLocalDescription(await pc.createOffer())
    reply = await sig.call("peer.create", {"room": args.room, "offer": pc.localDescription.sdp})
    if "error" in reply:
        report["errors"].append(reply["error"])
        return report
    report["peer"] = reply["result"]["peer"]
    await pc.setRemoteDescription(RTCSessionDescription(reply["result"]["answer"], "answer"))

    await asyncio.sleep(args.seconds)
    report["levels_db"] = levels_db(chunks, args.measure, args.window)
    stats = await sig.call("peer.stats", {"peer": report["peer"]})
    report["server_stats"] = stats.get("result")
    report["ok"] = True
    reply = await sig.call("peer.close", {"peer": report["peer"]})
    report["close_reply"] = reply
    for task in consumers:
        task.cancel()
    await pc.close()
    return report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--room", required=True)
    parser.add_argument("--tone", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--window", type=float, default=3)
    parser.add_argument("--measure", type=int, nargs="*", default=[440, 660, 990])
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print(json.dumps({"report": report}), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
