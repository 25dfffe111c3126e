// SPDX-License-Identifier: MIT
// The participant client, opened by a join link /join/TOKEN: checks the token, shows the
// meeting and the endpoint, then the device check, the meeting's documents and the Join
// button (session.js). window.cauJoin exposes the state for the browser tests.
import { ApiError, tokenFromLocation, verify } from './api.js';
import { DeviceCheck } from './devices.js';
import { byId, h, replace } from './dom.js';
import { lang, onLangChange, setLang, t, translateStatic } from './i18n.js';
import { Materials } from './materials.js';
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
};
window.cauJoin = {
  get phase() { return state.phase; },
  get sessionState() { return state.sessionState; },
  get level() { return state.devices?.level ?? 0; },
  stats: () => state.session?.stats() ?? null,
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
  mic.textContent = devices.micOff ? t('devices.unmute') : t('devices.mute');
  mic.classList.toggle('off', devices.micOff);
  mic.disabled = !devices.track('audio');
  byId('camera-off-note').hidden = !devices.cameraOff || !devices.track('video');
}

function paintSession() {
  const s = state.sessionState;
  const inside = s === 'connecting' || s === 'connected';
  byId('join').hidden = inside;
  byId('leave').hidden = !inside;
  const line = byId('session-status');
  const text = {
    connecting: t('session.connecting'), connected: t('session.connected'), closed: t('session.left'),
    failed: t('session.failed', { message: state.sessionDetail }),
    not_open: t('session.not_open', { time: formatDateTime(state.info?.meeting.opens_at) }),
  }[s] ?? '';
  line.textContent = text;
  line.className = `session-status ${s === 'connected' ? 'ok' : s === 'failed' ? 'bad' : ''}`;
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
  state.sessionState = sessionState;
  state.sessionDetail = detail;
  if (sessionState === 'failed' || sessionState === 'closed') state.session = null;
  paintSession();
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
    state.session = await joinMeeting({
      meetingId: state.info.meeting.id, token, devices: state.devices,
      remoteAudio: byId('remote-audio'), onState: (s, detail) => setSession(s, detail),
    });
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
  byId('toggle-camera').addEventListener('click', () => {
    state.devices.setCameraOff(!state.devices.cameraOff);
    paintDevices();
  });
  byId('toggle-mic').addEventListener('click', () => {
    state.devices.setMicOff(!state.devices.micOff);
    paintDevices();
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
}

start();
