// SPDX-License-Identifier: MIT
// Being in the meeting over /ws (docs/protocol.md, "Meeting rooms"): `room.join` with the
// join token takes a seat, `peer.create` in room "meeting" sends the microphone and camera
// and plays the meeting audio and the room's composed picture; the room's events keep a
// copy of the room (roster, queue, floor, views) up to date for the page; after a
// WebSocket drop the client comes back by itself with `room.resume` and a new peer while
// the seat is kept.
const CONNECT_TIMEOUT_MS = 30000;
const RETRY_MS = 1000;
const REFRESH_MS = 80;

// The JSON protocol of /ws: requests with ids, replies by id, events to `onEvent`.
// `onClose(ev)` is called once when the socket closes (not after close()).
function openSignalling(onEvent, onClose) {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  const pending = new Map();
  let nextId = 1;
  let closing = false;
  ws.onmessage = (ev) => {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (msg.event) {
      onEvent(msg.event, msg.data ?? {});
    } else if (pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
      else resolve(msg.result);
    }
  };
  const opened = new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(Object.assign(new Error('WebSocket error'), { code: 'network' }));
  });
  opened.catch(() => {});
  ws.onclose = (ev) => {
    for (const { reject } of pending.values()) {
      reject(Object.assign(new Error(`connection closed (${ev.code})`), { code: 'network' }));
    }
    pending.clear();
    if (!closing) onClose(ev);
  };
  const call = async (method, params = {}) => {
    await opened;
    if (ws.readyState !== WebSocket.OPEN) {
      throw Object.assign(new Error('connection closed'), { code: 'network' });
    }
    const id = nextId++;
    ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
  };
  return {
    call,
    close: () => {
      closing = true;
      ws.close(1000);
    },
    // For the tests: drops the socket as a network failure would (the server keeps the seat).
    drop: () => ws.close(4000, 'test drop'),
  };
}

// Link quality from the peer's getStats: share of audio packets lost and the round trip.
export function linkQuality(lossPercent, rttMs) {
  if (rttMs === null && lossPercent === null) return 'unknown';
  if ((lossPercent ?? 0) >= 8 || (rttMs ?? 0) >= 500) return 'poor';
  if ((lossPercent ?? 0) >= 2 || (rttMs ?? 0) >= 200) return 'fair';
  return 'good';
}

// The room as the page sees it: `me` (the caller's participant id), `participants` (Map
// id → participant as in the roster), `floor`, `queue`, `views`, `state`, `recording`.
function roomModel(seat) {
  const model = { me: seat.participant.id, participants: new Map() };
  applyRoom(model, seat.room);
  return model;
}

function applyRoom(model, room) {
  model.meetingId = room.meeting_id;
  model.state = room.state;
  model.recording = Boolean(room.recording);
  model.floor = room.floor;
  model.queue = room.queue;
  model.views = room.views;
  model.participants = new Map(room.participants.map((p) => [p.id, p]));
}

// One seat in the meeting and its WebRTC peer; made by joinMeeting().
class MeetingSession {
  constructor({ token, devices, remoteAudio, remoteVideo, onState, onRoom }) {
    Object.assign(this, { token, devices, remoteAudio, remoteVideo, onState, onRoom });
    this.signalling = null;
    this.pc = null;
    this.peer = null;
    this.ended = false;
    this.seat = null;
    this.model = null;
    this.droppedAt = 0;
    this.refreshTimer = 0;
    this.connectTimer = 0;
    this.reconnecting = false;
    this.senders = {};
    this.onEvent = this.onEvent.bind(this);
    this.onDrop = this.onDrop.bind(this);
  }

  // Takes the seat with the token, then makes the peer; rejects when either is refused.
  async start() {
    this.devices.onTrackChange((kind, track) => {
      if (!this.ended) this.senders[kind]?.replaceTrack(track).catch(() => {});
    });
    this.onState('connecting');
    this.signalling = openSignalling(this.onEvent, this.onDrop);
    try {
      this.takeSeat(await this.signalling.call('room.join', { token: this.token }));
      await this.makePeer();
    } catch (error) {
      this.finish('failed', error.message);
      throw error;
    }
  }

  takeSeat(seat) {
    this.seat = { ...this.seat, ...seat };
    this.model = roomModel(this.seat);
    this.onRoom(this.model);
  }

  closePeer() {
    window.clearTimeout(this.connectTimer);
    this.pc?.close();
    this.pc = null;
    this.peer = null;
  }

  finish(state, detail) {
    if (this.ended) return;
    this.ended = true;
    window.clearTimeout(this.refreshTimer);
    this.closePeer();
    this.signalling?.close();
    this.remoteAudio.srcObject = null;
    if (this.remoteVideo) this.remoteVideo.srcObject = null;
    this.onState(state, detail);
  }

  // Room-wide members (queue, floor, views) are read again shortly after events.
  refresh() {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(async () => {
      try {
        applyRoom(this.model, await this.signalling.call('room.state'));
        this.onRoom(this.model);
      } catch {
        // the next event or the reconnection reads it again
      }
    }, REFRESH_MS);
  }

  onEvent(name, data) {
    if (name === 'peer.candidate' || name === 'peer.state') {
      this.onPeerEvent(name, data);
      return;
    }
    if (!name.startsWith('room.') || !this.model) return;
    if (name === 'room.recording') this.model.recording = Boolean(data.on);
    const subject = data.participant;
    if (name === 'room.left' && subject?.id === this.model.me) {
      if (data.reason === 'kicked' || data.reason === 'ended') this.finish(data.reason);
      else if (data.reason === 'replaced') this.finish('failed', 'replaced');
      return;
    }
    if (name === 'room.left' && subject) this.model.participants.delete(subject.id);
    else if (subject) this.model.participants.set(subject.id, subject);
    this.onRoom(this.model);
    this.refresh();
  }

  onPeerEvent(name, data) {
    if (!this.pc || (data.peer !== undefined && this.peer !== null && data.peer !== this.peer)) return;
    if (name === 'peer.candidate') {
      this.pc.addIceCandidate(data.candidate ? { candidate: data.candidate, sdpMid: data.sdpMid,
        sdpMLineIndex: data.sdpMLineIndex } : null).catch(() => {});
    } else if (data.state === 'connected') {
      this.onState('connected');
    } else if (data.state === 'failed' || data.state === 'closed') {
      this.repeer();
    }
  }

  // A new RTCPeerConnection for the seat (at the join, after a resume, after a failure),
  // sending the device's tracks; the server sends the meeting audio on the audio one.
  async makePeer() {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc = pc;
    const early = [];
    const sendCandidate = (c) => this.signalling.call('peer.candidate', {
      peer: this.peer, candidate: c ? c.candidate : null, sdpMid: c ? c.sdpMid : undefined,
    }).catch(() => {});
    pc.onicecandidate = (ev) => {
      if (this.peer) sendCandidate(ev.candidate);
      else early.push(ev.candidate);
    };
    pc.ontrack = (ev) => {
      const element = ev.track.kind === 'audio' ? this.remoteAudio : this.remoteVideo;
      if (!element) return;
      element.srcObject = new MediaStream([ev.track]);
      element.play().catch(() => {});
    };
    for (const kind of ['audio', 'video']) {
      const track = this.devices.track(kind);
      this.senders[kind] = pc.addTransceiver(track ?? kind, { direction: 'sendrecv',
        streams: track ? [this.devices.stream] : [] }).sender;
    }
    this.connectTimer = window.setTimeout(() => {
      if (this.pc === pc && pc.connectionState !== 'connected') this.repeer();
    }, CONNECT_TIMEOUT_MS);
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'connected') window.clearTimeout(this.connectTimer);
    });
    await pc.setLocalDescription(await pc.createOffer());
    const created = await this.signalling.call('peer.create', { room: 'meeting', offer: pc.localDescription.sdp });
    if (this.pc !== pc) return;
    this.peer = created.peer;
    await pc.setRemoteDescription({ type: 'answer', sdp: created.answer });
    early.splice(0).forEach(sendCandidate);
  }

  // A peer for the seat; a refusal other than a dropped connection ends the session
  // (a drop is onDrop's to handle).
  startPeer() {
    this.makePeer().catch((error) => {
      if (error.code !== 'network') this.finish('failed', error.message);
    });
  }

  // The peer failed (ICE consent lost, connect timeout) while the seat is kept: a new
  // peer for the same seat a moment later.
  repeer() {
    if (this.ended || this.reconnecting) return;
    this.closePeer();
    this.onState('reconnecting');
    window.setTimeout(() => {
      if (!this.ended && !this.reconnecting && !this.pc) this.startPeer();
    }, RETRY_MS);
  }

  // The WebSocket closed without close(): one reconnection loop at a time.
  onDrop() {
    if (this.ended || this.reconnecting) return;
    this.droppedAt = Date.now();
    this.reconnect();
  }

  // After a drop: new connections with room.resume until the seat's time is up.
  async reconnect() {
    this.reconnecting = true;
    this.closePeer();
    this.onState('reconnecting');
    const limit = this.droppedAt + this.seat.resume_seconds * 1000;
    while (!this.ended && Date.now() < limit) {
      const attempt = openSignalling(this.onEvent, this.onDrop);
      this.signalling = attempt;
      let back;
      try {
        back = await attempt.call('room.resume', { resume_token: this.seat.resume_token });
      } catch (error) {
        attempt.close();
        if (error.code === 'not_found' || error.code === 'room_closed') break;
        await new Promise((resolve) => window.setTimeout(resolve, RETRY_MS));
        continue;
      }
      this.takeSeat(back);
      this.onState('connecting');
      this.reconnecting = false;
      this.startPeer();
      return;
    }
    this.reconnecting = false;
    this.finish('failed', 'resume');
  }

  get role() {
    return this.seat.participant.role;
  }

  // A room.* request; rejects with the server's error (error.code, error.message).
  call(method, params) {
    return this.signalling.call(method, params);
  }

  // Gives the seat up (the server closes the peer) and closes the connection.
  async leave() {
    if (this.ended) return;
    await this.signalling.call('room.leave').catch(() => {});
    this.finish('closed');
  }

  // For the tests: the WebSocket drops as on a network failure.
  drop() {
    this.signalling.drop();
  }

  // Audio packets sent and received, the energy received, loss, round trip and quality;
  // the composed picture's frames decoded and size.
  async stats() {
    const out = { audioPacketsSent: 0, audioPacketsReceived: 0, audioEnergyReceived: 0,
      packetsLost: 0, rttMs: null, lossPercent: null, quality: 'unknown',
      videoFramesDecoded: 0, videoWidth: 0, videoHeight: 0,
      connectionState: this.pc?.connectionState ?? 'closed' };
    if (this.ended || !this.pc) return out;
    (await this.pc.getStats()).forEach((s) => {
      if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.currentRoundTripTime !== undefined) {
        out.rttMs = Math.round(s.currentRoundTripTime * 1000);
      }
      if (s.kind === 'video' && s.type === 'inbound-rtp') {
        out.videoFramesDecoded += s.framesDecoded ?? 0;
        out.videoWidth = s.frameWidth ?? out.videoWidth;
        out.videoHeight = s.frameHeight ?? out.videoHeight;
      }
      if (s.kind !== 'audio') return;
      if (s.type === 'outbound-rtp') out.audioPacketsSent += s.packetsSent ?? 0;
      if (s.type === 'inbound-rtp') {
        out.audioPacketsReceived += s.packetsReceived ?? 0;
        out.audioEnergyReceived += s.totalAudioEnergy ?? 0;
        out.packetsLost += s.packetsLost ?? 0;
      }
    });
    const expected = out.audioPacketsReceived + out.packetsLost;
    if (expected > 0) out.lossPercent = (100 * out.packetsLost) / expected;
    out.quality = linkQuality(out.lossPercent, out.rttMs);
    return out;
  }
}

// Joins the meeting of join token `token` sending the tracks of `devices` (a DeviceCheck;
// its later track changes are followed), playing the meeting audio in `remoteAudio` and
// the room's composed picture in `remoteVideo`.
// `onState(state, detail)` gets 'connecting', 'connected', 'reconnecting', 'failed'
// (detail: why), 'kicked', 'ended' and 'closed'; `onRoom(model)` the room after every
// change. Resolves to the session { call(), leave(), stats(), drop(), model, role } once
// the seat is taken and the peer made; rejects (error.code from the server) when not.
export async function joinMeeting(options) {
  const session = new MeetingSession(options);
  await session.start();
  return session;
}
