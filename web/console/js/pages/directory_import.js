// SPDX-License-Identifier: MIT
// CSV import of units and endpoints (the refused rows listed by line) and export links.
import { API, importCsv } from '../api.js';
import { busy, copyButton, errorBox, field, h, openDialog, replace, table } from '../dom.js';
import { t } from '../i18n.js';

// Appends the import/export section to `view`; `refresh()` redraws the tree after an
// import.
export function renderImportExport(view, refresh) {
  view.append(h('section', { class: 'card', 'aria-labelledby': 'csv-title' },
    h('h2', { id: 'csv-title', text: t('csv.title') }),
    h('p', { class: 'hint', text: t('csv.help') }),
    h('div', { class: 'split' },
      importForm('units', t('csv.units_file'), t('csv.units_columns'), refresh),
      importForm('endpoints', t('csv.endpoints_file'), t('csv.endpoints_columns'), refresh)),
    h('p', { class: 'exports' },
      h('a', { href: `${API}/units/export`, download: 'units.csv', text: t('csv.export_units') }),
      ' · ',
      h('a', { href: `${API}/endpoints/export`, download: 'endpoints.csv', text: t('csv.export_endpoints') }))));
}

function importForm(what, label, columns, refresh) {
  const file = h('input', { type: 'file', name: `${what}-csv`, accept: '.csv,text/csv', required: true });
  const errors = errorBox();
  const result = h('div', { class: 'import-result', id: `import-${what}-result`, 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', text: t('csv.import') });
  const form = h('form', { class: 'import', id: `import-${what}` },
    h('h3', { text: t(`csv.import_${what}`) }),
    field(label, file, columns), errors.element, h('div', { class: 'actions' }, submit), result);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    replace(result);
    busy(submit, errors, async () => {
      const reply = await importCsv(`/${what}/import`, chosen);
      showResult(result, reply, chosen.name);
      await refresh();
      if (reply.credentials?.length) showCredentials(reply.credentials);
    });
  });
  return form;
}

function showResult(box, reply, fileName) {
  const summary = t('csv.summary', { file: fileName, created: reply.created, updated: reply.updated,
    unchanged: reply.unchanged, errors: reply.errors.length });
  replace(box, h('p', { class: reply.errors.length ? 'warning' : 'success', text: summary }),
    reply.errors.length
      ? table(t('csv.errors_caption'), [t('csv.line'), t('csv.reason')],
        reply.errors.map((e) => [String(e.line), e.message]), { class: 'import-errors' })
      : null);
}

function showCredentials(credentials) {
  const text = credentials.map((c) => `${c.code},${c.credential}`).join('\n');
  openDialog({
    title: t('csv.credentials_title'),
    className: 'credential-dialog',
    body: [h('p', { class: 'warning', text: t('dir.credential_once') }),
      table(null, [t('dir.code'), t('dir.credential')], credentials.map((c) => [c.code,
        h('code', { class: 'secret', text: c.credential })])),
      field(t('csv.credentials_csv'), h('textarea', { readOnly: true, rows: Math.min(credentials.length + 1, 8),
        value: text, class: 'secret' })),
      copyButton(text, t('csv.copy_all'))],
  });
}
