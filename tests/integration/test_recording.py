# SPDX-License-Identifier: MIT
"""Recording a meeting of Tỉnh Lâm Đồng from its mcu room (mcu:meeting-ID) while aiortc
communes send tones: the operator starts and stops it through the REST API; the WebM file
has an Opus track of the expected duration whose decoded audio carries the tones; it is
downloaded whole and in ranges by an operator and by an invited room's join token; its
signed manifest passes `cau verify` and one changed byte in the recording fails it,
naming the file; the minutes list it. A kill -9 while recording leaves a file that plays
up to within 2 s of the kill, marked failed at the next start; a full disk stops the
recording cleanly (row failed with the reason, the meeting goes on)."""

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from cau_harness import (SYSTEM_PYTHON, ApiClient, admin_client, http_get, metrics, run_cau,
                         wait_for)

from test_webrtc_aiortc import client_env, have_aiortc

CLIENT = Path(__file__).resolve().parent / "clients" / "aiortc_mcu.py"
TONES = [440, 660]

pytestmark = pytest.mark.skipif(not have_aiortc(),
                                reason=f"{SYSTEM_PYTHON} lacks aiortc (python3-aiortc)")


def now_ms():
    return int(time.time() * 1000)


class Meeting:
    """A live meeting with two invited communes, its operator client and server."""


def make_meeting(server):
    m = Meeting()
    m.server = server
    m.admin = admin_client(server)
    for path, lines in [
            ("/units/import", ["code,name,level,parent_code", "LD,Tỉnh Lâm Đồng,tỉnh,",
                               "LD-01,Xã Tân Phú,xã,LD", "LD-02,Phường Xuân Hương - Đà Lạt,phường,LD"]),
            ("/endpoints/import", ["code,name,unit_code,kind",
                                   "LD-01-P1,Phòng họp Xã Tân Phú,LD-01,browser",
                                   "LD-02-P1,Phòng họp Phường Xuân Hương,LD-02,browser"])]:
        status, reply, _ = m.admin.call("POST", path, raw=("\r\n".join(lines) + "\r\n").encode(),
                                        headers={"Content-Type": "text/csv; charset=utf-8"})
        assert status == 200 and reply["errors"] == [], reply
    endpoints = [e["id"] for e in m.admin.call("GET", "/endpoints")[1]]
    start = now_ms() + 3600 * 1000
    status, meeting, _ = m.admin.call("POST", "/meetings", {
        "title": "Họp giao ban UBND tỉnh Lâm Đồng", "start_at": start,
        "end_at": start + 2 * 3600 * 1000})
    assert status == 201, meeting
    m.id = meeting["id"]
    status, reply, _ = m.admin.call("PUT", f"/meetings/{m.id}/invitees", {"endpoints": endpoints})
    assert status == 200, reply
    status, live, _ = m.admin.call("POST", f"/meetings/{m.id}/start")
    assert (status, live["state"]) == (200, "live"), live
    m.room = f"mcu:meeting-{m.id}"
    m.clients = []
    return m


def start_clients(m, seconds):
    for tone in TONES:
        m.clients.append(subprocess.Popen(
            [SYSTEM_PYTHON, str(CLIENT), m.server.ws_url, "--room", m.room, "--tone", str(tone),
             "--seconds", str(seconds), "--measure", *map(str, TONES)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=client_env()))
    wait_for(lambda: metric(m, "cau_mixer_participants", m.room[4:]) == len(TONES), 30,
             message="the communes in the room's mixer")


def stop_clients(m):
    for proc in m.clients:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def metric(m, name, room=None):
    assert m.server.proc.poll() is None, f"the server exited\n{m.server.describe()[-6000:]}"
    labels = frozenset({("room", room)}) if room else frozenset()
    return metrics(m.server.url).get((name, labels))


def wait_recorded(m, packets, timeout=40):
    """Waits until the recorders have written `packets` Opus packets (20 ms each)."""
    wait_for(lambda: (metric(m, "cau_recorder_audio_packets_total") or 0) >= packets, timeout,
             message=f"{packets} packets recorded")


def decode_audio(path):
    """Decodes the file's Opus track with GStreamer: (samples as 16-bit mono at 48 kHz,
    the end time of the last decoded buffer in seconds)."""
    script = r"""
import sys, gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst
Gst.init(None)
pipe = Gst.parse_launch(f'filesrc location="{sys.argv[1]}" ! matroskademux ! opusdec ! '
                        'audioconvert ! audio/x-raw,format=S16LE,channels=1,rate=48000 ! '
                        'appsink name=s sync=false emit-signals=false')
sink = pipe.get_by_name("s")
pipe.set_state(Gst.State.PLAYING)
end = 0
out = sys.stdout.buffer
while True:
    sample = sink.emit("pull-sample")
    if sample is None:
        break
    buf = sample.get_buffer()
    ok, info = buf.map(Gst.MapFlags.READ)
    out.write(info.data)
    buf.unmap(info)
    end = max(end, buf.pts + buf.duration)
pipe.set_state(Gst.State.NULL)
sys.stderr.write(f"END {end / 1e9:.3f}\n")
"""
    result = subprocess.run([SYSTEM_PYTHON, "-c", script, str(path)], capture_output=True,
                            timeout=60)
    ends = re.findall(rb"END ([0-9.]+)", result.stderr)
    assert ends, result.stderr.decode(errors="replace")[-3000:]
    import numpy
    return numpy.frombuffer(result.stdout, dtype=numpy.int16), float(ends[-1])


def tone_levels(samples, tones):
    """The spectrum's peak near each tone over the middle of the recording, in dB of a
    full-scale sine."""
    import numpy
    middle = samples[len(samples) // 4: 3 * len(samples) // 4].astype(numpy.float64) / 32768
    spectrum = numpy.abs(numpy.fft.rfft(middle * numpy.hanning(len(middle)))) / (len(middle) / 4)
    freqs = numpy.fft.rfftfreq(len(middle), 1 / 48000)
    return {tone: 20 * numpy.log10(spectrum[(freqs > tone - 15) & (freqs < tone + 15)].max() + 1e-12)
            for tone in tones}


def count_video_frames(path):
    """Decodes the file's VP8 track with GStreamer: (frames, width, height of the last)."""
    script = r"""
import sys, gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst
Gst.init(None)
pipe = Gst.parse_launch(f'filesrc location="{sys.argv[1]}" ! matroskademux ! vp8dec ! '
                        'appsink name=s sync=false emit-signals=false')
sink = pipe.get_by_name("s")
pipe.set_state(Gst.State.PLAYING)
frames, size = 0, (0, 0)
while True:
    sample = sink.emit("pull-sample")
    if sample is None:
        break
    st = sample.get_caps().get_structure(0)
    frames, size = frames + 1, (st.get_value("width"), st.get_value("height"))
pipe.set_state(Gst.State.NULL)
print(f"FRAMES {frames} {size[0]} {size[1]}")
"""
    result = subprocess.run([SYSTEM_PYTHON, "-c", script, str(path)], capture_output=True,
                            text=True, timeout=60)
    found = re.findall(r"FRAMES (\d+) (\d+) (\d+)", result.stdout)
    assert found, result.stderr[-3000:]
    return tuple(int(x) for x in found[-1])


def discover(path):
    result = subprocess.run(["gst-discoverer-1.0", "-v", str(path)], capture_output=True,
                            text=True, timeout=60)
    return result.stdout + result.stderr


def recording_row(m, rid):
    status, rows, _ = m.admin.call("GET", f"/meetings/{m.id}/recordings")
    assert status == 200, rows
    return next(r for r in rows if r["id"] == rid)


def download(m, name, headers=None, token=None, query=""):
    headers = dict(headers or {})
    if token is None:
        headers["Authorization"] = f"Bearer {m.admin.token}"
    return http_get(f"{m.server.url}/api/v1/meetings/{m.id}/recordings/{name}{query}",
                    headers=headers)


def test_ten_seconds_of_a_meeting(echo_server, tmp_path):
    m = make_meeting(echo_server())
    try:
        start_clients(m, 30)
        room = m.room[4:]
        before = metrics(m.server.url)
        status, started, _ = m.admin.call("POST", f"/meetings/{m.id}/recording")
        assert status == 201, started
        # The room composes video (its name tiles at least): the top tier is recorded too.
        assert (started["state"], started["segment"], started["tracks"]) == (
            "recording", 1, "audio+video")
        # one recording at a time
        status, reply, _ = m.admin.call("POST", f"/meetings/{m.id}/recording")
        assert (status, reply["error"]["code"]) == (409, "conflict"), reply
        wait_recorded(m, 500)  # 10 s of 20 ms packets
        assert metric(m, "cau_recorder_encoders") == 0
        assert metric(m, "cau_recorder_active") == 1
        status, done, _ = m.admin.call("DELETE", f"/meetings/{m.id}/recording")
        assert status == 200, done
        after = metrics(m.server.url)
    finally:
        stop_clients(m)
    # The room's encodes while it was recorded: the shared mix plus one N-1 mix per
    # speaker each tick (two communes: at most three), as without a recorder; the
    # recorder added none. (Encodes and ticks come from the same mixer snapshot.)
    key = frozenset({("room", room)})
    encodes = after[("cau_mixer_encodes_total", key)] - before[("cau_mixer_encodes_total", key)]
    ticks = after[("cau_mixer_ticks_total", key)] - before[("cau_mixer_ticks_total", key)]
    print(f"\nmixer encodes while recording: {encodes:.0f} over {ticks:.0f} ticks")
    assert ticks >= 500 and encodes <= 3 * ticks, (encodes, ticks)
    assert done["state"] == "complete" and done["reason"] is None, done
    assert 9500 <= done["duration_ms"] <= 13000, done
    path = m.server.data_dir / "recordings" / done["file"]
    data = path.read_bytes()
    assert (done["size"], done["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())

    # GStreamer's discoverer: an Opus and a VP8 track, about ten seconds
    info = discover(path)
    print(info)
    assert "opus" in info.lower(), info
    assert "vp8" in info.lower(), info
    frames, width, height = count_video_frames(path)
    print(f"decoded {frames} video frames, {width}x{height}")
    assert frames >= 10 and (width, height) != (0, 0), (frames, width, height)
    samples, end = decode_audio(path)
    print(f"decoded {end:.3f} s")
    assert 9.5 <= end <= 13, end
    levels = tone_levels(samples, TONES)
    print(f"tones in the recording (dB): {levels}")
    assert all(level > -40 for level in levels.values()), levels

    # downloads: whole and a range, by the operator and by an invited room
    status, headers, body = download(m, f"{done['id']}.webm")
    assert (status, body) == (200, data)
    assert headers["Content-Type"] == "video/webm" and headers["ETag"] == f'"{done["sha256"]}"'
    status, headers, body = download(m, f"{done['id']}.webm", headers={"Range": "bytes=100-199"})
    assert (status, body, headers["Content-Range"]) == (206, data[100:200],
                                                        f"bytes 100-199/{len(data)}")
    token = m.admin.call("GET", f"/meetings/{m.id}/invitations")[1]["invitations"][0]["token"]
    status, _, body = download(m, f"{done['id']}.webm", token="", query=f"?token={token}",
                               headers={"Range": "bytes=-16"})
    assert (status, body) == (206, data[-16:])
    assert download(m, f"{done['id']}.webm", token="")[0] == 401
    assert download(m, "999.webm")[0] == 404
    assert download(m, "x.mp4")[0] == 404

    # the signed manifest: downloaded files verify; one changed byte names the file
    folder = tmp_path / "check"
    folder.mkdir()
    for suffix in (".webm", ".manifest.json", ".manifest.json.p7s"):
        status, _, body = download(m, f"{done['id']}{suffix}")
        assert status == 200, suffix
        (folder / (Path(done["file"]).stem + suffix)).write_bytes(body)
    copy = folder / done["file"]
    manifest = json.loads((folder / (copy.stem + ".manifest.json")).read_text())
    assert manifest["format"] == "cau-recording-manifest"
    assert (manifest["meeting"]["id"], manifest["meeting"]["title"]) == (
        m.id, "Họp giao ban UBND tỉnh Lâm Đồng")
    assert manifest["recording"]["sha256"] == done["sha256"]
    result = run_cau("verify", str(copy))
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "recording matches its signed manifest (complete)" in result.stdout
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    copy.write_bytes(bytes(changed))
    result = run_cau("verify", str(copy))
    print(result.stdout)
    assert result.returncode == 1
    assert f"INVALID: {done['file']}:" in result.stdout, result.stdout

    # the minutes list the recording with its hash
    status, ended, _ = m.admin.call("POST", f"/meetings/{m.id}/end")
    assert status == 200, ended
    minutes = wait_for(lambda: m.admin.call("GET", f"/meetings/{m.id}/minutes")[1], 30,
                       message="the minutes")
    status, _, body = http_get(f"{m.server.url}/api/v1/meetings/{m.id}/minutes/1.json",
                               headers={"Authorization": f"Bearer {m.admin.token}"})
    recordings = json.loads(body)["recordings"]
    assert [(r["recording"], r["file"], r["size"], r["sha256"]) for r in recordings] == [
        (str(done["id"]), done["file"], done["size"], done["sha256"])], recordings
    audit = m.admin.call("GET", "/audit?action=recording.")[1]
    assert {"recording.start", "recording.stop"} <= {e["action"] for e in audit}, audit


def test_kill_9_keeps_what_was_recorded(echo_server):
    server = echo_server()
    m = make_meeting(server)
    try:
        start_clients(m, 40)
        status, started, _ = m.admin.call("POST", f"/meetings/{m.id}/recording")
        assert status == 201, started
        wait_recorded(m, 300)  # 6 s
        packets = metric(m, "cau_recorder_audio_packets_total")
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait(10)
    finally:
        stop_clients(m)
    path = server.data_dir / "recordings" / started["file"]
    samples, end = decode_audio(path)
    recorded = packets * 0.020
    print(f"\n{packets:.0f} packets recorded at the kill ({recorded:.2f} s); "
          f"the file decodes to {end:.3f} s")
    assert end >= recorded - 2.0, (end, recorded)
    assert max(tone_levels(samples, TONES).values()) > -40

    # the next start marks it failed and signs a manifest of the file as it is
    again = echo_server(data_dir=server.data_dir)
    admin = admin_client(again)
    status, rows, _ = admin.call("GET", f"/meetings/{m.id}/recordings")
    assert status == 200, rows
    row = rows[0]
    assert (row["state"], row["reason"]) == ("failed", "the server stopped while recording"), row
    assert row["size"] == path.stat().st_size
    result = run_cau("verify", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(failed)" in result.stdout


@pytest.fixture
def small_disk(tmp_path):
    """A 16 KiB tmpfs mounted for the test (unmounted after): a disk that fills up."""
    data_dir = tmp_path / "data"
    mount = data_dir / "recordings"
    mount.mkdir(parents=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k,mode=0750", "tmpfs",
                             str(mount)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs (the tests run as root): {result.stderr}")
    try:
        yield data_dir
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_stops_the_recording_not_the_meeting(echo_server, small_disk):
    server = echo_server(data_dir=small_disk)
    m = make_meeting(server)
    try:
        start_clients(m, 40)
        status, started, _ = m.admin.call("POST", f"/meetings/{m.id}/recording")
        assert status == 201, started
        row = wait_for(lambda: (r := recording_row(m, started["id"]))["state"] != "recording"
                       and r, 60, message="the recording to stop on the full disk")
        print(f"\n{row}")
        assert row["state"] == "failed", row
        assert "space" in row["reason"].lower(), row
        assert metric(m, "cau_recorder_failures_total") == 1
        assert metric(m, "cau_recorder_active") == 0
        # the meeting goes on: the mixer keeps ticking for both communes
        ticks = metric(m, "cau_mixer_ticks_total", m.room[4:])
        wait_for(lambda: metric(m, "cau_mixer_ticks_total", m.room[4:]) > ticks + 25, 10,
                 message="the room's mixer ticking after the failure")
        assert metric(m, "cau_mixer_participants", m.room[4:]) == 2
        status, live, _ = m.admin.call("GET", f"/meetings/{m.id}")
        assert live["state"] == "live"
        # what was written plays
        path = small_disk / "recordings" / started["file"]
        assert path.stat().st_size > 4096
        _, end = decode_audio(path)
        # The composite's first 720p key frame takes most of the 16 KiB: a third of a
        # second of audio or so is left, and it decodes.
        assert end > 0.25, end
        # stopping it now: nothing is being recorded
        status, reply, _ = m.admin.call("DELETE", f"/meetings/{m.id}/recording")
        assert (status, reply["error"]["code"]) == (409, "conflict"), reply
    finally:
        stop_clients(m)
    # the operator sees it in the API (above) and the log says so
    assert re.search(r"recording \d+\] failed: No space left on the resource\.; the meeting "
                     r"goes on", server.stderr_text()), server.stderr_text()[-3000:]
