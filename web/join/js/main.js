// SPDX-License-Identifier: MIT
// The participant client, opened by a join link /join/TOKEN: checks the token, shows the
// meeting and the endpoint, then the device check, the meeting's documents and the Join
// button (session.js). window.cauJoin exposes the state for the browser tests.
import { ApiError, tokenFromLocation, verify } from './api.js';
import { DeviceCheck } from './devices.js';
import { byId, h, replace } from './dom.js';
import { lang, onLangChange, setLang, t, translateStatic } from './i18n.js';
import { Materials } from './materials.js';
import { ChairPanel } from './chair.js';
import { joinMeeting } from './session.js';
import { formatDateTime, formatRange } from './time.js';

const token = tokenFromLocation();
const state = {
  phase: 'loading', // loading | error | ready
  linkError: null, // { kind, message }
  info: null, // the answer of /join/verify
  devices: null,
  materials: null,
  session: null,
  sessionState: 'idle', // idle | connecting | connected | failed | closed
  sessionDetail: '',
  room: null, // the room model of session.js while joined
  notice: '', // a key of the own-state list: why an action was refused
  stats: null, // the last statistics (link quality)
  chair: null, // the ChairPanel when the role is chair
};
const QUALITY_MS = 2000;
window.cauJoin = {
  get phase() { return state.phase; },
  get sessionState() { return state.sessionState; },
  get level() { return state.devices?.level ?? 0; },
  stats: () => state.session?.stats() ?? null,
  get room() { return state.room; },
  states: [], // every session state, in order (for the tests)
  drop: () => state.session?.drop(),
};

// Which message a refused token gets, from the server's words (all are 401).
function linkErrorKind(error) {
  if (!(error instanceof ApiError)) return 'invalid';
  if (error.code === 'network' || error.status >= 500) return 'network';
  const message = error.message ?? '';
  if (/expired/.test(message)) return 'expired';
  if (/is cancelled/.test(message)) return 'cancelled';
  if (/is ended/.test(message)) return 'ended';
  if (/no longer invited/.test(message)) return 'uninvited';
  return 'invalid';
}

function paintLinkError() {
  const { kind, message } = state.linkError;
  byId('link-error').hidden = false;
  byId('link-error-title').textContent = t(`link.${kind}.title`);
  byId('link-error-text').textContent = t(`link.${kind}.text`);
  byId('link-error-detail').textContent = message ? t('link.server_said', { message }) : '';
  byId('retry').hidden = kind !== 'network';
}

function paintMeeting() {
  const { meeting, endpoint, role } = state.info;
  const range = formatRange(meeting.start_at, meeting.end_at);
  byId('meeting').hidden = false;
  byId('meeting-title').textContent = meeting.title;
  if (role === 'chair') document.querySelector('.brand-sub').textContent = t('app.subtitle_chair');
  const fact = (label, ...value) => [h('dt', { text: label }), h('dd', {}, ...value)];
  replace(byId('meeting-facts'),
    fact(t('meeting.time'), t('meeting.time_value', range)),
    meeting.state === 'scheduled' && fact(t('meeting.opens'), formatDateTime(meeting.opens_at)),
    fact(t('meeting.state'), h('span', { id: 'meeting-state', class: `state state-${meeting.state}`, text: t(`state.${meeting.state}`) })),
    fact(t('meeting.endpoint'), h('span', { id: 'endpoint-name', text: endpoint.name })),
    fact(t('meeting.role'), t(`role.${role}`)));
}

function paintDevices() {
  const devices = state.devices;
  const fill = (select, list, kind) => {
    const current = devices.currentId(kind);
    replace(select, list.length ? list.map((d, i) => h('option', { value: d.deviceId,
      selected: d.deviceId === current, text: d.label || t('devices.unnamed', { n: i + 1 }) }))
      : h('option', { value: '', text: t('devices.none') }));
    select.disabled = list.length === 0;
  };
  fill(byId('camera'), devices.devices.videoinput, 'video');
  fill(byId('microphone'), devices.devices.audioinput, 'audio');
  const problem = devices.problem;
  byId('devices-status').textContent = problem === 'denied' ? t('devices.denied')
    : problem === 'missing' ? t('devices.missing')
      : problem ? t('devices.failed', { message: problem.message }) : '';
  const camera = byId('toggle-camera');
  camera.textContent = devices.cameraOff ? t('devices.camera_on') : t('devices.camera_off');
  camera.classList.toggle('off', devices.cameraOff);
  camera.disabled = !devices.track('video');
  const mic = byId('toggle-mic');
  const seat = me();
  const micOff = seat ? seat.audio_muted : devices.micOff;
  mic.textContent = micOff ? t('devices.unmute') : t('devices.mute');
  mic.classList.toggle('off', micOff);
  mic.disabled = !devices.track('audio');
  byId('camera-off-note').hidden = !devices.cameraOff || !devices.track('video');
}

// The caller's seat in the room, or null outside it.
function me() {
  return state.room?.participants.get(state.room.me) ?? null;
}

// Own state from the room: muted (by itself or the chair), hand, floor; link quality.
function paintMe() {
  const seat = me();
  byId('in-meeting').hidden = !seat;
  if (!seat) return;
  const item = (key, cls, values) => h('li', { class: cls, 'data-state': key, text: t(key, values) });
  const position = state.room.queue.indexOf(seat.id) + 1;
  replace(byId('my-state'),
    seat.role === 'viewer' ? item('me.viewer', '')
      : seat.audio_muted_by_chair ? item('me.muted_by_chair', 'bad')
        : seat.audio_muted_self ? item('me.muted_self', '') : item('me.live', 'ok'),
    seat.hand_raised && item('me.hand_raised', '', { n: position }),
    seat.has_floor && item('me.floor', 'ok'),
    state.notice && item(state.notice, 'bad'));
  const hand = byId('hand');
  hand.textContent = seat.hand_raised ? t('me.lower_hand') : t('me.raise_hand');
  hand.setAttribute('aria-pressed', seat.hand_raised ? 'true' : 'false');
  hand.hidden = seat.role !== 'participant';
  const q = state.stats;
  const quality = byId('quality');
  quality.className = `quality quality-${q?.quality ?? 'unknown'}`;
  quality.dataset.quality = q?.quality ?? 'unknown';
  quality.textContent = !q || q.quality === 'unknown' ? t('quality.unknown')
    : t('quality.value', { quality: t(`quality.${q.quality}`), loss: (q.lossPercent ?? 0).toFixed(1),
      rtt: q.rttMs ?? '–' });
}

function paintSession() {
  const s = state.sessionState;
  const inside = s === 'connecting' || s === 'connected' || s === 'reconnecting';
  byId('join').hidden = inside;
  byId('leave').hidden = !inside;
  const line = byId('session-status');
  const text = {
    connecting: t('session.connecting'), connected: t('session.connected'), closed: t('session.left'),
    reconnecting: t('session.reconnecting'), kicked: t('session.kicked'), ended: t('session.ended'),
    failed: t('session.failed', { message: state.sessionDetail }),
    not_open: t('session.not_open', { time: formatDateTime(state.info?.meeting.opens_at) }),
  }[s] ?? '';
  line.textContent = text;
  line.className = `session-status ${s === 'connected' ? 'ok' : s === 'failed' || s === 'kicked' ? 'bad' : ''}`;
  line.dataset.state = s;
  paintMe();
  byId('on-air').hidden = !(inside && state.room?.recording);
  byId('stage').hidden = !inside;
  byId('workspace').classList.toggle('joined', inside);
  byId('stage-waiting').hidden = (state.stats?.videoFramesDecoded ?? 0) > 0;
  byId('chair').hidden = !(state.chair && state.room && inside);
  if (state.chair && state.room) state.chair.paint(state.room);
}

function paint() {
  translateStatic();
  byId('loading').hidden = state.phase !== 'loading';
  byId('link-error').hidden = true;
  if (state.phase === 'error') paintLinkError();
  if (state.phase !== 'ready') return;
  paintMeeting();
  byId('workspace').hidden = false;
  if (state.devices) paintDevices();
  state.materials?.paint();
  paintSession();
}

function setSession(sessionState, detail = '') {
  window.cauJoin.states.push(sessionState);
  state.sessionState = sessionState;
  state.sessionDetail = detail;
  if (!['connecting', 'connected', 'reconnecting'].includes(sessionState)) {
    state.session = null;
    state.room = null;
    state.stats = null;
    state.chair = null;
  }
  paintSession();
  if (state.devices) paintDevices();
}

// The room changed: follow the own and the chair's mute flags with the microphone track,
// repaint.
function onRoom(model) {
  state.room = model;
  const seat = me();
  if (state.notice === 'me.ask_floor' && !seat?.audio_muted_by_chair) state.notice = '';
  if (seat && state.devices && seat.audio_muted_self !== state.devices.micOff) {
    state.devices.setMicOff(seat.audio_muted_self);
  }
  if (state.devices && Boolean(seat?.audio_muted_by_chair) !== state.devices.micHeld) {
    state.devices.setMicHeld(Boolean(seat?.audio_muted_by_chair));
  }
  if (seat?.role === 'chair' && !state.chair) state.chair = new ChairPanel(byId('chair'), (m, p) => state.session.call(m, p));
  paintSession();
  if (state.devices) paintDevices();
}

// A room.* request for the own seat; a refusal's reason is shown in the own-state list.
async function act(method, params, refusedKey) {
  state.notice = '';
  try {
    await state.session.call(method, params);
  } catch (error) {
    state.notice = error.code === 'forbidden' && refusedKey ? refusedKey : '';
    if (!state.notice) state.sessionDetail = error.message;
  }
  paintMe();
}

async function toggleMic() {
  const seat = me();
  if (!seat) {
    state.devices.setMicOff(!state.devices.micOff);
    paintDevices();
    return;
  }
  if (seat.audio_muted_by_chair) {
    state.notice = 'me.ask_floor';
    paintMe();
    byId('hand').focus();
    return;
  }
  await act(seat.audio_muted ? 'room.unmute' : 'room.mute', { media: 'audio' }, 'me.ask_floor');
}

async function toggleCamera() {
  const off = !state.devices.cameraOff;
  state.devices.setCameraOff(off);
  paintDevices();
  if (me()) await act(off ? 'room.mute' : 'room.unmute', { media: 'video' });
}

async function pollQuality() {
  if (state.session) {
    try {
      state.stats = await state.session.stats();
    } catch {
      state.stats = null;
    }
    paintMe();
    byId('stage-waiting').hidden = (state.stats?.videoFramesDecoded ?? 0) > 0;
  }
  window.setTimeout(pollQuality, QUALITY_MS);
}

// Join: the token is checked again (the meeting may have ended or not be open yet).
async function join() {
  const button = byId('join');
  button.disabled = true;
  try {
    try {
      state.info = await verify(token);
    } catch (error) {
      state.phase = 'error';
      state.linkError = { kind: linkErrorKind(error), message: error.message };
      state.devices.stop();
      byId('workspace').hidden = true;
      byId('meeting').hidden = true;
      paint();
      return;
    }
    paintMeeting();
    if (state.info.meeting.state === 'scheduled') {
      setSession('not_open');
      return;
    }
    const micOff = state.devices.micOff;
    state.session = await joinMeeting({
      token, devices: state.devices, remoteAudio: byId('remote-audio'), remoteVideo: byId('remote-video'),
      onState: (s, detail) => setSession(s, detail), onRoom,
    });
    if (micOff) await act('room.mute', { media: 'audio' });
    if (state.devices.cameraOff) await act('room.mute', { media: 'video' });
    byId('leave').focus();
  } catch (error) {
    setSession('failed', error.message);
  } finally {
    button.disabled = false;
  }
}

async function leave() {
  const session = state.session;
  state.session = null;
  await session?.leave();
  setSession('closed');
  byId('join').focus();
}

function wire() {
  const language = byId('lang');
  language.value = lang();
  language.addEventListener('change', () => setLang(language.value));
  onLangChange(paint);
  byId('retry').addEventListener('click', () => window.location.reload());
  byId('join').addEventListener('click', join);
  byId('leave').addEventListener('click', leave);
  byId('toggle-camera').addEventListener('click', toggleCamera);
  byId('toggle-mic').addEventListener('click', toggleMic);
  byId('hand').addEventListener('click', () => {
    const raised = me()?.hand_raised;
    act(raised ? 'room.hand.lower' : 'room.hand.raise', {});
  });
  for (const [id, kind] of [['camera', 'video'], ['microphone', 'audio']]) {
    byId(id).addEventListener('change', async (ev) => {
      try {
        await state.devices.use(kind, ev.target.value);
        state.devices.problem = null;
      } catch (error) {
        state.devices.problem = { message: error.message };
      }
      paintDevices();
    });
  }
  window.addEventListener('pagehide', () => {
    state.session?.leave();
    state.devices?.stop();
  });
}

async function start() {
  wire();
  paint();
  try {
    if (!token) throw new ApiError(401, 'unauthorized', '');
    state.info = await verify(token);
  } catch (error) {
    state.phase = 'error';
    state.linkError = { kind: linkErrorKind(error), message: error.message };
    paint();
    document.body.dataset.ready = 'error';
    return;
  }
  state.phase = 'ready';
  state.materials = new Materials(state.info.meeting.id, token, lang);
  state.devices = new DeviceCheck({ preview: byId('preview'), level: byId('level') });
  paint();
  byId('devices-status').textContent = t('devices.asking');
  document.body.dataset.ready = 'meeting';
  await Promise.all([state.materials.load(), state.devices.start()]);
  paintDevices();
  document.body.dataset.devices = 'ready';
  pollQuality();
}

start();
