# SPDX-License-Identifier: MIT
"""A GStreamer webrtcbin client of Cầu's echo room, run as its own process by the tests.

It sends a sine (Opus) and a test picture (VP8) encoded by GStreamer, trickles its ICE
candidates to the server and takes the server's as events, decodes what comes back and
counts the decoded buffers in fakesinks. Prints one line {"report": {...}}:

  {"ok": true, "peer": "...", "audio_buffers": N, "video_buffers": N,
   "video_size": [W, H], "audio_rate": R, "candidates_sent": N, "candidates_received": N}

Usage: webrtcbin_echo.py WS_URL [--seconds S]
"""

import argparse
import json
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

import websocket  # noqa: E402

PIPELINE = """
webrtcbin name=webrtc bundle-policy=max-bundle
audiotestsrc is-live=true wave=sine freq=880 volume=0.5
  ! audioconvert ! audioresample ! opusenc ! rtpopuspay pt=111
  ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! webrtc.
videotestsrc is-live=true pattern=ball
  ! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert
  ! vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay pt=96
  ! application/x-rtp,media=video,encoding-name=VP8,payload=96 ! webrtc.
"""


class Client:
    def __init__(self, url, seconds):
        self.loop = GLib.MainLoop()
        self.seconds = seconds
        self.report = {"ok": False, "audio_buffers": 0, "video_buffers": 0,
                       "video_size": None, "audio_rate": None, "candidates_sent": 0,
                       "candidates_received": 0, "errors": [], "states": []}
        self.ws = websocket.create_connection(url, timeout=30, http_no_proxy=["127.0.0.1"])
        self.next_id = 1
        self.pending = {}  # request id -> callback(reply), on the GLib thread
        self.peer = None
        self.early_candidates = []
        self.negotiating = False
        self.offer_failures = []
        self.pipe = Gst.parse_launch(PIPELINE)
        self.webrtc = self.pipe.get_by_name("webrtc")
        self.webrtc.connect("on-negotiation-needed", self.on_negotiation_needed)
        self.webrtc.connect("on-ice-candidate", self.on_ice_candidate)
        self.webrtc.connect("pad-added", self.on_pad_added)
        self.webrtc.connect("notify::connection-state", self.on_connection_state)
        bus = self.pipe.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", self.on_bus_error)
        threading.Thread(target=self.read_ws, daemon=True).start()

    # ---- signalling: a reader thread hands messages to the GLib loop ----

    def read_ws(self):
        while True:
            try:
                message = json.loads(self.ws.recv())
            except Exception:  # closed
                return
            GLib.idle_add(self.on_message, message)

    def call(self, method, params, callback=None):
        request_id = self.next_id
        self.next_id += 1
        self.pending[request_id] = callback
        self.ws.send(json.dumps({"id": request_id, "method": method, "params": params}))

    def on_message(self, message):
        if "id" in message:
            callback = self.pending.pop(message["id"], None)
            if "error" in message:
                self.report["errors"].append(message["error"])
            elif callback:
                callback(message["result"])
        elif message.get("event") == "peer.candidate":
            data = message["data"]
            self.report["candidates_received"] += 1
            if data["candidate"]:
                self.webrtc.emit("add-ice-candidate", data["sdpMLineIndex"], data["candidate"])
        elif message.get("event") == "peer.state":
            self.report["states"].append(message["data"]["state"])
        return GLib.SOURCE_REMOVE

    # ---- negotiation ----

    def on_negotiation_needed(self, element):
        # Once: webrtcbin may ask again as each sending pad gets its caps.
        if not self.negotiating:
            self.negotiating = True
            GLib.idle_add(self.create_offer)

    def create_offer(self):
        promise = Gst.Promise.new_with_change_func(self.on_offer_created, self.webrtc, None)
        self.webrtc.emit("create-offer", None, promise)
        return GLib.SOURCE_REMOVE

    def on_offer_created(self, promise, element, _):
        promise.wait()
        reply = promise.get_reply()
        offer = reply.get_value("offer")
        if offer is None:
            # Seen when a pad's caps are not known yet: try again shortly.
            self.offer_failures.append(reply.to_string())
            if len(self.offer_failures) > 20:
                self.report["errors"].append("create-offer: " + self.offer_failures[-1])
                GLib.idle_add(self.loop.quit)
            else:
                GLib.timeout_add(100, self.create_offer)
            return
        element.emit("set-local-description", offer, Gst.Promise.new())
        text = offer.sdp.as_text()
        GLib.idle_add(self.send_offer, text)

    def send_offer(self, text):
        self.call("peer.create", {"room": "echo", "offer": text}, self.on_answer)
        return GLib.SOURCE_REMOVE

    def on_answer(self, result):
        self.peer = result["peer"]
        self.report["peer"] = self.peer
        _, sdp = GstSdp.SDPMessage.new_from_text(result["answer"])
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, sdp)
        self.webrtc.emit("set-remote-description", answer, Gst.Promise.new())
        for mline, candidate in self.early_candidates:
            self.send_candidate(mline, candidate)
        self.early_candidates = []

    def on_ice_candidate(self, element, mline, candidate):
        GLib.idle_add(self.queue_candidate, mline, candidate)

    def queue_candidate(self, mline, candidate):
        if self.peer is None:
            self.early_candidates.append((mline, candidate))
        else:
            self.send_candidate(mline, candidate)
        return GLib.SOURCE_REMOVE

    def send_candidate(self, mline, candidate):
        self.report["candidates_sent"] += 1
        self.call("peer.candidate", {"peer": self.peer, "candidate": candidate,
                                     "sdpMLineIndex": mline})

    def on_connection_state(self, element, _):
        self.report["states"].append("webrtcbin:" + element.props.connection_state.value_nick)

    # ---- what comes back ----

    def on_pad_added(self, element, pad):
        if pad.direction != Gst.PadDirection.SRC:
            return
        decode = Gst.ElementFactory.make("decodebin")
        decode.connect("pad-added", self.on_decoded_pad)
        self.pipe.add(decode)
        decode.sync_state_with_parent()
        pad.link(decode.get_static_pad("sink"))

    def on_decoded_pad(self, decodebin, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        name = caps.get_structure(0).get_name()
        kind = "audio" if name.startswith("audio") else "video"
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("signal-handoffs", True)
        sink.set_property("sync", False)
        sink.connect("handoff", self.on_handoff, kind)
        self.pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))

    def on_handoff(self, sink, buffer, pad, kind):
        self.report[kind + "_buffers"] += 1
        caps = pad.get_current_caps()
        if caps:
            s = caps.get_structure(0)
            if kind == "video":
                self.report["video_size"] = [s.get_int("width")[1], s.get_int("height")[1]]
            else:
                self.report["audio_rate"] = s.get_int("rate")[1]

    def on_bus_error(self, bus, message):
        err, debug = message.parse_error()
        self.report["errors"].append(f"{err.message} ({debug})")
        self.loop.quit()

    # ---- running ----

    def check_done(self):
        r = self.report
        if time.time() > self.deadline or (r["video_buffers"] >= 60 and r["audio_buffers"] >= 100):
            self.loop.quit()
            return GLib.SOURCE_REMOVE
        return GLib.SOURCE_CONTINUE

    def run(self):
        self.deadline = time.time() + self.seconds
        self.pipe.set_state(Gst.State.PLAYING)
        GLib.timeout_add(200, self.check_done)
        self.loop.run()
        self.pipe.set_state(Gst.State.NULL)
        if self.peer:
            self.ws.send(json.dumps({"id": 999, "method": "peer.close",
                                     "params": {"peer": self.peer}}))
        self.ws.close()
        self.report["ok"] = not self.report["errors"]
        return self.report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    Gst.init(None)
    report = Client(args.url, args.seconds).run()
    print(json.dumps({"report": report}), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
