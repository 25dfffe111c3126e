# SPDX-License-Identifier: MIT
"""The chair's floor and pin on the composed picture of a meeting room: two communes send
a solid colour each (aiortc, joined with their join tokens), a third decodes the room's
picture; after the chair gives the floor to one, that one fills the large tile of the
speaker layout, and after the floor moves to the other, the other does. The chair's
layout choice (grid) is seen on the picture too: A and B each in a tile of their own."""

import json
import subprocess
import time

import numpy
import pytest

from cau_harness import SYSTEM_PYTHON, wait_for
from room_fixture import call, join, make_meeting, ok
from test_mcu_video import CLIENT, close, finish_client, mean_colour, stop_all
from test_webrtc_aiortc import client_env, have_aiortc

RED, GREEN = (220, 30, 30), (30, 200, 40)

pytestmark = pytest.mark.skipif(not have_aiortc(),
                                reason=f"{SYSTEM_PYTHON} lacks aiortc (python3-aiortc)")


def start(server, token, *args, seconds=60):
    return subprocess.Popen([SYSTEM_PYTHON, str(CLIENT), server.ws_url, "--token", token,
                             "--seconds", str(seconds), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=client_env())


def picture(path):
    try:
        return numpy.load(path)
    except (OSError, ValueError, EOFError):
        return None  # not written yet, or being replaced


def large_tile(path):
    """The mean colour in the middle of the speaker layout's large tile (the top four
    fifths of the picture), or None before a picture arrived."""
    img = picture(path)
    if img is None:
        return None
    height, width = img.shape[:2]
    return mean_colour(img, width // 2, int(height * 0.4))


def ids_by_name(chair):
    reply = call(chair, "room.state")
    return {p["name"]: p["id"] for p in reply["result"]["participants"]}


def test_the_floor_holder_fills_the_large_tile(echo_server, tmp_path):
    server = echo_server()
    mid, tokens, _ = make_meeting(server)
    chair, _ = join(server, tokens["CHAIR"])
    dump = tmp_path / "composite.npy"
    procs = []
    try:
        procs.append(start(server, tokens["A"], "--colour", ",".join(map(str, RED))))
        procs.append(start(server, tokens["B"], "--colour", ",".join(map(str, GREEN))))
        procs.append(start(server, tokens["C"], "--dump", str(dump)))
        wait_for(lambda: {"Phòng họp A", "Phòng họp B", "Phòng họp C"} <= set(ids_by_name(chair)),
                 30, message="the three communes seated")
        ids = ids_by_name(chair)
        wait_for(lambda: picture(dump) is not None, 40, message="a composed picture decoded")

        ok(chair, "room.floor.grant", {"participant": ids["Phòng họp A"]})
        wait_for(lambda: (c := large_tile(dump)) is not None and close(c, RED), 30,
                 message=f"A (red) large after its grant; saw {large_tile(dump)}")
        ok(chair, "room.floor.revoke")
        ok(chair, "room.floor.grant", {"participant": ids["Phòng họp B"]})
        wait_for(lambda: (c := large_tile(dump)) is not None and close(c, GREEN), 30,
                 message=f"B (green) large after its grant; saw {large_tile(dump)}")

        # The chair's grid: no large tile any more, A, B and C's name tile each in a tile of
        # their own. Three sources make two tiles above and one centred below; which
        # participant takes which tile is the order they reached the mcu room, which three
        # clients started at once do not fix, so the test looks at all three tiles.
        ok(chair, "room.layout", {"layout": "grid"})

        def grid_shows_both():
            img = picture(dump)
            if img is None:
                return False
            height, width = img.shape[:2]
            tiles = [mean_colour(img, x, y) for x, y in ((width // 4, height // 4),
                                                         (3 * width // 4, height // 4),
                                                         (width // 2, 3 * height // 4))]
            return (sum(close(c, RED) for c in tiles) == 1 and
                    sum(close(c, GREEN) for c in tiles) == 1)

        wait_for(grid_shows_both, 30, message="A and B each in a tile of the grid")
    finally:
        stop_all(procs)
        chair.close()
