// SPDX-License-Identifier: MIT
// The directory: the unit tree (any depth, collapsible), a unit's details and its
// endpoints, create/edit/delete of both, endpoint credentials shown once, CSV import and
// export.
import { api, query } from '../api.js';
import { announce, busy, checkbox, code, confirmDialog, copyButton, errorBox, field, h, openDialog, replace, select,
  table } from '../dom.js';
import { t } from '../i18n.js';
import { renderImportExport } from './directory_import.js';

const KINDS = ['browser', 'whip', 'sip'];
// Which units are open in the tree and which is selected: kept while the console runs.
// A root seen for the first time (first visit, first import) starts open.
const expanded = new Set();
const rootsSeen = new Set();
let selectedId = null;

export async function renderDirectory(view) {
  const treeBox = h('div', { class: 'tree-panel', id: 'unit-tree' });
  const detailBox = h('div', { class: 'detail-panel', id: 'unit-detail' });
  const state = { units: [], byId: new Map(), tree: [] };

  // Reloads units, tree and details; then gives focus back to the element `refocus`
  // selects, which the redraw replaced.
  async function refresh(refocus) {
    const tree = await api('GET', '/units?format=tree');
    state.tree = tree;
    state.units = await api('GET', '/units');
    state.byId = new Map(state.units.map((u) => [u.id, u]));
    for (const root of tree) {
      if (!rootsSeen.has(root.id)) expanded.add(root.id);
      rootsSeen.add(root.id);
    }
    if (selectedId !== null && !state.byId.has(selectedId)) selectedId = null;
    drawTree(tree);
    await drawDetail();
    if (refocus) view.querySelector(refocus)?.focus();
  }

  function drawTree(tree) {
    const list = tree.length
      ? h('ul', { class: 'tree' }, tree.map((u) => treeNode(u)))
      : h('p', { class: 'empty', text: t('dir.no_units') });
    replace(treeBox, h('h2', { text: t('dir.tree') }),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', class: 'small', text: t('dir.add_root'), onclick: () => unitDialog(null, null) }),
        h('button', { type: 'button', class: 'secondary small', text: t('dir.expand_all'),
          onclick: () => { state.units.forEach((u) => expanded.add(u.id)); drawTree(tree); } }),
        h('button', { type: 'button', class: 'secondary small', text: t('dir.collapse_all'),
          onclick: () => { expanded.clear(); drawTree(tree); } })),
      list);
  }

  function treeNode(unit) {
    const open = expanded.has(unit.id);
    const hasChildren = unit.children.length > 0;
    const toggle = hasChildren
      ? h('button', { type: 'button', class: 'toggle', 'aria-expanded': String(open),
        'aria-label': t(open ? 'dir.collapse' : 'dir.expand', { name: unit.name }), text: open ? '▾' : '▸',
        'data-toggle-id': unit.id,
        onclick: () => {
          if (open) expanded.delete(unit.id);
          else expanded.add(unit.id);
          drawTree(state.tree);
          treeBox.querySelector(`[data-toggle-id="${unit.id}"]`)?.focus();
        } })
      : h('span', { class: 'toggle-space', 'aria-hidden': 'true' });
    const choose = h('button', { type: 'button', class: 'unit-name', 'data-unit-code': unit.code,
      'aria-current': unit.id === selectedId ? 'true' : null,
      onclick: () => {
        selectedId = unit.id;
        // No buttons of the unit shown before while this one loads.
        replace(detailBox, h('p', { class: 'empty', 'aria-busy': 'true', text: t('common.loading') }));
        refresh(`[data-unit-code="${CSS.escape(unit.code)}"]`);
      } },
    unit.name, ' ', h('span', { class: 'level', text: unit.level }),
    unit.endpoint_count
      ? h('span', { class: 'count', text: t('dir.endpoint_count', { n: unit.endpoint_count }) }) : null);
    return h('li', {}, h('div', { class: 'node' }, toggle, choose),
      hasChildren && open ? h('ul', {}, unit.children.map((c) => treeNode(c))) : null);
  }

  async function drawDetail() {
    const unit = state.byId.get(selectedId);
    if (!unit) {
      replace(detailBox, h('p', { class: 'empty', text: t('dir.pick_unit') }));
      return;
    }
    const endpoints = await api('GET', `/endpoints${query({ unit: unit.id })}`);
    const parent = state.byId.get(unit.parent_id);
    const errors = errorBox();
    replace(detailBox,
      h('h2', { text: unit.name }),
      h('dl', { class: 'facts' },
        h('dt', { text: t('dir.code') }), h('dd', { text: unit.code }),
        h('dt', { text: t('dir.level') }), h('dd', { text: unit.level }),
        h('dt', { text: t('dir.parent') }), h('dd', { text: parent ? parent.name : t('dir.root') }),
        h('dt', { text: t('dir.children') }), h('dd', { text: String(unit.child_count) })),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', class: 'small', text: t('dir.edit_unit'),
          onclick: () => unitDialog(unit, unit.parent_id) }),
        h('button', { type: 'button', class: 'small', text: t('dir.add_child'),
          onclick: () => unitDialog(null, unit.id) }),
        h('button', { type: 'button', class: 'danger small', text: t('dir.delete_unit'),
          onclick: (event) => deleteUnit(unit, event.currentTarget, errors) })),
      errors.element,
      h('h3', { text: t('dir.endpoints_of', { name: unit.name }) }),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', class: 'small', text: t('dir.add_endpoint'),
          onclick: () => endpointDialog(null, unit) })),
      endpoints.length ? endpointTable(endpoints, errors) : h('p', { class: 'empty', text: t('dir.no_endpoints') }));
  }

  function endpointTable(endpoints, errors) {
    return table(t('dir.endpoints'),
      [t('dir.code'), t('dir.name'), t('dir.kind'), t('dir.contact'), t('dir.state'), t('common.actions')],
      endpoints.map((e) => [
        code(e.code), e.name, t(`kind.${e.kind}`),
        [e.contact_name, e.contact_phone].filter(Boolean).join(' · '),
        e.disabled ? t('dir.disabled') : t('dir.enabled'),
        h('div', { class: 'row-actions' },
          h('button', { type: 'button', class: 'secondary small', text: t('common.edit'),
            'aria-label': `${t('common.edit')} ${e.code}`, onclick: () => endpointDialog(e, null) }),
          h('button', { type: 'button', class: 'secondary small', text: t('dir.new_credential'),
            'aria-label': `${t('dir.new_credential')} ${e.code}`,
            onclick: (event) => newCredential(e, event.currentTarget, errors) }),
          h('button', { type: 'button', class: 'danger small', text: t('common.delete'),
            'aria-label': `${t('common.delete')} ${e.code}`,
            onclick: (event) => deleteEndpoint(e, event.currentTarget, errors) })),
      ]), { class: 'endpoints' });
  }

  function parentOptions(exclude) {
    const options = [['', t('dir.root_option')]];
    for (const u of state.units) {
      if (exclude && (u.id === exclude.id)) continue;
      options.push([u.id, `${'\u2003'.repeat(u.depth)}${u.name} (${u.code})`]);
    }
    return options;
  }

  function unitDialog(unit, parentId) {
    const code = h('input', { name: 'code', required: true, maxLength: 32, value: unit?.code ?? '' });
    const name = h('input', { name: 'name', required: true, maxLength: 200, value: unit?.name ?? '' });
    const levels = [...new Set(state.units.map((u) => u.level))];
    const listId = 'unit-levels';
    const level = h('input', { name: 'level', required: true, maxLength: 64, list: listId, value: unit?.level ?? '' });
    const parent = select(parentOptions(unit), parentId ?? '', { name: 'parent_id' });
    const errors = errorBox();
    const save = h('button', { type: 'submit', form: 'unit-form', text: t('common.save') });
    const form = h('form', { id: 'unit-form' },
      field(t('dir.code'), code, t('dir.code_rule')), field(t('dir.name'), name),
      field(t('dir.level'), level, t('dir.level_hint')),
      h('datalist', { id: listId }, levels.map((l) => h('option', { value: l }))),
      field(t('dir.parent'), parent), errors.element);
    const dialog = openDialog({ title: unit ? t('dir.edit_unit_title', { name: unit.name }) : t('dir.new_unit'),
      body: form, actions: [save] });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(save, errors, async () => {
        const body = { code: code.value.trim(), name: name.value.trim(), level: level.value.trim(),
          parent_id: parent.value ? Number(parent.value) : null };
        let saved;
        if (unit) saved = await api('PATCH', `/units/${unit.id}`, body);
        else {
          if (body.parent_id === null) delete body.parent_id;
          saved = await api('POST', '/units', body);
        }
        if (saved.parent_id) expanded.add(saved.parent_id);
        selectedId = saved.id;
        dialog.close();
        announce(t('common.saved'));
        await refresh();
      });
    });
  }

  async function deleteUnit(unit, button, errors) {
    const question = t('dir.confirm_delete_unit', { name: unit.name });
    if (!(await confirmDialog(t('dir.delete_unit'), question, t('common.delete')))) return;
    await busy(button, errors, async () => {
      await api('DELETE', `/units/${unit.id}`);
      selectedId = unit.parent_id;
      announce(t('common.deleted'));
      await refresh();
    });
  }

  function endpointDialog(endpoint, unit) {
    const code = h('input', { name: 'code', required: true, maxLength: 32, value: endpoint?.code ?? '' });
    const name = h('input', { name: 'name', required: true, maxLength: 200, value: endpoint?.name ?? '' });
    const unitSelect = select(state.units.map((u) => [u.id, `${'\u2003'.repeat(u.depth)}${u.name} (${u.code})`]),
      endpoint?.unit_id ?? unit?.id, { name: 'unit_id' });
    const kind = select(KINDS.map((k) => [k, t(`kind.${k}`)]), endpoint?.kind ?? 'browser', { name: 'kind' });
    const contactName = h('input', { name: 'contact_name', maxLength: 200, value: endpoint?.contact_name ?? '' });
    const contactPhone = h('input', { name: 'contact_phone', type: 'tel', maxLength: 20,
      value: endpoint?.contact_phone ?? '' });
    const disabled = checkbox(t('dir.endpoint_disabled'), { name: 'disabled', checked: Boolean(endpoint?.disabled) });
    const errors = errorBox();
    const save = h('button', { type: 'submit', form: 'endpoint-form', text: t('common.save') });
    const form = h('form', { id: 'endpoint-form' },
      field(t('dir.code'), code, t('dir.code_rule')), field(t('dir.name'), name), field(t('dir.unit'), unitSelect),
      field(t('dir.kind'), kind), field(t('dir.contact_name'), contactName),
      field(t('dir.contact_phone'), contactPhone, t('dir.phone_rule')), disabled.element, errors.element);
    const dialog = openDialog({
      title: endpoint ? t('dir.edit_endpoint_title', { code: endpoint.code }) : t('dir.new_endpoint'),
      body: form, actions: [save] });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(save, errors, async () => {
        const body = { code: code.value.trim(), name: name.value.trim(), unit_id: Number(unitSelect.value),
          kind: kind.value, contact_name: contactName.value.trim(), contact_phone: contactPhone.value.trim(),
          disabled: disabled.input.checked };
        if (!endpoint) {
          if (!body.contact_name) delete body.contact_name;
          if (!body.contact_phone) delete body.contact_phone;
        }
        const saved = endpoint ? await api('PATCH', `/endpoints/${endpoint.id}`, body)
          : await api('POST', '/endpoints', body);
        dialog.close();
        selectedId = saved.unit_id;
        await refresh();
        if (saved.credential) showCredential(saved);
        else announce(t('common.saved'));
      });
    });
  }

  async function newCredential(endpoint, button, errors) {
    if (!(await confirmDialog(t('dir.new_credential'), t('dir.confirm_new_credential', { code: endpoint.code }),
      t('dir.new_credential')))) return;
    await busy(button, errors, async () => {
      showCredential(await api('POST', `/endpoints/${endpoint.id}/credential`));
    });
  }

  async function deleteEndpoint(endpoint, button, errors) {
    const question = t('dir.confirm_delete_endpoint', { code: endpoint.code });
    if (!(await confirmDialog(t('common.delete'), question, t('common.delete')))) return;
    await busy(button, errors, async () => {
      await api('DELETE', `/endpoints/${endpoint.id}`);
      announce(t('common.deleted'));
      await refresh();
    });
  }

  view.append(h('h1', { text: t('dir.title') }),
    h('div', { class: 'split' }, h('section', { 'aria-label': t('dir.tree') }, treeBox),
      h('section', { 'aria-label': t('dir.details') }, detailBox)));
  renderImportExport(view, refresh);
  await refresh();
}

// The secret of a new endpoint or a new credential, shown this once with a copy button.
export function showCredential(endpoint) {
  const secret = h('input', { readOnly: true, value: endpoint.credential, class: 'secret', name: 'credential',
    spellcheck: false });
  openDialog({
    title: t('dir.credential_title', { code: endpoint.code }),
    className: 'credential-dialog',
    body: [h('p', { class: 'warning', text: t('dir.credential_once') }),
      field(t('dir.credential'), secret), copyButton(() => secret.value)],
  });
  secret.focus();
  secret.select();
}
