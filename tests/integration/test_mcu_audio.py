# SPDX-License-Identifier: MIT
"""The mcu room driven by aiortc clients: three participants each send their own tone and
each hears the other two and not itself (the N-1 mixes of three speakers); a fourth that
sends silence hears all three (the shared full mix). The room's mixer counters are on
/metrics while it lives, and the room is gone once everyone has left."""

import json
import subprocess
from pathlib import Path

import pytest

from cau_harness import SYSTEM_PYTHON, metrics, wait_for

from test_webrtc_aiortc import client_env, have_aiortc

CLIENT = Path(__file__).resolve().parent / "clients" / "aiortc_mcu.py"
TONES = [440, 660, 990]
ROOM = "mcu:test"

pytestmark = pytest.mark.skipif(not have_aiortc(),
                                reason=f"{SYSTEM_PYTHON} lacks aiortc (python3-aiortc)")


def start_client(server, tone, seconds):
    return subprocess.Popen([SYSTEM_PYTHON, str(CLIENT), server.ws_url, "--room", ROOM,
                             "--tone", str(tone), "--seconds", str(seconds),
                             "--measure", *map(str, TONES)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=client_env())


def finish_client(server, proc, timeout=60):
    """Waits for the client; returns its report (fails with its output)."""
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
    reports = [json.loads(line)["report"] for line in stdout.splitlines()
               if line.startswith('{"report"')]
    assert reports, (f"aiortc client printed no report (exit {proc.returncode})\n"
                     f"stdout: {stdout}\nstderr: {stderr[-4000:]}\n"
                     f"{server.describe()[-6000:]}")
    return reports[-1]


def mixer_metric(server, name):
    assert server.proc.poll() is None, f"the server exited\n{server.describe()[-6000:]}"
    return metrics(server.url).get((name, frozenset({("room", "test")})))


def test_three_speakers_hear_each_other_and_a_listener_hears_all(echo_server):
    server = echo_server()
    # The speakers stay 20 s after their answer: long enough for the listener to join
    # while they talk when four aiortc processes start on a busy machine (at load
    # average 40 they took more than 20 s to be in the mixer, on main too).
    speakers = [start_client(server, tone, 20) for tone in TONES]
    try:
        wait_for(lambda: mixer_metric(server, "cau_mixer_participants") == 3, 60,
                 message="three participants in the mixer")
        listener = start_client(server, 0, 8)
        wait_for(lambda: mixer_metric(server, "cau_mixer_participants") == 4, 60,
                 message="the listener in the mixer")
        wait_for(lambda: mixer_metric(server, "cau_mixer_speakers") == 3, 20,
                 message="three speakers")
        during = metrics(server.url)
        listener_report = finish_client(server, listener)
        reports = [finish_client(server, proc) for proc in speakers]
    finally:
        for proc in speakers:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    print()
    for report in reports + [listener_report]:
        print(f"tone {report['tone']:>4} Hz heard (dB): {report.get('levels_db')}")
    for tone, report in zip(TONES, reports):
        assert report["ok"] and report["errors"] == [], report
        assert report["audio_frames"] >= 250, report
        levels = report["levels_db"]
        own = levels[str(tone)]
        others = [levels[str(t)] for t in TONES if t != tone]
        for level in others:
            assert level > -30, (tone, levels)
            assert level - own >= 20, (tone, levels)
    assert listener_report["ok"] and listener_report["errors"] == [], listener_report
    for tone in TONES:
        assert listener_report["levels_db"][str(tone)] > -30, listener_report

    key = frozenset({("room", "test")})
    assert during[("cau_mixer_speakers", key)] == 3, during
    assert during[("cau_mixer_participants", key)] == 4, during
    assert during[("cau_mixer_decodes_total", key)] > 0, during
    # Three N-1 encodes and one shared one a tick, whatever the number of listeners.
    ticks = during[("cau_mixer_ticks_total", key)]
    assert during[("cau_mixer_encodes_total", key)] <= 4 * ticks, during
    wait_for(lambda: mixer_metric(server, "cau_mixer_participants") is None, 10,
             message="the room closed once empty")
