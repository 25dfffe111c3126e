# SPDX-License-Identifier: MIT
"""An aiortc participant of a Cầu meeting room, driven line by line by a test.

It joins with a join token (room.join), makes its peer in the room ("meeting"), sends a
sine tone and records the audio the server sends it. Then it reads commands, one JSON
object a line on stdin, and answers each with one JSON line on stdout:

  {"cmd": "levels", "seconds": S}   -> {"levels": {"440": dB, ...}, "frames": N}
        the spectrum peak near each --measure frequency over the audio received in the
        last S seconds (dB relative to a full-scale sine; -200 when nothing came)
  {"cmd": "call", "method": M, "params": P} -> {"reply": {...}}
  {"cmd": "events"}                 -> {"events": [...]} every event received so far
  {"cmd": "state"}                  -> {"pc": "connected", "ws_open": true, "close_code": C}
  {"cmd": "drop"}                   -> {"dropped": true} the WebSocket closed abruptly
                                       (no close frame) and the peer connection with it
  {"cmd": "resume"}                 -> {"reply": {...}} a new WebSocket, room.resume with
                                       the resume token, and a new peer in the room
  {"cmd": "quit"}                   -> {"bye": true}

The first line it prints is {"joined": REPLY} (the room.join reply, or its error).

Usage: aiortc_room.py WS_URL TOKEN [--tone HZ] [--measure HZ ...]
"""

import argparse
import asyncio
import json
import sys
import threading
import time

import numpy
import websocket
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from aiortc_mcu import SAMPLE_RATE, ToneTrack, levels_db


class Signalling:
    """The JSON protocol over a WebSocket with a reader thread: replies resolve their
    request's future, events are kept."""

    def __init__(self, url, loop):
        self.ws = websocket.create_connection(url, timeout=30, http_no_proxy=["127.0.0.1"])
        self.ws.settimeout(None)
        self.loop = loop
        self.next_id = 1
        self.pending = {}
        self.events = []
        self.close_code = None
        self.open = True
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                opcode, frame = self.ws.recv_data_frame(control_frame=True)
            except Exception:
                self.close_code = self.close_code or 1006
                break
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                self.close_code = (int.from_bytes(frame.data[:2], "big")
                                   if len(frame.data) >= 2 else 1005)
                break
            if opcode != websocket.ABNF.OPCODE_TEXT:
                continue
            message = json.loads(frame.data)
            future = self.pending.pop(message.get("id"), None) if "id" in message else None
            if future:
                self.loop.call_soon_threadsafe(future.set_result, message)
            else:
                self.events.append(message)
        self.open = False
        for future in list(self.pending.values()):
            self.loop.call_soon_threadsafe(future.set_result, {"error": {"code": "closed"}})
        self.pending.clear()

    async def call(self, method, params):
        request_id = self.next_id
        self.next_id += 1
        future = self.loop.create_future()
        self.pending[request_id] = future
        self.ws.send(json.dumps({"id": request_id, "method": method, "params": params}))
        return await asyncio.wait_for(future, 30)

    def drop(self):
        """Ends the TCP connection without a close frame, as a lost link would."""
        sock = self.ws.sock  # the reader thread clears ws.sock once recv fails
        if sock is None:
            return
        try:
            sock.shutdown(2)
            sock.close()
        except OSError:
            pass


class Participant:
    def __init__(self, args):
        self.args = args
        self.loop = asyncio.get_running_loop()
        self.chunks = []  # (arrival time, samples)
        self.frames = 0
        self.sig = None
        self.pc = None
        self.resume_token = None
        self.consumers = []

    async def consume(self, track):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.frames += 1
            samples = frame.to_ndarray()
            channels = len(frame.layout.channels)
            mono = samples.reshape(-1)[::channels] if channels > 1 else samples.reshape(-1)
            self.chunks.append((time.monotonic(), mono))

    async def make_peer(self):
        self.pc = RTCPeerConnection()

        @self.pc.on("track")
        def on_track(track):
            self.consumers.append(asyncio.ensure_future(self.consume(track)))

        self.pc.addTrack(ToneTrack(self.args.tone))
        await self.pc.setLocalDescription(await self.pc.createOffer())
        reply = await self.sig.call("peer.create", {"room": "meeting",
                                                    "offer": self.pc.localDescription.sdp})
        if "result" in reply:
            await self.pc.setRemoteDescription(
                RTCSessionDescription(reply["result"]["answer"], "answer"))
        return reply

    async def join(self):
        self.sig = Signalling(self.args.url, self.loop)
        reply = await self.sig.call("room.join", {"token": self.args.token})
        if "result" in reply:
            self.resume_token = reply["result"]["resume_token"]
            peer = await self.make_peer()
            if "error" in peer:
                reply = peer
        return reply

    async def close_peer(self):
        for task in self.consumers:
            task.cancel()
        self.consumers = []
        if self.pc:
            await self.pc.close()

    def levels(self, seconds):
        since = time.monotonic() - seconds
        recent = [c for t, c in self.chunks if t >= since]
        return {"levels": levels_db(recent, self.args.measure, seconds), "frames": len(recent)}

    async def command(self, cmd):
        kind = cmd["cmd"]
        if kind == "levels":
            return self.levels(cmd.get("seconds", 1.5))
        if kind == "call":
            return {"reply": await self.sig.call(cmd["method"], cmd.get("params", {}))}
        if kind == "events":
            return {"events": list(self.sig.events)}
        if kind == "state":
            return {"pc": self.pc.connectionState if self.pc else None,
                    "ws_open": self.sig.open, "close_code": self.sig.close_code}
        if kind == "drop":
            self.sig.drop()
            await self.close_peer()
            return {"dropped": True}
        if kind == "resume":
            self.sig = Signalling(self.args.url, self.loop)
            reply = await self.sig.call("room.resume", {"resume_token": self.resume_token})
            if "result" in reply:
                peer = await self.make_peer()
                if "error" in peer:
                    reply = peer
            return {"reply": reply}
        return {"error": f"unknown command {kind}"}


async def run(args):
    me = Participant(args)
    print(json.dumps({"joined": await me.join()}), flush=True)
    while True:
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        cmd = json.loads(line)
        if cmd["cmd"] == "quit":
            break
        print(json.dumps(await me.command(cmd)), flush=True)
    await me.close_peer()
    print(json.dumps({"bye": True}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("--tone", type=int, default=0)
    parser.add_argument("--measure", type=int, nargs="*", default=[440, 660, 990])
    asyncio.run(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
