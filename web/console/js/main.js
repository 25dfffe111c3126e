// SPDX-License-Identifier: MIT
// The operator console: session, navigation and the hash router (#/meetings, ...).
import { api, onUnauthorized } from './api.js';
import { h, replace } from './dom.js';
import { onLangChange, setLang, lang, t, translateStatic } from './i18n.js';
import { renderLogin, openPasswordDialog } from './pages/login.js';
import { renderDirectory } from './pages/directory.js';
import { renderMeetings, renderMeetingNew } from './pages/meetings.js';
import { renderCalendar } from './pages/calendar.js';
import { renderMeeting } from './pages/meeting.js';
import { renderAttendance } from './pages/attendance.js';
import { renderAudit } from './pages/audit.js';
import { renderAccounts } from './pages/accounts.js';
import { renderLive } from './pages/live.js';
import { renderMinutes, renderMinutesIndex } from './pages/minutes.js';
import { renderRecordings, renderRecordingsIndex } from './pages/recordings.js';

// Pages: the path pattern, the renderer, the navigation entry it belongs to, and
// whether it needs the operator role.
const ROUTES = [
  { re: /^\/meetings$/, render: renderMeetings, nav: 'meetings' },
  { re: /^\/meetings\/new$/, render: renderMeetingNew, nav: 'meetings', operator: true },
  { re: /^\/meetings\/(\d+)$/, render: renderMeeting, nav: 'meetings' },
  { re: /^\/meetings\/(\d+)\/attendance$/, render: renderAttendance, nav: 'meetings', operator: true },
  { re: /^\/calendar$/, render: renderCalendar, nav: 'calendar' },
  { re: /^\/directory$/, render: renderDirectory, nav: 'directory', operator: true },
  { re: /^\/live$/, render: renderLive, nav: 'live', operator: true },
  { re: /^\/recordings$/, render: renderRecordingsIndex, nav: 'recordings' },
  { re: /^\/recordings\/(\d+)$/, render: renderRecordings, nav: 'recordings' },
  { re: /^\/minutes$/, render: renderMinutesIndex, nav: 'minutes' },
  { re: /^\/minutes\/(\d+)$/, render: renderMinutes, nav: 'minutes' },
  { re: /^\/audit$/, render: renderAudit, nav: 'audit', operator: true },
  { re: /^\/accounts$/, render: renderAccounts, nav: 'accounts', operator: true },
];

const NAV = [
  ['meetings', 'nav.meetings'], ['calendar', 'nav.calendar'], ['directory', 'nav.directory', true],
  ['live', 'nav.live', true], ['recordings', 'nav.recordings'], ['minutes', 'nav.minutes'],
  ['audit', 'nav.audit', true], ['accounts', 'nav.accounts', true],
];

const session = { me: null };
const main = () => document.getElementById('main');

function isOperator() {
  return session.me?.role === 'operator';
}

function buildNav() {
  const list = document.getElementById('nav-list');
  replace(list, NAV.filter(([, , operatorOnly]) => !operatorOnly || isOperator()).map(([name, key]) =>
    h('li', {}, h('a', { href: `#/${name}`, 'data-nav': name, text: t(key) }))));
}

function showSignedIn() {
  document.getElementById('nav').hidden = false;
  document.getElementById('user-tools').hidden = false;
  document.getElementById('who').textContent =
    t('app.signed_in_as', { name: session.me.username, role: t(`role.${session.me.role}`) });
  buildNav();
}

function showLogin(notice) {
  session.me = null;
  document.getElementById('nav').hidden = true;
  document.getElementById('user-tools').hidden = true;
  document.title = `${t('login.title')} — Cầu`;
  const view = h('div', { class: 'view' });
  replace(main(), view);
  renderLogin(view, {
    notice,
    onLogin: (account) => {
      session.me = account;
      showSignedIn();
      route(true);
    },
  });
}

// Renders the page the hash names into a fresh view (so that a slow page that finishes
// after the user moved on writes into a detached element), then moves focus to its
// heading when `focus` is set.
async function route(focus = true) {
  if (!session.me) {
    showLogin();
    return;
  }
  const path = window.location.hash.replace(/^#/, '') || '/meetings';
  const found = ROUTES.map((r) => [r, r.re.exec(path)]).find(([, m]) => m);
  const view = h('div', { class: 'view' });
  replace(main(), view);
  for (const link of document.querySelectorAll('#nav-list a')) {
    if (found && link.dataset.nav === found[0].nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const ctx = { me: session.me, isOperator: isOperator(), rerender: () => route(false) };
  try {
    if (!found) {
      view.append(h('h1', { tabindex: '-1', text: t('app.not_found') }));
    } else if (found[0].operator && !ctx.isOperator) {
      view.append(h('h1', { tabindex: '-1', text: t('app.operators_only') }));
    } else {
      await found[0].render(view, found[1], ctx);
    }
  } catch (error) {
    view.append(h('p', { class: 'error', role: 'alert', text: `${t('error.unknown')}: ${error.message}` }));
  }
  const heading = view.querySelector('h1');
  document.title = `${heading ? heading.textContent : ''} — Cầu`;
  if (focus && heading && view.isConnected) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

async function logout() {
  try {
    await api('POST', '/auth/logout');
  } catch {
    // the session is gone either way
  }
  showLogin(t('login.logged_out'));
}

async function boot() {
  translateStatic();
  const langSelect = document.getElementById('lang');
  langSelect.value = lang();
  langSelect.addEventListener('change', () => setLang(langSelect.value));
  onLangChange(() => {
    translateStatic();
    if (session.me) {
      showSignedIn();
      route(false);
    } else {
      showLogin();
    }
  });
  document.getElementById('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    (main().querySelector('h1') ?? main()).focus();
  });
  document.getElementById('logout').addEventListener('click', logout);
  document.getElementById('change-password').addEventListener('click', () => openPasswordDialog());
  onUnauthorized(() => {
    if (session.me) showLogin(t('login.expired'));
  });
  window.addEventListener('hashchange', () => route(true));
  try {
    session.me = (await api('GET', '/auth/me')).account;
  } catch {
    session.me = null;
  }
  if (session.me) {
    showSignedIn();
    route(false);
  } else {
    showLogin();
  }
  document.body.dataset.ready = 'true';
}

boot();
