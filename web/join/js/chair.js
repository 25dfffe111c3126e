// SPDX-License-Identifier: MIT
// The chair panel of the participant client, shown when the join token's role is chair:
// the roster grouped by unit with live state, mute one / mute all, the floor queue with
// grant and revoke, layout, pin, kick, lock and end — every action a room.* request
// (docs/protocol.md), every change painted from the room's events.
import { h, replace } from './dom.js';
import { t } from './i18n.js';

const LAYOUTS = ['speaker', 'grid', 'pinned'];

// The panel in `root` (a <section>); `call(method, params)` sends a room.* request.
export class ChairPanel {
  constructor(root, call) {
    this.root = root;
    this.call = call;
    this.model = null;
    this.confirmEnd = false;
    this.message = '';
  }

  // Sends `method`; a refusal is shown in the panel's status line.
  async act(method, params = {}) {
    this.message = '';
    try {
      await this.call(method, params);
    } catch (error) {
      this.message = t('chair.refused', { message: error.message });
    }
    this.paint();
  }

  name(id) {
    return this.model?.participants.get(id)?.name ?? `#${id}`;
  }

  // Repaints from `model` (or the last one), keeping the focus on the same control.
  paint(model = this.model) {
    this.model = model;
    if (!model) return;
    const focused = document.activeElement?.dataset?.key;
    replace(this.root,
      h('h2', { id: 'chair-title', text: t('chair.title') }),
      this.toolbar(),
      h('p', { id: 'chair-status', class: 'note bad-note', role: 'status', text: this.message }),
      this.floor(),
      this.roster());
    if (focused) this.root.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }

  toolbar() {
    const m = this.model;
    const locked = m.state === 'locked';
    const main = m.views.find((v) => v.name === 'main') ?? { layout: 'speaker' };
    const layout = h('select', { id: 'layout', 'data-key': 'layout',
      onchange: (ev) => this.act('room.layout', { layout: ev.target.value }) },
    LAYOUTS.map((l) => h('option', { value: l, selected: l === main.layout, text: t(`layout.${l}`) })));
    return h('div', { class: 'chair-tools' },
      h('button', { type: 'button', id: 'mute-all', class: 'secondary', 'data-key': 'mute-all',
        text: t('chair.mute_all'), onclick: () => this.act('room.mute_all') }),
      h('button', { type: 'button', id: 'lock', class: 'secondary', 'data-key': 'lock',
        'aria-pressed': locked ? 'true' : 'false', text: locked ? t('chair.unlock') : t('chair.lock'),
        onclick: () => this.act(locked ? 'room.unlock' : 'room.lock') }),
      h('span', { class: 'inline-field' },
        h('label', { for: 'layout', text: t('chair.layout') }), layout),
      this.confirmEnd
        ? [h('button', { type: 'button', id: 'end-confirm', class: 'danger', 'data-key': 'end-confirm',
          text: t('chair.end_confirm'), onclick: () => this.act('room.end') }),
        h('button', { type: 'button', id: 'end-cancel', class: 'secondary', 'data-key': 'end-cancel',
          text: t('chair.end_cancel'), onclick: () => { this.confirmEnd = false; this.paint(); } })]
        : h('button', { type: 'button', id: 'end-meeting', class: 'danger', 'data-key': 'end-meeting',
          text: t('chair.end'), onclick: () => { this.confirmEnd = true; this.paint(); this.root.querySelector('#end-confirm')?.focus(); } }));
  }

  floor() {
    const m = this.model;
    const holder = m.floor === null ? t('chair.floor_none') : this.name(m.floor);
    return h('section', { class: 'floor', 'aria-labelledby': 'floor-title' },
      h('h3', { id: 'floor-title', text: t('chair.floor') }),
      h('p', { class: 'floor-holder' },
        h('span', { id: 'floor-holder', text: t('chair.floor_holder', { name: holder }) }),
        m.floor !== null && h('button', { type: 'button', id: 'revoke', class: 'secondary small',
          'data-key': 'revoke', text: t('chair.revoke'), onclick: () => this.act('room.floor.revoke') })),
      h('h4', { id: 'queue-title', text: t('chair.queue') }),
      m.queue.length === 0
        ? h('p', { id: 'queue-empty', class: 'note', text: t('chair.queue_empty') })
        : h('ol', { id: 'queue', class: 'queue', 'aria-labelledby': 'queue-title' },
          m.queue.map((id) => h('li', { 'data-participant': id },
            h('span', { class: 'queue-name', text: this.name(id) }),
            h('button', { type: 'button', class: 'small grant', 'data-key': `grant-${id}`,
              'aria-label': t('chair.grant_named', { name: this.name(id) }), text: t('chair.grant'),
              onclick: () => this.act('room.floor.grant', { participant: id }) })))));
  }

  roster() {
    const units = new Map();
    for (const p of this.model.participants.values()) {
      const unit = p.unit || t('chair.no_unit');
      if (!units.has(unit)) units.set(unit, []);
      units.get(unit).push(p);
    }
    const sorted = [...units.keys()].sort((a, b) => a.localeCompare(b, 'vi'));
    return h('section', { class: 'roster', 'aria-labelledby': 'roster-title' },
      h('h3', { id: 'roster-title', text: t('chair.participants', { n: this.model.participants.size }) }),
      sorted.map((unit) => h('div', { class: 'unit' },
        h('h4', { text: unit }),
        h('ul', { class: 'people' }, units.get(unit).map((p) => this.person(p))))));
  }

  badges(p) {
    const m = this.model;
    const badge = (key, cls) => h('span', { class: `badge ${cls}`, text: t(key) });
    return [
      p.speaking && badge('badge.speaking', 'speaking'),
      p.audio_muted_by_chair ? badge('badge.muted_by_chair', 'muted')
        : p.audio_muted_self ? badge('badge.muted_self', 'muted') : null,
      p.hand_raised && h('span', { class: 'badge hand',
        text: t('badge.hand', { n: m.queue.indexOf(p.id) + 1 }) }),
      p.has_floor && badge('badge.floor', 'floor'),
      p.video_muted_self && badge('badge.camera_off', 'muted'),
      p.away && badge('badge.away', 'away'),
      m.views.some((v) => v.pinned === p.id) && badge('badge.pinned', 'pinned'),
    ];
  }

  person(p) {
    const me = p.id === this.model.me;
    const chairMuted = p.audio_muted_by_chair || (me && p.audio_muted);
    const key = (what) => `${what}-${p.id}`;
    const pinned = this.model.views.some((v) => v.name === 'main' && v.pinned === p.id);
    return h('li', { class: 'person', 'data-participant': p.id, 'data-muted': p.audio_muted ? 'true' : 'false' },
      h('div', { class: 'person-text' },
        h('span', { class: 'person-name', text: p.name }),
        h('span', { class: 'person-role', text: t(`role.${p.role}`) }),
        h('span', { class: 'badges' }, this.badges(p))),
      p.role !== 'viewer' && h('div', { class: 'person-actions' },
        h('button', { type: 'button', class: 'secondary small mute', 'data-key': key('mute'),
          'aria-label': t(chairMuted ? 'chair.unmute_named' : 'chair.mute_named', { name: p.name }),
          text: t(chairMuted ? 'chair.unmute' : 'chair.mute'),
          onclick: () => this.act(chairMuted ? 'room.unmute' : 'room.mute', { participant: p.id }) }),
        !me && h('button', { type: 'button', class: 'secondary small pin', 'data-key': key('pin'),
          'aria-label': t(pinned ? 'chair.unpin_named' : 'chair.pin_named', { name: p.name }),
          text: t(pinned ? 'chair.unpin' : 'chair.pin'),
          onclick: () => this.act(pinned ? 'room.unpin' : 'room.pin', pinned ? {} : { participant: p.id }) }),
        !me && h('button', { type: 'button', class: 'secondary small kick', 'data-key': key('kick'),
          'aria-label': t('chair.kick_named', { name: p.name }), text: t('chair.kick'),
          onclick: () => this.act('room.kick', { participant: p.id }) })));
  }
}
