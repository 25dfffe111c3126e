// SPDX-License-Identifier: MIT
// The chair panel of the participant client, shown when the join token's role is chair:
// the roster grouped by unit with live state, mute one / mute all, the floor queue with
// grant and revoke, layout, pin, kick, lock and end — every action a room.* request
// (docs/protocol.md), every change painted from the room's events. Elements are kept and
// updated in place (speaking changes arrive several times a second): a control being
// used is never replaced under the user.
import { h, replace } from './dom.js';
import { t } from './i18n.js';

const LAYOUTS = ['speaker', 'grid', 'pinned'];

// Makes `container`'s children the elements of `items` in order, reusing the element of
// each key (`cache`: Map key → element; `make(item)` builds a new one).
function keyed(container, cache, items, key, make) {
  const wanted = new Set(items.map(key));
  for (const [k, el] of cache) {
    if (!wanted.has(k)) {
      el.remove();
      cache.delete(k);
    }
  }
  let previous = null;
  for (const item of items) {
    const k = key(item);
    if (!cache.has(k)) cache.set(k, make(item));
    const el = cache.get(k);
    const expected = previous ? previous.nextSibling : container.firstChild;
    if (el !== expected) container.insertBefore(el, expected);
    previous = el;
  }
}

// Sets a button's text and accessible name only when they change.
function label(button, text, aria) {
  if (button.textContent !== text) button.textContent = text;
  if (aria !== undefined && button.getAttribute('aria-label') !== aria) button.setAttribute('aria-label', aria);
}

// The panel in `root` (a <section>); `call(method, params)` sends a room.* request.
export class ChairPanel {
  constructor(root, call) {
    this.root = root;
    this.call = call;
    this.model = null;
    this.confirmEnd = false;
    this.units = new Map();
    this.people = new Map();
    this.queueItems = new Map();
    this.build();
  }

  // Sends `method`; a refusal is shown in the panel's status line (in the page's words
  // for the codes it knows).
  async act(method, params = {}) {
    this.el.status.textContent = '';
    try {
      await this.call(method, params);
    } catch (error) {
      const known = { recording_disabled: 'chair.recording_disabled', unavailable: 'chair.recording_unavailable' };
      this.el.status.textContent = known[error.code] && method === 'room.record'
        ? t(known[error.code]) : t('chair.refused', { message: error.message });
    }
  }

  // Starts or stops the meeting's recording; the room's event repaints the button.
  async record() {
    const on = !this.model.recording;
    this.el.record.disabled = true;
    await this.act('room.record', { on });
    this.el.record.disabled = false;
  }

  name(id) {
    return this.model?.participants.get(id)?.name ?? `#${id}`;
  }

  // The panel's fixed parts, made once.
  build() {
    const el = {};
    el.title = h('h2', { id: 'chair-title' });
    el.muteAll = h('button', { type: 'button', id: 'mute-all', class: 'secondary', onclick: () => this.act('room.mute_all') });
    el.lock = h('button', { type: 'button', id: 'lock', class: 'secondary',
      onclick: () => this.act(this.model.state === 'locked' ? 'room.unlock' : 'room.lock') });
    el.layoutLabel = h('label', { for: 'layout' });
    el.layout = h('select', { id: 'layout', onchange: (ev) => this.act('room.layout', { layout: ev.target.value }) },
      LAYOUTS.map((l) => h('option', { value: l })));
    el.record = h('button', { type: 'button', id: 'record', class: 'secondary', onclick: () => this.record() });
    el.end = h('button', { type: 'button', id: 'end-meeting', class: 'danger', onclick: () => this.askEnd(true) });
    el.endConfirm = h('button', { type: 'button', id: 'end-confirm', class: 'danger', onclick: () => this.act('room.end') });
    el.endCancel = h('button', { type: 'button', id: 'end-cancel', class: 'secondary', onclick: () => this.askEnd(false) });
    el.status = h('p', { id: 'chair-status', class: 'note bad-note', role: 'status' });
    el.floorTitle = h('h3', { id: 'floor-title' });
    el.holder = h('span', { id: 'floor-holder' });
    el.revoke = h('button', { type: 'button', id: 'revoke', class: 'secondary small', onclick: () => this.act('room.floor.revoke') });
    el.queueTitle = h('h4', { id: 'queue-title' });
    el.queueEmpty = h('p', { id: 'queue-empty', class: 'note' });
    el.queue = h('ol', { id: 'queue', class: 'queue', 'aria-labelledby': 'queue-title' });
    el.rosterTitle = h('h3', { id: 'roster-title' });
    el.roster = h('div', { class: 'units' });
    this.el = el;
    replace(this.root, el.title,
      h('div', { class: 'chair-tools' }, el.muteAll, el.lock,
        h('span', { class: 'inline-field' }, el.layoutLabel, el.layout), el.record, el.end, el.endConfirm,
        el.endCancel),
      el.status,
      h('section', { class: 'floor', 'aria-labelledby': 'floor-title' }, el.floorTitle,
        h('p', { class: 'floor-holder' }, el.holder, el.revoke), el.queueTitle, el.queueEmpty, el.queue),
      h('section', { class: 'roster', 'aria-labelledby': 'roster-title' }, el.rosterTitle, el.roster));
  }

  askEnd(asking) {
    this.confirmEnd = asking;
    this.paint();
    (asking ? this.el.endConfirm : this.el.end).focus();
  }

  // Updates the panel from `model` (or the last one).
  paint(model = this.model) {
    this.model = model;
    if (!model) return;
    const el = this.el;
    el.title.textContent = t('chair.title');
    label(el.muteAll, t('chair.mute_all'));
    const locked = model.state === 'locked';
    label(el.lock, locked ? t('chair.unlock') : t('chair.lock'));
    el.lock.setAttribute('aria-pressed', locked ? 'true' : 'false');
    el.layoutLabel.textContent = t('chair.layout');
    for (const option of el.layout.options) option.textContent = t(`layout.${option.value}`);
    const main = model.views.find((v) => v.name === 'main') ?? { layout: 'speaker' };
    if (el.layout.value !== main.layout) el.layout.value = main.layout;
    label(el.record, model.recording ? t('chair.record_stop') : t('chair.record_start'));
    el.record.setAttribute('aria-pressed', model.recording ? 'true' : 'false');
    el.record.classList.toggle('off', Boolean(model.recording));
    label(el.end, t('chair.end'));
    label(el.endConfirm, t('chair.end_confirm'));
    label(el.endCancel, t('chair.end_cancel'));
    el.end.hidden = this.confirmEnd;
    el.endConfirm.hidden = !this.confirmEnd;
    el.endCancel.hidden = !this.confirmEnd;
    this.paintFloor();
    this.paintRoster();
  }

  paintFloor() {
    const m = this.model;
    const el = this.el;
    el.floorTitle.textContent = t('chair.floor');
    el.holder.textContent = t('chair.floor_holder', { name: m.floor === null ? t('chair.floor_none') : this.name(m.floor) });
    label(el.revoke, t('chair.revoke'));
    el.revoke.hidden = m.floor === null;
    el.queueTitle.textContent = t('chair.queue');
    el.queueEmpty.textContent = t('chair.queue_empty');
    el.queueEmpty.hidden = m.queue.length > 0;
    el.queue.hidden = m.queue.length === 0;
    keyed(el.queue, this.queueItems, m.queue, (id) => id, (id) => h('li', { 'data-participant': id },
      h('span', { class: 'queue-name' }),
      h('button', { type: 'button', class: 'small grant', onclick: () => this.act('room.floor.grant', { participant: id }) })));
    for (const [id, li] of this.queueItems) {
      li.firstChild.textContent = this.name(id);
      label(li.lastChild, t('chair.grant'), t('chair.grant_named', { name: this.name(id) }));
    }
  }

  paintRoster() {
    const m = this.model;
    this.el.rosterTitle.textContent = t('chair.participants', { n: m.participants.size });
    const units = new Map();
    for (const p of m.participants.values()) {
      const unit = p.unit || t('chair.no_unit');
      if (!units.has(unit)) units.set(unit, []);
      units.get(unit).push(p);
    }
    const sorted = [...units.keys()].sort((a, b) => a.localeCompare(b, 'vi'));
    keyed(this.el.roster, this.units, sorted, (u) => u, (u) => h('div', { class: 'unit' },
      h('h4', { text: u }), h('ul', { class: 'people' })));
    for (const unit of sorted) {
      const list = this.units.get(unit).lastChild;
      const cache = new Map([...this.people].filter(([, li]) => li.parentNode === list));
      keyed(list, cache, units.get(unit), (p) => p.id, (p) => this.makePerson(p));
      for (const [id, li] of cache) this.people.set(id, li);
    }
    for (const [id, li] of this.people) {
      if (!m.participants.has(id) || !li.isConnected) {
        li.remove();
        this.people.delete(id);
      }
    }
    for (const p of m.participants.values()) this.updatePerson(this.people.get(p.id), p);
  }

  makePerson(p) {
    const li = h('li', { class: 'person', 'data-participant': p.id },
      h('div', { class: 'person-text' },
        h('span', { class: 'person-name' }), h('span', { class: 'person-role' }), h('span', { class: 'badges' })));
    if (p.role === 'viewer') return li;
    const me = p.id === this.model.me;
    const current = () => this.model.participants.get(p.id) ?? p;
    const actions = h('div', { class: 'person-actions' },
      h('button', { type: 'button', class: 'secondary small mute', onclick: () => {
        const chairMuted = this.chairMuted(current());
        this.act(chairMuted ? 'room.unmute' : 'room.mute', { participant: p.id });
      } }),
      !me && h('button', { type: 'button', class: 'secondary small pin', onclick: () => {
        this.act(this.pinned(p.id) ? 'room.unpin' : 'room.pin', this.pinned(p.id) ? {} : { participant: p.id });
      } }),
      !me && h('button', { type: 'button', class: 'secondary small kick',
        onclick: () => this.act('room.kick', { participant: p.id }) }));
    li.append(actions);
    return li;
  }

  chairMuted(p) {
    return p.audio_muted_by_chair || (p.id === this.model.me && p.audio_muted);
  }

  pinned(id) {
    return this.model.views.some((v) => v.name === 'main' && v.pinned === id);
  }

  badges(p) {
    const m = this.model;
    const badge = (key, cls, values) => h('span', { class: `badge ${cls}`, text: t(key, values) });
    return [
      p.speaking && badge('badge.speaking', 'speaking'),
      p.audio_muted_by_chair ? badge('badge.muted_by_chair', 'muted')
        : p.audio_muted_self ? badge('badge.muted_self', 'muted') : null,
      p.hand_raised && badge('badge.hand', 'hand', { n: m.queue.indexOf(p.id) + 1 }),
      p.has_floor && badge('badge.floor', 'floor'),
      p.video_muted_self && badge('badge.camera_off', 'muted'),
      p.away && badge('badge.away', 'away'),
      m.views.some((v) => v.pinned === p.id) && badge('badge.pinned', 'pinned'),
    ];
  }

  updatePerson(li, p) {
    li.dataset.muted = p.audio_muted ? 'true' : 'false';
    const [name, role, badges] = li.firstChild.children;
    name.textContent = p.name;
    role.textContent = t(`role.${p.role}`);
    const fresh = h('span', {}, this.badges(p));
    if (badges.innerHTML !== fresh.innerHTML) replace(badges, ...fresh.childNodes);
    const mute = li.querySelector('button.mute');
    if (mute) {
      const chairMuted = this.chairMuted(p);
      label(mute, t(chairMuted ? 'chair.unmute' : 'chair.mute'),
        t(chairMuted ? 'chair.unmute_named' : 'chair.mute_named', { name: p.name }));
    }
    const pin = li.querySelector('button.pin');
    if (pin) {
      const pinned = this.pinned(p.id);
      label(pin, t(pinned ? 'chair.unpin' : 'chair.pin'), t(pinned ? 'chair.unpin_named' : 'chair.pin_named', { name: p.name }));
    }
    const kick = li.querySelector('button.kick');
    if (kick) label(kick, t('chair.kick'), t('chair.kick_named', { name: p.name }));
  }
}
