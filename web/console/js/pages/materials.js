// SPDX-License-Identifier: MIT
// A meeting's materials: upload (for the meeting or one agenda item) with a progress bar,
// new versions, the list of versions with download links, delete.
import { API, api, query, upload } from '../api.js';
import { announce, busy, clearFieldErrors, confirmDialog, describeError, errorBox, field, fieldError, formatSize, h,
  openDialog, replace, select, table } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../time.js';

// A progress bar with its label and a text percentage.
function progressBar() {
  const bar = h('progress', { max: 100, value: 0, id: `progress-${Math.random().toString(36).slice(2)}` });
  const text = h('span', { class: 'progress-text', 'aria-hidden': 'true' });
  const element = h('div', { class: 'progress', hidden: true },
    h('label', { htmlFor: bar.id, text: t('materials.progress') }), bar, text);
  return {
    element,
    set(sent, total) {
      const percent = total ? Math.round((sent / total) * 100) : 0;
      bar.value = percent;
      text.textContent = `${percent}% (${formatSize(sent)} / ${formatSize(total)})`;
    },
    show() { element.hidden = false; this.set(0, 0); },
    hide() { element.hidden = true; },
  };
}

// Uploads `file` to `path` showing progress in `progress`; resolves to the material.
async function send(path, file, progress) {
  progress.show();
  try {
    return await upload(path, file, (sent, total) => progress.set(sent, total));
  } finally {
    progress.hide();
  }
}

export async function materialsSection(meeting, operator) {
  const section = h('section', { class: 'card', id: 'materials', 'aria-labelledby': 'materials-title' },
    h('h2', { id: 'materials-title', text: t('materials.title') }));
  const listBox = h('div', { id: 'material-list' });
  const listErrors = errorBox();
  const agendaTitle = new Map(meeting.agenda.map((item) => [item.id, `${item.position}. ${item.title}`]));

  async function draw() {
    let materials;
    try {
      materials = await api('GET', `/meetings/${meeting.id}/materials`);
    } catch (error) {
      listErrors.show(error);
      return;
    }
    replace(listBox, materials.length
      ? table(null, [t('materials.name'), t('materials.for'), t('materials.type'), t('materials.size'),
        t('materials.version'), t('materials.uploaded'), t('materials.versions'), t('common.actions')],
      materials.map((m) => [
        h('a', { href: `${API}/materials/${m.id}`, download: m.file_name, text: m.name }),
        m.agenda_item_id ? agendaTitle.get(m.agenda_item_id) ?? '—' : t('materials.whole_meeting'),
        m.type.toUpperCase(), formatSize(m.size), String(m.version),
        `${formatDateTime(m.uploaded_at)} · ${m.uploaded_by}`,
        versionsList(m),
        operator ? h('div', { class: 'row-actions' },
          h('button', { type: 'button', class: 'secondary small', text: t('materials.new_version'),
            'aria-label': `${t('materials.new_version')}: ${m.name}`, onclick: () => versionDialog(m) }),
          h('button', { type: 'button', class: 'danger small', text: t('common.delete'),
            'aria-label': `${t('common.delete')}: ${m.name}`, onclick: (event) => remove(m, event.currentTarget) }))
          : '',
      ]), { class: 'materials' })
      : h('p', { class: 'empty', text: t('materials.none') }));
  }

  function versionsList(material) {
    return h('details', {}, h('summary', { text: t('materials.version_count', { n: material.versions.length }) }),
      h('ul', { class: 'versions' }, material.versions.map((v) => h('li', {},
        h('a', { href: `${API}/materials/${material.id}/versions/${v.version}`, download: v.file_name,
          text: t('materials.version_link', { n: v.version, name: v.file_name }) }),
        ` · ${formatSize(v.size)} · ${formatDateTime(v.uploaded_at)} · ${v.uploaded_by}`))));
  }

  async function remove(material, button) {
    const question = t('materials.confirm_delete', { name: material.name });
    if (!(await confirmDialog(t('common.delete'), question, t('common.delete')))) return;
    await busy(button, listErrors, async () => {
      await api('DELETE', `/materials/${material.id}`);
      announce(t('common.deleted'));
      await draw();
    });
  }

  function versionDialog(material) {
    const file = h('input', { type: 'file', name: 'version-file', required: true });
    const progress = progressBar();
    const errors = errorBox();
    const submit = h('button', { type: 'submit', form: 'version-form', text: t('materials.upload') });
    const form = h('form', { id: 'version-form' }, field(t('materials.file'), file, t('materials.types')),
      progress.element, errors.element);
    const dialog = openDialog({ title: t('materials.new_version_of', { name: material.name }), body: form,
      actions: [submit] });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const chosen = file.files[0];
      if (!chosen) return;
      busy(submit, errors, async () => {
        await send(`/materials/${material.id}/versions${query({ name: chosen.name })}`, chosen, progress);
        dialog.close();
        announce(t('materials.uploaded_ok', { name: chosen.name }));
        await draw();
      });
    });
  }

  if (operator) {
    const file = h('input', { type: 'file', name: 'material-file', required: true });
    const target = select([['', t('materials.whole_meeting')],
      ...meeting.agenda.map((item) => [item.id, `${item.position}. ${item.title}`])], '',
    { name: 'material-agenda-item' });
    const progress = progressBar();
    const errors = errorBox();
    const submit = h('button', { type: 'submit', text: t('materials.upload') });
    const form = h('form', { id: 'material-upload', class: 'upload' },
      h('div', { class: 'row' }, field(t('materials.file'), file, t('materials.types')),
        field(t('materials.for'), target)),
      progress.element, errors.element, h('div', { class: 'actions' }, submit));
    // A refusal of the file itself (too large, a refused type) goes next to the field.
    const refusal = { clear: () => errors.clear(), show: (error) => {
      if (['too_large', 'unsupported_media_type'].includes(error?.code)) fieldError(file, describeError(error));
      else errors.show(error);
    } };
    form.noValidate = true;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      const chosen = file.files[0];
      if (!chosen) {
        fieldError(file, t('materials.choose_file'));
        file.focus();
        return;
      }
      busy(submit, refusal, async () => {
        await send(`/meetings/${meeting.id}/materials${query({ name: chosen.name, agenda_item: target.value })}`,
          chosen, progress);
        form.reset();
        announce(t('materials.uploaded_ok', { name: chosen.name }));
        await draw();
      });
    });
    section.append(form);
  }
  section.append(listErrors.element, listBox);
  await draw();
  return section;
}
