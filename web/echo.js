// SPDX-License-Identifier: MIT
// Echo test page: sends the camera and microphone to the server's echo room over WebRTC
// and shows what comes back. ?offer=client (default) or server; ?trickle=1 (default) or 0;
// ?room=mcu:NAME joins that mcu room instead (its composed picture comes back; tests).
// window.cauEcho exposes the state and inbound statistics for the browser tests.
'use strict';

const params = new URLSearchParams(location.search);
const serverOffers = params.get('offer') === 'server';
const trickle = params.get('trickle') !== '0';
const room = (params.get('room') || '').startsWith('mcu:') ? params.get('room') : 'echo';

const echo = {
  state: 'new',
  peer: null,
  errors: [],
  events: [],
  pc: null,
  async inbound() {
    // Per kind: the inbound-rtp counters that show media arriving and being decoded.
    const out = {};
    if (!echo.pc) return out;
    const report = await echo.pc.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      out[s.kind] = {
        packetsReceived: s.packetsReceived, packetsLost: s.packetsLost, nackCount: s.nackCount,
        framesDecoded: s.framesDecoded, frameWidth: s.frameWidth, frameHeight: s.frameHeight,
        totalSamplesReceived: s.totalSamplesReceived, totalAudioEnergy: s.totalAudioEnergy,
        pliCount: s.pliCount, keyFramesDecoded: s.keyFramesDecoded,
        retransmittedPacketsReceived: s.retransmittedPacketsReceived,
        freezeCount: s.freezeCount, totalFreezesDuration: s.totalFreezesDuration,
      };
    });
    return out;
  },
  async outbound() {
    // The camera's outbound-rtp: what the browser sends and why it holds back.
    let out = {};
    if (!echo.pc) return out;
    const report = await echo.pc.getStats();
    report.forEach((s) => {
      if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
      out = { bytesSent: s.bytesSent, targetBitrate: s.targetBitrate, frameWidth: s.frameWidth,
        qualityLimitationReason: s.qualityLimitationReason };
    });
    return out;
  },
};
window.cauEcho = echo;

function setState(state, detail) {
  echo.state = state;
  const status = document.getElementById('status');
  status.dataset.state = state;
  status.textContent = detail ? `${state}: ${detail}` : state;
}

// The JSON protocol of /ws: requests with ids, replies by id, events to a handler.
function connect(onEvent) {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  const pending = new Map();
  let nextId = 1;
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.event) {
      onEvent(msg.event, msg.data);
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
  const call = async (method, callParams) => {
    await opened;
    const id = nextId++;
    ws.send(JSON.stringify({ id, method, params: callParams }));
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
  };
  return { call };
}

function gatheringComplete(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
}

async function start() {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  echo.pc = pc;
  const early = []; // local candidates found before the server named the peer
  const signal = connect((name, data) => {
    echo.events.push({ name, data });
    if (name === 'peer.candidate') {
      pc.addIceCandidate(data.candidate ? { candidate: data.candidate, sdpMid: data.sdpMid,
        sdpMLineIndex: data.sdpMLineIndex } : null).catch((e) => echo.errors.push(e.message));
    } else if (name === 'peer.state') {
      setState(data.state, data.reason);
    }
  });
  const sendCandidate = (c) => signal.call('peer.candidate', {
    peer: echo.peer, candidate: c ? c.candidate : null,
    sdpMid: c ? c.sdpMid : undefined,
  }).catch((e) => echo.errors.push(e.message));
  pc.onicecandidate = (ev) => {
    if (!trickle) return;
    if (echo.peer) sendCandidate(ev.candidate);
    else early.push(ev.candidate);
  };
  pc.ontrack = (ev) => {
    const remote = document.getElementById('remote');
    if (!remote.srcObject) remote.srcObject = new MediaStream();
    remote.srcObject.addTrack(ev.track);
  };

  setState('media');
  const media = await navigator.mediaDevices.getUserMedia({
    audio: true, video: { width: 640, height: 480 } });
  document.getElementById('local').srcObject = media;
  media.getTracks().forEach((t) => pc.addTrack(t, media));

  setState('signalling');
  if (serverOffers) {
    const created = await signal.call('peer.create', { room, trickle });
    echo.peer = created.peer;
    await pc.setRemoteDescription({ type: 'offer', sdp: created.offer });
    await pc.setLocalDescription(await pc.createAnswer());
    if (!trickle) await gatheringComplete(pc);
    await signal.call('peer.answer', { peer: echo.peer, answer: pc.localDescription.sdp });
  } else {
    await pc.setLocalDescription(await pc.createOffer());
    if (!trickle) await gatheringComplete(pc);
    const created = await signal.call('peer.create', { room,
      offer: pc.localDescription.sdp });
    echo.peer = created.peer;
    await pc.setRemoteDescription({ type: 'answer', sdp: created.answer });
  }
  early.splice(0).forEach(sendCandidate);
  setState('connecting');
}

start().catch((e) => {
  echo.errors.push(e.message);
  setState('error', e.message);
});
