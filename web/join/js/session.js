// SPDX-License-Identifier: MIT
// Being in the meeting: one WebRTC connection to the server over /ws (docs/protocol.md).
//
// FOR NOW this joins the meeting's audio conference directly: `peer.create` in room
// "mcu:meeting-<ID>" (the MCU room the room protocol uses for meeting ID), so the
// participant hears the meeting audio and sends its microphone (its camera is sent too;
// the mcu room drops video until the compositor is wired in). The join token is not
// presented to /ws yet. When the room protocol lands, joinMeeting() switches to
// `room.join` with the token (the server then checks it and picks the room), and the
// room's events (mute, floor, layout) arrive here; the page does not change.
const CONNECT_TIMEOUT_MS = 30000;

// The JSON protocol of /ws: requests with ids, replies by id, events to `onEvent`.
function openSignalling(onEvent, onClose) {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  const pending = new Map();
  let nextId = 1;
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
      if (msg.error) reject(new Error(`${msg.error.code}: ${msg.error.message}`));
      else resolve(msg.result);
    }
  };
  const opened = new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error('WebSocket error'));
  });
  ws.onclose = (ev) => {
    for (const { reject } of pending.values()) reject(new Error(`connection closed (${ev.code})`));
    pending.clear();
    onClose(ev);
  };
  const call = async (method, params) => {
    await opened;
    const id = nextId++;
    ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
  };
  return { call, close: () => ws.close(1000) };
}

// The room this client joins until `room.join` exists.
export function roomName(meetingId) {
  return `mcu:meeting-${meetingId}`;
}

// Joins meeting `meetingId` sending the tracks of `devices` (a DeviceCheck; its later
// track changes are followed) and playing what the server sends in `remoteAudio`.
// `token` is the join token (unused until room.join lands). `onState(state, detail)` gets
// 'connecting', 'connected', 'failed' (detail: why) and 'closed'. Resolves to the
// session { leave(), stats(), pc } once the server has answered; rejects when it cannot.
export async function joinMeeting({ meetingId, token, devices, remoteAudio, onState }) {
  void token; // presented with room.join (see the note atop this file)
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  let peer = null;
  let ended = false;
  const early = [];
  const finish = (state, detail) => {
    if (ended) return;
    ended = true;
    pc.close();
    signalling.close();
    onState(state, detail);
  };
  const signalling = openSignalling((name, data) => {
    if (data.peer !== undefined && peer !== null && data.peer !== peer) return;
    if (name === 'peer.candidate') {
      pc.addIceCandidate(data.candidate ? { candidate: data.candidate, sdpMid: data.sdpMid,
        sdpMLineIndex: data.sdpMLineIndex } : null).catch(() => {});
    } else if (name === 'peer.state') {
      if (data.state === 'connected') onState('connected');
      else if (data.state === 'failed' || data.state === 'closed') finish('failed', data.reason ?? data.state);
    }
  }, (ev) => finish('failed', `WebSocket ${ev.code}`));
  const sendCandidate = (c) => signalling.call('peer.candidate', {
    peer, candidate: c ? c.candidate : null, sdpMid: c ? c.sdpMid : undefined,
  }).catch(() => {});
  pc.onicecandidate = (ev) => {
    if (peer) sendCandidate(ev.candidate);
    else early.push(ev.candidate);
  };
  pc.ontrack = (ev) => {
    if (ev.track.kind !== 'audio') return;
    remoteAudio.srcObject = new MediaStream([ev.track]);
    remoteAudio.play().catch(() => {});
  };

  // One transceiver per kind, sending the device's track when there is one: the server
  // sends the meeting audio back on the audio one either way.
  const senders = {};
  for (const kind of ['audio', 'video']) {
    const track = devices.track(kind);
    const transceiver = pc.addTransceiver(track ?? kind, { direction: 'sendrecv',
      streams: track ? [devices.stream] : [] });
    senders[kind] = transceiver.sender;
  }
  devices.onTrackChange((kind, track) => {
    if (!ended) senders[kind]?.replaceTrack(track).catch(() => {});
  });

  onState('connecting');
  const timer = window.setTimeout(() => {
    if (pc.connectionState !== 'connected') finish('failed', 'timeout');
  }, CONNECT_TIMEOUT_MS);
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'connected') window.clearTimeout(timer);
  });
  try {
    await pc.setLocalDescription(await pc.createOffer());
    const created = await signalling.call('peer.create', { room: roomName(meetingId),
      offer: pc.localDescription.sdp });
    peer = created.peer;
    await pc.setRemoteDescription({ type: 'answer', sdp: created.answer });
    early.splice(0).forEach(sendCandidate);
  } catch (error) {
    window.clearTimeout(timer);
    finish('failed', error.message);
    throw error;
  }

  return {
    pc,
    // Closes the peer (the server releases it at once) and the connection.
    async leave() {
      window.clearTimeout(timer);
      if (ended) return;
      await signalling.call('peer.close', { peer }).catch(() => {});
      remoteAudio.srcObject = null;
      finish('closed');
    },
    // Audio packets sent and received so far, and the energy of what was received.
    async stats() {
      const out = { audioPacketsSent: 0, audioPacketsReceived: 0, audioEnergyReceived: 0,
        connectionState: pc.connectionState };
      if (ended) return out;
      (await pc.getStats()).forEach((s) => {
        if (s.kind !== 'audio') return;
        if (s.type === 'outbound-rtp') out.audioPacketsSent += s.packetsSent ?? 0;
        if (s.type === 'inbound-rtp') {
          out.audioPacketsReceived += s.packetsReceived ?? 0;
          out.audioEnergyReceived += s.totalAudioEnergy ?? 0;
        }
      });
      return out;
    },
  };
}
