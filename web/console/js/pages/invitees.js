// SPDX-License-Identifier: MIT
// A meeting's invitees (units, optionally with every unit under them, and endpoints) with
// the endpoints they expand to, their editor, and the invitation (join) links.
import { api } from '../api.js';
import { announce, busy, checkbox, code, copyButton, errorBox, field, h, openDialog, replace, table } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../time.js';

// The invitees section; `editable` adds the editor.
export async function inviteesSection(meeting, editable) {
  const section = h('section', { class: 'card', id: 'invitees', 'aria-labelledby': 'invitees-title' });
  const body = h('div');
  const errors = errorBox();

  async function draw(invitees) {
    replace(body,
      h('p', { class: 'count', id: 'invited-count',
        text: t('invitees.expanded_count', { n: invitees.expanded.length }) }),
      h('h3', { text: t('invitees.units') }),
      invitees.units.length
        ? h('ul', { id: 'invited-units' }, invitees.units.map((u) => h('li', {}, `${u.name} (${u.code})`,
          u.include_descendants ? h('span', { class: 'badge', text: t('invitees.with_descendants') }) : null)))
        : h('p', { class: 'empty', text: t('invitees.no_units') }),
      h('h3', { text: t('invitees.endpoints') }),
      invitees.endpoints.length
        ? h('ul', { id: 'invited-endpoints' },
          invitees.endpoints.map((e) => h('li', { text: `${e.name} (${e.code})` })))
        : h('p', { class: 'empty', text: t('invitees.no_endpoints') }),
      invitees.expanded.length
        ? h('details', { class: 'expanded' },
          h('summary', { text: t('invitees.show_expanded', { n: invitees.expanded.length }) }),
          table(null, [t('dir.code'), t('dir.name'), t('dir.unit')],
            invitees.expanded.map((e) => [code(e.code), e.name, e.unit.name])))
        : null);
  }

  const current = await api('GET', `/meetings/${meeting.id}/invitees`);
  section.append(h('h2', { id: 'invitees-title', text: t('invitees.title') }), body, errors.element);
  await draw(current);
  if (editable) {
    const edit = h('button', { type: 'button', class: 'secondary', text: t('invitees.edit'),
      onclick: () => busy(edit, errors, async () => {
        const latest = await api('GET', `/meetings/${meeting.id}/invitees`);
        await openEditor(meeting, latest, async (saved) => {
          await draw(saved);
          announce(t('invitees.saved', { n: saved.expanded.length }));
        });
      }) });
    section.append(h('div', { class: 'actions' }, edit));
  }
  return section;
}

// Endpoints a choice would invite, as the server expands it (disabled ones left out).
function expandLocally(tree, endpoints, chosenUnits, chosenEndpoints) {
  const units = new Set();
  const walk = (node, inherited) => {
    const choice = chosenUnits.get(node.id);
    if (inherited || choice) units.add(node.id);
    const down = inherited || Boolean(choice?.include_descendants);
    for (const child of node.children) walk(child, down);
  };
  for (const root of tree) walk(root, false);
  return endpoints.filter((e) => !e.disabled && (units.has(e.unit_id) || chosenEndpoints.has(e.id))).length;
}

async function openEditor(meeting, invitees, onSaved) {
  const [tree, endpoints] = await Promise.all([api('GET', '/units?format=tree'), api('GET', '/endpoints')]);
  const chosenUnits = new Map(invitees.units.map((u) => [u.id, { include_descendants: u.include_descendants }]));
  const chosenEndpoints = new Set(invitees.endpoints.map((e) => e.id));
  const preview = h('p', { class: 'count', 'aria-live': 'polite', id: 'invitees-preview' });
  const update = () => {
    preview.textContent = t('invitees.preview', { n: expandLocally(tree, endpoints, chosenUnits, chosenEndpoints) });
  };

  const unitNode = (unit) => {
    const invite = checkbox(`${unit.name} (${unit.level})`, { name: 'invite-unit', value: unit.id,
      checked: chosenUnits.has(unit.id), 'data-unit-code': unit.code });
    const below = unit.children.length
      ? checkbox(t('invitees.include_descendants'), { name: 'include-descendants', value: unit.id,
        checked: Boolean(chosenUnits.get(unit.id)?.include_descendants), disabled: !chosenUnits.has(unit.id),
        'data-unit-code': unit.code, 'aria-label': t('invitees.include_descendants_of', { name: unit.name }) })
      : null;
    invite.input.addEventListener('change', () => {
      if (invite.input.checked) chosenUnits.set(unit.id, { include_descendants: below ? below.input.checked : false });
      else chosenUnits.delete(unit.id);
      if (below) below.input.disabled = !invite.input.checked;
      update();
    });
    below?.input.addEventListener('change', () => {
      if (chosenUnits.has(unit.id)) chosenUnits.get(unit.id).include_descendants = below.input.checked;
      update();
    });
    return h('li', {}, h('div', { class: 'node' }, invite.element, below ? below.element : null),
      unit.children.length ? h('ul', {}, unit.children.map(unitNode)) : null);
  };

  const filterInput = h('input', { type: 'search', name: 'endpoint-filter', autocomplete: 'off' });
  const endpointList = h('ul', { class: 'endpoint-choices' }, endpoints.map((e) => {
    const choice = checkbox(`${e.name} (${e.code}) — ${e.unit_code}${e.disabled ? ` · ${t('dir.disabled')}` : ''}`,
      { name: 'invite-endpoint', value: e.id, checked: chosenEndpoints.has(e.id), 'data-endpoint-code': e.code });
    choice.input.addEventListener('change', () => {
      if (choice.input.checked) chosenEndpoints.add(e.id);
      else chosenEndpoints.delete(e.id);
      update();
    });
    return h('li', { 'data-search': `${e.code} ${e.name} ${e.unit_code}`.toLowerCase() }, choice.element);
  }));
  filterInput.addEventListener('input', () => {
    const needle = filterInput.value.trim().toLowerCase();
    for (const li of endpointList.children) li.hidden = needle !== '' && !li.dataset.search.includes(needle);
  });

  const errors = errorBox();
  const save = h('button', { type: 'button', text: t('common.save') });
  const dialog = openDialog({
    title: t('invitees.edit_title', { title: meeting.title }),
    className: 'wide',
    body: [
      h('fieldset', {}, h('legend', { text: t('invitees.pick_units') }),
        tree.length ? h('ul', { class: 'tree choose' }, tree.map(unitNode))
          : h('p', { class: 'empty', text: t('dir.no_units') })),
      h('fieldset', {}, h('legend', { text: t('invitees.pick_endpoints') }),
        field(t('invitees.filter'), filterInput), endpointList),
      preview, errors.element],
    actions: [save],
  });
  update();
  save.addEventListener('click', () => busy(save, errors, async () => {
    const saved = await api('PUT', `/meetings/${meeting.id}/invitees`, {
      units: [...chosenUnits].map(([id, c]) => ({ id, include_descendants: c.include_descendants })),
      endpoints: [...chosenEndpoints],
    });
    dialog.close();
    await onSaved(saved);
  }));
}

// A button that makes `endpoint` the room's chair: a chair join link for it (POST
// join-tokens, role chair), shown in `box` with a copy button. The participant link of the
// same endpoint keeps working; whoever opens the chair link runs the meeting.
function chairButton(meeting, endpoint, box, errors, absolute) {
  const button = h('button', { type: 'button', class: 'secondary', text: t('invitations.chair'),
    'aria-label': t('invitations.chair_for', { name: endpoint.name }),
    onclick: () => busy(button, errors, async () => {
      const reply = await api('POST', `/meetings/${meeting.id}/join-tokens`,
        { endpoint_id: endpoint.id, role: 'chair' });
      const link = absolute(reply.link);
      replace(box, [h('p', { text: t('invitations.chair_link', { name: endpoint.name }) }),
        h('code', { class: 'link', text: link }), copyButton(link, t('invitations.copy'))]);
      announce(t('invitations.chair_link', { name: endpoint.name }));
    }) });
  return button;
}

// The join links of the invited endpoints, fetched on request, each with a copy button and
// a button that makes a chair link for it.
export function invitationsSection(meeting) {
  const box = h('div', { id: 'invitation-links' });
  const errors = errorBox();
  const show = h('button', { type: 'button', class: 'secondary', text: t('invitations.show'),
    onclick: () => busy(show, errors, async () => {
      const reply = await api('GET', `/meetings/${meeting.id}/invitations`);
      const chairBox = h('div', { id: 'chair-link', 'aria-live': 'polite' });
      const absolute = (link) => new URL(link, window.location.origin).href;
      const all = reply.invitations
        .map((i) => `${i.endpoint.code}\t${i.endpoint.name}\t${absolute(i.link)}`).join('\n');
      replace(box, reply.invitations.length
        ? [h('p', { text: t('invitations.expires', { at: formatDateTime(reply.expires_at) }) }),
          table(null, [t('dir.code'), t('dir.name'), t('dir.unit'), t('invitations.link'), t('common.actions')],
            reply.invitations.map((i) => [code(i.endpoint.code), i.endpoint.name, i.endpoint.unit.name,
              h('code', { class: 'link', text: absolute(i.link) }),
              h('div', { class: 'actions' },
                copyButton(absolute(i.link), t('invitations.copy'), i.endpoint.code),
                chairButton(meeting, i.endpoint, chairBox, errors, absolute))])),
          copyButton(all, t('invitations.copy_all')), chairBox]
        : h('p', { class: 'empty', text: t('invitations.none') }));
    }) });
  return h('section', { class: 'card', id: 'invitations', 'aria-labelledby': 'invitations-title' },
    h('h2', { id: 'invitations-title', text: t('invitations.title') }),
    h('p', { class: 'hint', text: t('invitations.help') }),
    h('div', { class: 'actions' }, show), errors.element, box);
}
