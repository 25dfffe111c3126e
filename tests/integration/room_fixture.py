# SPDX-License-Identifier: MIT
"""A meeting ready for its room, made through the REST API as an operator would: one
province unit with a few endpoint rooms, a meeting inviting them, and a join token per
endpoint (the chair's and the viewer's from POST /meetings/{id}/join-tokens, the
others from the invitations)."""

import json
import select
import subprocess
import time

import pytest

from cau_harness import SYSTEM_PYTHON, admin_client, ws_call, ws_connect

HOUR_MS = 3600 * 1000
ROOMS = ["CHAIR", "A", "B", "C", "VIEWER", "LATE"]


def post_csv(client, path, lines):
    status, reply, _ = client.call("POST", path, raw=("\r\n".join(lines) + "\r\n").encode(),
                                   headers={"Content-Type": "text/csv; charset=utf-8"})
    assert status == 200 and reply["errors"] == [], reply


def make_meeting(server):
    """Returns (meeting id, {room: token}, admin client)."""
    admin = admin_client(server)
    post_csv(admin, "/units/import", ["code,name,level,parent_code", "LD,Tỉnh Lâm Đồng,tỉnh,"])
    post_csv(admin, "/endpoints/import", ["code,name,unit_code,kind"] +
             [f"LD-{r},Phòng họp {r},LD,browser" for r in ROOMS])
    endpoints = {e["code"][3:]: e["id"] for e in admin.call("GET", "/endpoints")[1]}
    start = int(time.time() * 1000) + HOUR_MS
    status, meeting, _ = admin.call("POST", "/meetings", {
        "title": "Giao ban trực tuyến", "start_at": start, "end_at": start + 2 * HOUR_MS})
    assert status == 201, meeting
    mid = meeting["id"]
    status, reply, _ = admin.call("PUT", f"/meetings/{mid}/invitees",
                                  {"endpoints": list(endpoints.values())})
    assert status == 200, reply
    status, invitations, _ = admin.call("GET", f"/meetings/{mid}/invitations")
    assert status == 200, invitations
    tokens = {i["endpoint"]["code"][3:]: i["token"] for i in invitations["invitations"]}
    for room, role in (("CHAIR", "chair"), ("VIEWER", "viewer")):
        status, reply, _ = admin.call("POST", f"/meetings/{mid}/join-tokens",
                                      {"endpoint_id": endpoints[room], "role": role})
        assert status == 200 and reply["role"] == role, reply
        tokens[room] = reply["token"]
    return mid, tokens, admin


def join(server, token):
    """A WebSocket joined to the room with `token`: (ws, room.join result)."""
    ws = ws_connect(server)
    reply = ws_call(ws, {"id": 1, "method": "room.join", "params": {"token": token}})
    assert "result" in reply, reply
    return ws, reply["result"]


def call(ws, method, params=None):
    return ws_call(ws, {"id": 2, "method": method, "params": params or {}})


def ok(ws, method, params=None):
    reply = call(ws, method, params)
    assert reply.get("result") == {}, (method, params, reply)
    return reply


class CommandClient:
    """A test client process driven by JSON lines: it prints one JSON object per line
    (its news and its replies) and reads commands {"cmd", ...} on stdin, "quit" to end
    (clients/aiortc_room.py, clients/whip_client.py)."""

    def __init__(self, server, what, argv, env):
        self.server = server
        self.what = what
        self.proc = subprocess.Popen([SYSTEM_PYTHON, *map(str, argv)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)

    def read(self, timeout=60):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"{self.what} silent or ended: {self.proc.stderr.read()[-3000:]}\n"
                        f"{self.server.describe()[-4000:]}")
        return json.loads(line)

    def ask(self, cmd, **kwargs):
        self.proc.stdin.write(json.dumps({"cmd": cmd, **kwargs}) + "\n")
        self.proc.stdin.flush()
        return self.read()

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.ask("quit")
                self.proc.wait(10)
            except Exception:
                self.proc.kill()
                self.proc.wait()
