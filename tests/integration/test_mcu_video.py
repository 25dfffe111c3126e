# SPDX-License-Identifier: MIT
"""The mcu room's video driven by aiortc clients: three senders of a solid colour each and
an audio-only member make a 2x2 grid; the audio-only member decodes the composite and finds
each colour in its tile (join order) and its own name tile in the fourth. A receiver that
reports 200 kb/s (REMB) is moved to the lowest tier. The room's video counters are on
/metrics: decodes, one encode per tier whatever the receivers, key frames, tier switches."""

import json
import subprocess
import time
from pathlib import Path

import numpy
import pytest

from cau_harness import SYSTEM_PYTHON, metrics, wait_for

from test_webrtc_aiortc import client_env, have_aiortc

CLIENT = Path(__file__).resolve().parent / "clients" / "aiortc_video.py"
COLOURS = [(220, 30, 30), (30, 200, 40), (40, 60, 230)]
NAME_TILE_BG = (41, 56, 77)  # name_tile.c: a dark slate
ROOM = "vid"

pytestmark = pytest.mark.skipif(not have_aiortc(),
                                reason=f"{SYSTEM_PYTHON} lacks aiortc (python3-aiortc)")


def start_client(server, *args, seconds=40):
    return subprocess.Popen([SYSTEM_PYTHON, str(CLIENT), server.ws_url, "--room", f"mcu:{ROOM}",
                             "--seconds", str(seconds), *args],
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


def stop_all(procs):
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def room_metric(server, name, **labels):
    assert server.proc.poll() is None, f"the server exited\n{server.describe()[-6000:]}"
    key = frozenset({("room", ROOM), *labels.items()})
    return metrics(server.url).get((name, key))


def tile_centres(width, height, columns, rows):
    return [(int((c + 0.5) * width / columns), int((r + 0.5) * height / rows))
            for r in range(rows) for c in range(columns)]


def mean_colour(img, x, y, half=8):
    return img[y - half:y + half, x - half:x + half].reshape(-1, 3).mean(axis=0)


def close(colour, expected, tolerance=40):
    return all(abs(float(a) - b) <= tolerance for a, b in zip(colour, expected))


def grid_check(path):
    """What the latest composite shows in each tile of a 2x2 grid: None while there is no
    frame yet, else (ok, description)."""
    try:
        img = numpy.load(path)
    except (OSError, ValueError):
        return None
    height, width, _ = img.shape
    centres = tile_centres(width, height, 2, 2)
    found = [mean_colour(img, x, y) for x, y in centres]
    ok = all(close(found[i], COLOURS[i]) for i in range(3))
    # The fourth tile: its name in white on the slate background.
    x0, y0 = width // 2, height // 2
    tile = img[y0 + 4:height - 4, x0 + 4:width - 4].reshape(-1, 3).astype(int)
    background = numpy.mean([close(p, NAME_TILE_BG, 25) for p in tile[::7]])
    text = numpy.mean(tile.min(axis=1) > 180)
    ok = ok and background > 0.6 and 0.005 < text < 0.3
    return ok, (f"{width}x{height} tiles {[tuple(int(v) for v in c) for c in found]}, "
                f"name tile: {background:.0%} background, {text:.1%} white")


def test_grid_shows_each_colour_and_a_name_tile(echo_server, tmp_path):
    server = echo_server({"video": {"layout": "grid"}})
    dump = str(tmp_path / "composite.npy")
    procs = []
    try:
        for i, rgb in enumerate(COLOURS):  # one at a time: the grid keeps join order
            procs.append(start_client(server, "--colour", ",".join(map(str, rgb))))
            wait_for(lambda: room_metric(server, "cau_video_sources") == i + 1, 20,
                     message=f"sender {i + 1} in the compositor")
        receiver = start_client(server, "--name", "Xã Tân Phú", "--dump", dump, seconds=30)
        procs.append(receiver)
        last = [None]

        def composite_ok():
            last[0] = grid_check(dump)
            return last[0] is not None and last[0][0]

        wait_for(composite_ok, 30, interval=0.5,
                 message="the composite shows the three colours and the name tile")
        print(f"\ncomposite: {last[0][1]}")
        # The sources' assembler counters are summed into /metrics every 30 ticks, so the
        # third sender's key frame may show up to a second after its colour does.
        wait_for(lambda: (room_metric(server, "cau_video_keyframes_received_total") or 0) >= 3,
                 10, message="a key frame from each of the three senders in /metrics")
        during = metrics(server.url)
        report = finish_client(server, receiver)
    finally:
        stop_all(procs)

    assert report["ok"] and report["errors"] == [], report
    assert report["frames"] > 30, report
    # The receiver was sent one tier only: 640x360 ([video] start_kbps 600, no REMB).
    assert set(report["sizes"]) == {"640x360"}, report
    room = frozenset({("room", ROOM)})
    assert during[("cau_video_frames_decoded_total", room)] > 0, during
    assert during[("cau_video_frames_composed_total", room)] > 0, during
    assert during[("cau_video_keyframes_received_total", room)] >= 3, during
    # Four receivers on one tier: one encode per composed frame, not four.
    encoded = during[("cau_video_frames_encoded_total", room | {("tier", "640x360")})]
    composed = during[("cau_video_frames_composed_total", room)]
    assert 0 < encoded <= composed + 1, during
    assert during[("cau_video_frames_encoded_total", room | {("tier", "1280x720")})] == 0
    assert during[("cau_video_receivers", room | {("tier", "640x360")})] == 4, during
    assert during[("cau_video_corrupt_frames_total", room)] == 0, during
    # The name tile is still: its blocks are skipped ([video] skip_unchanged), the
    # cameras' coded, and the composite above still showed every colour.
    assert during[("cau_video_macroblocks_skipped_total", room)] > 0, during
    assert during[("cau_video_macroblocks_coded_total", room)] > 0, during
    wait_for(lambda: room_metric(server, "cau_video_sources") is None, 10,
             message="the room closed once empty")


def test_receiver_at_200_kbps_gets_the_lowest_tier(echo_server):
    server = echo_server({"video": {"layout": "speaker"}})
    procs = []
    try:
        procs.append(start_client(server, "--colour", "220,30,30", seconds=30))
        wait_for(lambda: room_metric(server, "cau_video_sources") == 1, 20,
                 message="the sender in the compositor")
        weak = start_client(server, "--remb", "200000", seconds=12)
        procs.append(weak)
        wait_for(lambda: room_metric(server, "cau_video_receivers", tier="320x180") == 1, 20,
                 message="the weak receiver on the lowest tier")
        during = metrics(server.url)
        report = finish_client(server, weak)
    finally:
        stop_all(procs)

    print(f"\nweak receiver: {report['sizes']}, server saw REMB "
          f"{report['server_stats']['remb_bps']} b/s")
    assert report["ok"] and report["errors"] == [], report
    assert report["server_stats"]["remb_bps"] == 200000, report
    # It ends on the lowest tier and decodes it (200 kb/s is above that tier's 150 kb/s:
    # every temporal layer of it, 15 fps).
    assert report["last_size"] == "320x180", report
    assert report["sizes"]["320x180"] > 20, report
    room = frozenset({("room", ROOM)})
    assert during[("cau_video_receivers", room | {("tier", "320x180")})] == 1, during
    assert during[("cau_video_receivers", room | {("tier", "640x360")})] == 1, during
    assert during[("cau_video_keyframes_sent_total", room | {("tier", "320x180")})] >= 1


def test_bad_senders_and_pli_floods_are_counted_and_the_view_keeps_going(echo_server, tmp_path):
    """A sender breaks every 7th frame, makes every frame a key frame and changes its
    resolution mid-stream; another member asks for a key frame every 10 ms. The server
    counts it all, rate limits the key frames it encodes (500 ms per tier), and a third
    member keeps decoding the view with the first sender's colour in its tile."""
    server = echo_server({"video": {"layout": "grid"}})
    dump = str(tmp_path / "composite.npy")
    procs = []
    try:
        start = time.monotonic()
        procs.append(start_client(server, "--colour", "220,30,30", "--corrupt", "7",
                                  "--keyframes", "--resize-at", "6", "--resize", "640x480",
                                  seconds=30))
        wait_for(lambda: room_metric(server, "cau_video_sources") == 1, 20,
                 message="the bad sender in the compositor")
        flood_start = time.monotonic()
        procs.append(start_client(server, "--name", "PLI", "--pli-flood", "10", seconds=20))
        wait_for(lambda: room_metric(server, "cau_video_sources") == 2, 20,
                 message="the flooder in the compositor")
        receiver = start_client(server, "--name", "Xem", "--dump", dump, seconds=16)
        procs.append(receiver)

        def red_after_resize():
            if time.monotonic() < start + 9:  # the resize is at 6 s of the sender's
                return False
            try:
                img = numpy.load(dump)
            except (OSError, ValueError):
                return False
            height, width, _ = img.shape
            return close(mean_colour(img, width // 4, height // 4), COLOURS[0])

        wait_for(red_after_resize, 30, interval=0.5,
                 message="the bad sender's colour in its tile after its resolution change")
        before = metrics(server.url)
        time.sleep(2)  # a window in which the view must keep going
        during = metrics(server.url)
        elapsed = time.monotonic() - flood_start
        report = finish_client(server, receiver)
        flooder = finish_client(server, procs[1])
    finally:
        stop_all(procs)

    room = frozenset({("room", ROOM)})
    mid = room | {("tier", "640x360")}
    print(f"\nreceiver: {report['frames']} frames; flooder sent {flooder['plis_sent']} PLIs; "
          f"corrupt {during[('cau_video_corrupt_frames_total', room)]}, "
          f"key frames in {during[('cau_video_keyframes_received_total', room)]}, "
          f"out {during[('cau_video_keyframes_sent_total', mid)]} in {elapsed:.1f} s")
    assert report["ok"] and report["errors"] == [], report
    assert report["frames"] >= 8 * 12, report  # decoding throughout, not stalled
    assert during[("cau_video_frames_sent_total", room)] > \
        before[("cau_video_frames_sent_total", room)] + 2 * 20, (before, during)
    assert during[("cau_video_corrupt_frames_total", room)] >= 2, during
    assert during[("cau_video_keyframes_received_total", room)] >= 50, during
    assert flooder["plis_sent"] >= 200, flooder
    assert during[("cau_video_keyframe_requests_received_total", room)] >= 20, during
    # At most one key frame per 500 ms on the tier everyone gets, whatever the requests.
    assert during[("cau_video_keyframes_sent_total", mid)] <= elapsed / 0.5 + 3, during
