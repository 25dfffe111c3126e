// SPDX-License-Identifier: MIT
// The meeting's documents: a list (name, version, size) with a download link for each
// and, for PDFs, a view in the page (pdfview.js).
import { fetchMaterial, listMaterials, materialUrl } from './api.js';
import { byId, h, replace } from './dom.js';
import { t } from './i18n.js';
import { PdfUnavailable, PdfView } from './pdfview.js';

// "812 B", "1.4 KB", "3.1 MB" (decimal comma in Vietnamese).
export function formatSize(bytes, language) {
  const number = (n) => n.toLocaleString(language === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });
  if (bytes < 1024) return t('size.bytes', { n: bytes });
  if (bytes < 1024 * 1024) return t('size.kb', { n: number(bytes / 1024) });
  return t('size.mb', { n: number(bytes / (1024 * 1024)) });
}

export class Materials {
  // `meetingId` and `token` name what to list; `lang()` gives the language.
  constructor(meetingId, token, lang) {
    this.meetingId = meetingId;
    this.token = token;
    this.lang = lang;
    this.items = null;
    this.error = null;
    this.viewer = new PdfView(byId('pdf-canvas'));
    this.viewing = null; // the material shown, or null
    this.viewStatus = '';
    byId('pdf-previous').addEventListener('click', () => this.turn(-1));
    byId('pdf-next').addEventListener('click', () => this.turn(1));
    byId('pdf-close').addEventListener('click', () => this.closeView());
  }

  async load() {
    this.paint();
    try {
      this.items = await listMaterials(this.meetingId, this.token);
      this.error = null;
    } catch (error) {
      this.error = error;
    }
    this.paint();
  }

  // Draws the list and the view's texts in the current language.
  paint() {
    const body = byId('materials-body');
    if (this.error) {
      replace(body, h('p', { class: 'note', role: 'alert', text: t('materials.failed', { message: this.error.message }) }));
    } else if (this.items === null) {
      replace(body, h('p', { class: 'note', text: t('materials.loading') }));
    } else if (this.items.length === 0) {
      replace(body, h('p', { class: 'note', text: t('materials.empty') }));
    } else {
      replace(body, h('ul', { class: 'doc-list' }, this.items.map((item) => this.row(item))));
    }
    this.paintView();
  }

  row(item) {
    const isPdf = item.type === 'pdf';
    return h('li', { class: 'doc', 'data-material': item.id },
      h('div', { class: 'doc-text' },
        h('span', { class: 'doc-name', text: item.name }),
        h('span', { class: 'doc-meta', text: `${t('materials.version')} ${item.version} · ${formatSize(item.size, this.lang())}` })),
      h('div', { class: 'doc-actions' },
        isPdf && h('button', { type: 'button', class: 'view', text: t('materials.view'),
          'aria-label': t('materials.view_named', { name: item.name }), onclick: () => this.view(item) }),
        h('a', { class: 'download', href: materialUrl(item.id, this.token), download: item.file_name || item.name,
          text: t('materials.download'), 'aria-label': t('materials.download_named', { name: item.name }) })));
  }

  paintView() {
    const panel = byId('pdf-view');
    panel.hidden = !this.viewing;
    if (!this.viewing) return;
    byId('pdf-name').textContent = this.viewing.name;
    const pages = this.viewer.pages;
    byId('pdf-page').textContent = pages ? t('pdf.page', { page: this.viewer.page, pages }) : '';
    byId('pdf-previous').disabled = this.viewer.page <= 1;
    byId('pdf-next').disabled = this.viewer.page >= pages;
    byId('pdf-status').textContent = this.viewStatus;
    byId('pdf-canvas').hidden = !pages;
    byId('pdf-canvas').setAttribute('aria-label', pages ? t('pdf.canvas', { page: this.viewer.page, name: this.viewing.name }) : '');
  }

  async view(item) {
    this.viewing = item;
    this.viewStatus = t('pdf.loading');
    await this.viewer.close();
    this.paintView();
    byId('pdf-view').scrollIntoView({ block: 'nearest' });
    try {
      await this.viewer.open(await fetchMaterial(item.id, this.token));
      this.viewStatus = '';
      byId('pdf-canvas').dataset.rendered = `${item.id}:${this.viewer.page}`;
    } catch (error) {
      this.viewStatus = error instanceof PdfUnavailable ? t('pdf.unavailable')
        : t('pdf.failed', { message: error.message });
    }
    this.paintView();
    byId('pdf-close').focus();
  }

  async turn(step) {
    await this.viewer.show(this.viewer.page + step);
    byId('pdf-canvas').dataset.rendered = `${this.viewing.id}:${this.viewer.page}`;
    this.paintView();
  }

  async closeView() {
    const id = this.viewing?.id;
    this.viewing = null;
    await this.viewer.close();
    delete byId('pdf-canvas').dataset.rendered;
    this.paintView();
    document.querySelector(`[data-material="${id}"] button.view`)?.focus();
  }
}
