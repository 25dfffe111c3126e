# SPDX-License-Identifier: MIT
"""Lip sync of a live meeting in a real browser: an aiortc participant whose camera
flashes white and whose microphone beeps at the same instants (one capture clock) sends
to an mcu room; Chromium joins the room (the echo page) and records, on its own clock,
when each composed frame is presented and when the mixed audio reaches its output
(av-sync-page.mjs). Each flash's onset in the picture is compared with the nearest beep's
onset in the sound; once Chromium has had SETTLE_S to move its picture, the median must
be inside ITU-R BT.1359's window of detectability (sound at most 125 ms after the
picture, 45 ms before). The page's measure adds to the offset: the first composite
frame drawn after a flash shows it (up to 33 ms late), Chromium leaves offsets under
30 ms alone, and the sound is taken through Web Audio (without the sender's jitter the
median came out at -25 ms).

The sender sends each audio frame up to JITTER_MS late, at random (its timestamps stay
the capture clock's), as a congested link would: the server's jitter buffer for that
speaker then holds about that much, so the mix leaves the server later than the
composite, which draws each source's latest frame. The server tells the browser so: the
composite's RTCP sender reports map its RTP clock later by the speakers' jitter-buffer
delay, and Chromium, which synchronises the audio and video of one stream, holds the
picture back by it. Without that (the server before 891c849) the picture led the sound
by about the jitter buffer's delay: medians of -195 to -225 ms here, against -38 to -93
ms with it (and -105 ms before the delay was held across changes of speaker, the page's fake
microphone beeping in between with a 40 ms jitter buffer)."""

import subprocess
import sys

import pytest

from cau_harness import SYSTEM_PYTHON, metrics, wait_for

from page_runner import BROWSER_DIR, run_page_script

INTEGRATION_DIR = BROWSER_DIR.parent / "integration"
sys.path.insert(0, str(INTEGRATION_DIR))
from test_recording_av_sync import onsets, pair_offsets  # noqa: E402
from test_webrtc_aiortc import client_env, have_aiortc  # noqa: E402

CLIENT = INTEGRATION_DIR / "clients" / "aiortc_flash.py"
ROOM = "mcu:sync"
# ITU-R BT.1359: sound after picture is detectable from 125 ms, sound before picture from
# 45 ms (offsets here are picture minus sound: negative when the sound is late).
SOUND_LATE_MS, SOUND_EARLY_MS = 125, 45
JITTER_MS = 150
RECORD_S = 48
SETTLE_S = 22  # Chromium moves its picture a few tens of ms a second: judged after this
PAIR_WITHIN_MS = 500  # a flash and a beep further apart are not the same event
FIRST_S, PERIOD_S, LENGTH_S = 2.0, 1.2, 0.3

pytestmark = pytest.mark.skipif(not have_aiortc(),
                                reason=f"{SYSTEM_PYTHON} lacks aiortc (python3-aiortc)")


def record_page(url, seconds, during):
    """Runs av-sync-page.mjs; calls during() every 0.5 s while it runs."""
    return run_page_script("av-sync-page.mjs", [url, seconds], seconds + 120, during, 0.5)


def test_flash_and_beep_play_together_in_chromium(echo_server):
    server = echo_server({"video": {"layout": "grid"}})
    room = frozenset({("room", "sync")})
    sender = subprocess.Popen(
        [SYSTEM_PYTHON, str(CLIENT), server.ws_url, "-", "--room", ROOM,
         "--seconds", str(RECORD_S + 90), "--first", str(FIRST_S), "--period",
         str(PERIOD_S), "--length", str(LENGTH_S), "--audio-jitter-ms", str(JITTER_MS)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=client_env())
    try:
        wait_for(lambda: metrics(server.url).get(("cau_video_sources", room)) == 1
                 or sender.poll() is not None, 30, message="the flashing sender composed")
        assert sender.poll() is None, sender.communicate()
        delays = []
        report = record_page(f"{server.url}/echo.html?room={ROOM}", RECORD_S, lambda: delays.append(
            metrics(server.url).get(("cau_mixer_speakers_delay_seconds", room))))
        assert sender.poll() is None, sender.communicate()
    finally:
        if sender.poll() is None:
            sender.kill()
            sender.communicate()
    assert report["ok"], report
    assert report["errors"] == [], report["errors"]
    video, audio = report["video"], report["audio"]
    assert len(video) > 10 * RECORD_S and len(audio) > 100 * RECORD_S, (len(video), len(audio))
    # The flashing tile is the half of the picture whose brightness swings the most.
    swing = [max(f[i] for f in video) - min(f[i] for f in video) for i in (1, 2)]
    half = 1 if swing[0] >= swing[1] else 2
    flashes, vrange = onsets([(f[0], f[half]) for f in video])
    beeps, arange = onsets(audio)
    pairs = pair_offsets(flashes, beeps, PAIR_WITHIN_MS)
    offsets = sorted(o for _, o in pairs)
    t0 = video[0][0]
    settled = sorted(o for t, o in pairs if t - t0 >= SETTLE_S * 1000)
    print(f"\nA/V offsets (video - audio, ms) at t: {[(round(t - t0), round(o)) for t, o in pairs]}"
          f"; speakers' delay (ms) {[round(d * 1000) for d in delays if d is not None]}"
          f"; {len(flashes)} flashes, {len(beeps)} beeps, luminance {vrange}, rms {arange}")
    assert len(offsets) >= 30 and len(settled) >= 16, (flashes, beeps, vrange, arange)
    median = settled[len(settled) // 2]
    assert -SOUND_LATE_MS <= median <= SOUND_EARLY_MS, (median, settled)
