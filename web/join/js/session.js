// SPDX-License-Identifier: MIT
// Being in the meeting over /ws (docs/protocol.md, "Meeting rooms"): `room.join` with the
// join token takes a seat, `peer.create` in room "meeting" sends the microphone and camera
// and plays the meeting audio; the room's events keep a copy of the room (roster, queue,
// floor, views) up to date for the page; after a WebSocket drop the client comes back by
// itself with `room.resume` and a new peer while the seat is kept.
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
// id → participant as in the roster), `floor`, `queue`, `views`, `state`.
function roomModel(seat) {
  const model = { me: seat.participant.id, participants: new Map() };
  applyRoom(model, seat.room);
  return model;
}

function applyRoom(model, room) {
  model.meetingId = room.meeting_id;
  model.state = room.state;
  model.floor = room.floor;
  model.queue = room.queue;
  model.views = room.views;
  model.participants = new Map(room.participants.map((p) => [p.id, p]));
}

// Joins the meeting of join token `token` sending the tracks of `devices` (a DeviceCheck;
// its later track changes are followed) and playing the meeting audio in `remoteAudio`.
// `onState(state, detail)` gets 'connecting', 'connected', 'reconnecting', 'failed'
// (detail: why), 'kicked', 'ended' and 'closed'; `onRoom(model)` the room after every
// change. Resolves to the session { call(), leave(), stats(), model } once the seat is
// taken; rejects (error.code from the server) when it cannot be.
export async function joinMeeting({ token, devices, remoteAudio, onState, onRoom }) {
  let signalling = null;
  let pc = null;
  let peer = null;
  let ended = false;
  let seat = null;
  let model = null;
  let droppedAt = 0;
  let refreshTimer = 0;
  let connectTimer = 0;
  let reconnecting = false;
  const senders = {};

  const closePeer = () => {
    window.clearTimeout(connectTimer);
    if (pc) pc.close();
    pc = null;
    peer = null;
  };
  const finish = (state, detail) => {
    if (ended) return;
    ended = true;
    window.clearTimeout(refreshTimer);
    closePeer();
    signalling?.close();
    remoteAudio.srcObject = null;
    onState(state, detail);
  };
  // Room-wide members (queue, floor, views) are read again shortly after events.
  const refresh = () => {
    window.clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(async () => {
      try {
        applyRoom(model, await signalling.call('room.state'));
        onRoom(model);
      } catch {
        // the next event or the reconnection reads it again
      }
    }, REFRESH_MS);
  };
  const onEvent = (name, data) => {
    if (name === 'peer.candidate' || name === 'peer.state') {
      onPeerEvent(name, data);
      return;
    }
    if (!name.startsWith('room.') || !model) return;
    const subject = data.participant;
    if (name === 'room.left') {
      if (subject && subject.id === model.me) {
        if (data.reason === 'kicked' || data.reason === 'ended') finish(data.reason);
        else if (data.reason === 'replaced') finish('failed', 'replaced');
        return;
      }
      if (subject) model.participants.delete(subject.id);
    } else if (subject) {
      model.participants.set(subject.id, subject);
    }
    onRoom(model);
    refresh();
  };
  const onPeerEvent = (name, data) => {
    if (!pc || (data.peer !== undefined && peer !== null && data.peer !== peer)) return;
    if (name === 'peer.candidate') {
      pc.addIceCandidate(data.candidate ? { candidate: data.candidate, sdpMid: data.sdpMid,
        sdpMLineIndex: data.sdpMLineIndex } : null).catch(() => {});
    } else if (data.state === 'connected') {
      onState('connected');
    } else if (data.state === 'failed' || data.state === 'closed') {
      repeer();
    }
  };

  // A new RTCPeerConnection for the seat (at the join and after each resume).
  const makePeer = async () => {
    const own = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    pc = own;
    const early = [];
    const sendCandidate = (c) => signalling.call('peer.candidate', {
      peer, candidate: c ? c.candidate : null, sdpMid: c ? c.sdpMid : undefined,
    }).catch(() => {});
    own.onicecandidate = (ev) => {
      if (peer) sendCandidate(ev.candidate);
      else early.push(ev.candidate);
    };
    own.ontrack = (ev) => {
      if (ev.track.kind !== 'audio') return;
      remoteAudio.srcObject = new MediaStream([ev.track]);
      remoteAudio.play().catch(() => {});
    };
    for (const kind of ['audio', 'video']) {
      const track = devices.track(kind);
      const transceiver = own.addTransceiver(track ?? kind, { direction: 'sendrecv',
        streams: track ? [devices.stream] : [] });
      senders[kind] = transceiver.sender;
    }
    connectTimer = window.setTimeout(() => {
      if (pc === own && own.connectionState !== 'connected') repeer();
    }, CONNECT_TIMEOUT_MS);
    own.addEventListener('connectionstatechange', () => {
      if (own.connectionState === 'connected') window.clearTimeout(connectTimer);
    });
    await own.setLocalDescription(await own.createOffer());
    const created = await signalling.call('peer.create', { room: 'meeting', offer: own.localDescription.sdp });
    if (pc !== own) return;
    peer = created.peer;
    await own.setRemoteDescription({ type: 'answer', sdp: created.answer });
    early.splice(0).forEach(sendCandidate);
  };

  // A peer made for the seat; a refusal other than a dropped connection ends the session
  // (a drop is onDrop's to handle).
  const startPeer = () => makePeer().catch((error) => {
    if (error.code !== 'network') finish('failed', error.message);
  });
  // The peer failed (ICE consent lost, connect timeout) while the seat is kept: a new
  // peer for the same seat a moment later.
  function repeer() {
    if (ended || reconnecting) return;
    closePeer();
    onState('reconnecting');
    window.setTimeout(() => {
      if (!ended && !reconnecting && !pc) startPeer();
    }, RETRY_MS);
  }
  // After a drop: new connections with room.resume until the seat's time is up.
  const reconnect = async () => {
    reconnecting = true;
    closePeer();
    onState('reconnecting');
    const limit = droppedAt + seat.resume_seconds * 1000;
    while (!ended && Date.now() < limit) {
      const attempt = openSignalling(onEvent, onDrop);
      signalling = attempt;
      let back;
      try {
        back = await attempt.call('room.resume', { resume_token: seat.resume_token });
      } catch (error) {
        attempt.close();
        if (error.code === 'not_found' || error.code === 'room_closed') break;
        await new Promise((resolve) => window.setTimeout(resolve, RETRY_MS));
        continue;
      }
      seat = { ...seat, ...back };
      model = roomModel(seat);
      onRoom(model);
      onState('connecting');
      reconnecting = false;
      startPeer();
      return;
    }
    reconnecting = false;
    finish('failed', 'resume');
  };
  // The WebSocket closed without close(): one reconnection loop at a time.
  function onDrop() {
    if (ended || reconnecting) return;
    droppedAt = Date.now();
    reconnect();
  }

  devices.onTrackChange((kind, track) => {
    if (!ended) senders[kind]?.replaceTrack(track).catch(() => {});
  });

  onState('connecting');
  signalling = openSignalling(onEvent, onDrop);
  try {
    seat = await signalling.call('room.join', { token });
    model = roomModel(seat);
    onRoom(model);
    await makePeer();
  } catch (error) {
    finish('failed', error.message);
    throw error;
  }

  return {
    get model() { return model; },
    get role() { return seat.participant.role; },
    // A room.* request; rejects with the server's error (error.code, error.message).
    call: (method, params) => signalling.call(method, params),
    // Gives the seat up (the server closes the peer) and closes the connection.
    async leave() {
      if (ended) return;
      await signalling.call('room.leave').catch(() => {});
      finish('closed');
    },
    // For the tests: the WebSocket drops as on a network failure.
    drop() {
      signalling.drop();
    },
    // Audio packets sent and received, the energy received, loss and round trip.
    async stats() {
      const out = { audioPacketsSent: 0, audioPacketsReceived: 0, audioEnergyReceived: 0,
        packetsLost: 0, rttMs: null, lossPercent: null, quality: 'unknown',
        connectionState: pc?.connectionState ?? 'closed' };
      if (ended || !pc) return out;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.currentRoundTripTime !== undefined) {
          out.rttMs = Math.round(s.currentRoundTripTime * 1000);
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
    },
  };
}
