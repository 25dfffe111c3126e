# SPDX-License-Identifier: MIT
"""Audio/video sync of a recording made from a live meeting room: an aiortc participant
whose camera flashes white and whose microphone beeps at the same instants (one capture
clock in the sender) sends to a real mcu room while the chair records it; the WebM is
decoded with GStreamer and each flash's onset in the composite's video is compared with
the nearest beep's onset in the mixed audio. The median over the flashes must be within
40 ms (issue 8). A flash can only appear in the first composite frame drawn after it
arrived, so the video onset is quantised to the composite's frames (33 ms at the top
tier's 30 fps) while the audio onset is exact to 2 ms; that lateness is in the file a
viewer plays, so it counts against the 40 ms rather than being allowed on top of it.

What this test found: the server itself put the video 100-330 ms ahead of the audio on a
loaded machine. Each speaker's audio waits in its adaptive jitter buffer (up to 200 ms,
sized to cover the sender's jitter) before it is mixed, while the composite draws every
source's latest frame as soon as it arrives. The recorder now stamps the composite's
frames later by the mixed speakers' jitter-buffer delay (mcu_room_tap_video()), and the
offset measured here became the Opus decoder's pre-skip, about 6 ms."""

import json
import subprocess
from pathlib import Path

import pytest

from cau_harness import SYSTEM_PYTHON, http_get, metrics, wait_for
from room_fixture import call, join, make_meeting
from test_room_media import participants_in_mixer
from test_webrtc_aiortc import client_env, have_aiortc

CLIENT = Path(__file__).resolve().parent / "clients" / "aiortc_flash.py"
SYNC_MS = 40
PAIR_WITHIN_MS = 400  # a flash and a beep further apart are not the same event
FIRST_S, PERIOD_S, LENGTH_S = 2.0, 1.2, 0.3

pytestmark = pytest.mark.skipif(not have_aiortc(),
                                reason=f"{SYSTEM_PYTHON} lacks aiortc (python3-aiortc)")

DECODE = r"""
import json, sys, gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst
import numpy
Gst.init(None)

def pull(desc):
    pipe = Gst.parse_launch(desc)
    sink = pipe.get_by_name("s")
    pipe.set_state(Gst.State.PLAYING)
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        yield buf.pts, bytes(info.data)
        buf.unmap(info)
    pipe.set_state(Gst.State.NULL)

src = f'filesrc location="{sys.argv[1]}" ! matroskademux'
# Video: the mean luminance of each decoded frame, at its timestamp.
video = [(pts / 1e6, float(numpy.frombuffer(data, numpy.uint8).mean()))
         for pts, data in pull(src + ' ! vp8dec ! videoconvert ! video/x-raw,format=GRAY8 ! '
                               'appsink name=s sync=false emit-signals=false')]
# Audio: the RMS of each 2 ms window, placed by its buffer's timestamp.
audio = []
for pts, data in pull(src + ' ! opusdec ! audioconvert ! '
                      'audio/x-raw,format=S16LE,channels=1,rate=48000 ! '
                      'appsink name=s sync=false emit-signals=false'):
    pcm = numpy.frombuffer(data, numpy.int16).astype(numpy.float64) / 32768
    for i in range(0, len(pcm) - 95, 96):
        audio.append((pts / 1e6 + i / 48.0, float(numpy.sqrt((pcm[i:i + 96] ** 2).mean()))))
print(json.dumps({"video": video, "audio": audio}))
"""


def recorded(server, what):
    return metrics(server.url).get((f"cau_recorder_{what}_total", frozenset()))


def decode(path):
    result = subprocess.run([SYSTEM_PYTHON, "-c", DECODE, str(path)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def onsets(series, quiet_ms=200):
    """Times (ms) where the value rises through the middle of its range after at least
    quiet_ms below it."""
    values = sorted(v for _, v in series)
    low, high = values[len(values) // 10], values[-max(1, len(values) // 100)]
    threshold = (low + high) / 2
    found, last_high = [], None
    for t, v in series:
        if v >= threshold:
            if last_high is None or t - last_high > quiet_ms:
                found.append(t)
            last_high = t
    return found, (low, high)


def pair_offsets(flashes, beeps, within_ms):
    """(flash time, flash - nearest beep) for each flash with a beep within within_ms."""
    pairs = []
    for v in flashes:
        a = min(beeps, key=lambda b: abs(b - v), default=None)
        if a is not None and abs(v - a) < within_ms:
            pairs.append((v, v - a))
    return pairs


def test_flash_and_beep_land_together_in_the_recording(echo_server, tmp_path):
    server = echo_server()
    mid, tokens, admin = make_meeting(server)
    chair, _ = join(server, tokens["CHAIR"])
    seconds = 120  # far more than needed: the sender is stopped once the recording is
    sender = subprocess.Popen(
        [SYSTEM_PYTHON, str(CLIENT), server.ws_url, tokens["A"], "--seconds", str(seconds),
         "--first", str(FIRST_S), "--period", str(PERIOD_S), "--length", str(LENGTH_S)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=client_env())
    try:
        wait_for(lambda: participants_in_mixer(server, mid) == 1 or sender.poll() is not None,
                 30, message="the flashing participant in the mixer")
        assert sender.poll() is None, sender.communicate()
        reply = call(chair, "room.record", {"on": True})
        assert "result" in reply, reply
        rid = reply["result"]["recording"]["id"]
        # 15 s of the room (750 mix packets of 20 ms: about 12 flashes) and 10 s of its
        # composite (300 frames; a starved compositor draws fewer a second), the sender
        # still flashing.
        wait_for(lambda: ((recorded(server, "audio_packets") or 0) >= 750
                          and (recorded(server, "video_frames") or 0) >= 300)
                 or sender.poll() is not None, seconds - 20, message="15 s recorded")
        assert sender.poll() is None, sender.communicate()
        reply = call(chair, "room.record", {"on": False})
        assert reply["result"]["recording"]["state"] == "complete", reply
    finally:
        if sender.poll() is None:
            sender.kill()
            sender.communicate()
    status, _, body = http_get(f"{server.url}/api/v1/meetings/{mid}/recordings/{rid}.webm",
                               headers={"Authorization": f"Bearer {admin.token}"})
    assert status == 200
    path = tmp_path / "sync.webm"
    path.write_bytes(body)
    tracks = decode(path)
    flashes, vrange = onsets(tracks["video"])
    beeps, arange = onsets(tracks["audio"])
    pairs = pair_offsets(flashes, beeps, PAIR_WITHIN_MS)
    offsets = sorted(o for _, o in pairs)
    print(f"A/V offsets (video - audio, ms) at t: {[(round(t), round(o)) for t, o in pairs]}; "
          f"flashes at {[round(t) for t in flashes]}, beeps at {[round(t) for t in beeps]}, "
          f"luminance {vrange}, rms {arange}")
    assert len(offsets) >= 5, (flashes, beeps, vrange, arange)
    median = offsets[len(offsets) // 2]
    assert abs(median) <= SYNC_MS, (median, offsets)
