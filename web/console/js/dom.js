// SPDX-License-Identifier: MIT
// DOM helpers of the console: element building (text only, never HTML), labelled
// fields, error boxes, modal dialogs with focus management, copy buttons, announcements.
import { locale, t } from './i18n.js';
import { h, replace } from '../../common/dom.js';

export { h, replace };

let nextId = 1;

// A unique id for an element that a label or aria attribute must name.
export function uid(prefix = 'f') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// A label and its control (the control gets an id if it has none); `hint` is shown
// under the control and tied to it with aria-describedby.
export function field(label, control, hint) {
  if (!control.id) control.id = uid();
  const parts = [h('label', { htmlFor: control.id, text: label }), control];
  if (hint) {
    const hintId = uid('hint');
    control.setAttribute('aria-describedby', hintId);
    parts.push(h('small', { id: hintId, class: 'hint', text: hint }));
  }
  return h('div', { class: 'field' }, parts);
}

// A checkbox with its label after it.
export function checkbox(label, attrs = {}) {
  const input = h('input', { type: 'checkbox', id: uid(), ...attrs });
  return { input, element: h('label', { class: 'check', htmlFor: input.id }, input, ' ', label) };
}

// A <select> of [value, label] pairs with `selected` chosen.
export function select(options, selected, attrs = {}) {
  return h('select', attrs, options.map(([value, label]) =>
    h('option', { value: String(value), selected: String(value) === String(selected), text: label })));
}

// An error box for a form: hidden until show(error); role="alert" so that screen
// readers speak it. An API error shows its translated code and the server's words.
export function errorBox() {
  const box = h('p', { class: 'error', role: 'alert', hidden: true });
  return {
    element: box,
    show(error) {
      box.textContent = describeError(error);
      box.hidden = false;
    },
    clear() {
      box.textContent = '';
      box.hidden = true;
    },
  };
}

// Shows `message` right under `control` (inside its field), marks the control invalid
// and ties the message to it (aria-describedby), so that it is read with the field. The
// message goes when the control is edited or clearFieldErrors() runs.
export function fieldError(control, message) {
  const holder = control.closest('.field') ?? control.parentElement;
  let box = holder.querySelector(':scope > .field-error');
  if (!box) {
    box = h('small', { class: 'field-error', id: uid('err'), role: 'alert' });
    holder.append(box);
    const clear = () => {
      box.remove();
      control.removeAttribute('aria-invalid');
      const rest = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && x !== box.id);
      if (rest.length) control.setAttribute('aria-describedby', rest.join(' '));
      else control.removeAttribute('aria-describedby');
      control.removeEventListener('input', clear);
    };
    box.clear = clear;
    control.addEventListener('input', clear);
    const described = (control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    control.setAttribute('aria-describedby', [...described, box.id].join(' '));
  }
  box.textContent = message;
  control.setAttribute('aria-invalid', 'true');
  return box;
}

// Removes every message fieldError() put in `root`.
export function clearFieldErrors(root) {
  for (const box of root.querySelectorAll('.field-error')) box.clear();
}

// A mistake in what the user typed, found before asking the server: shown as it is.
export class InputError extends Error {}

// One line for a person: "<what went wrong in their language>: <the server's message>".
export function describeError(error) {
  if (typeof error === 'string') return error;
  if (error instanceof InputError) return error.message;
  if (error && error.code) {
    const lead = t(`error.${error.code}`);
    const known = lead !== `error.${error.code}`;
    if (error.message) return known ? `${lead}: ${error.message}` : error.message;
    return known ? lead : t('error.unknown');
  }
  return `${t('error.unknown')}: ${error?.message ?? error}`;
}

// Runs `work` with `button` disabled and the box cleared; shows a thrown error in `box`.
// Returns work's result, or undefined when it threw.
export async function busy(button, box, work) {
  if (button) button.disabled = true;
  box?.clear();
  try {
    return await work();
  } catch (error) {
    if (box) box.show(error);
    else announce(describeError(error));
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

const ANNOUNCE_MS = 8000;
let announceTimer = null;

// Speaks and shows a short status line (polite live region of the page) for a few
// seconds.
export function announce(text) {
  const region = document.getElementById('status-line');
  if (!region) return;
  region.textContent = '';
  window.clearTimeout(announceTimer);
  // Emptied first so that the same message is announced again.
  announceTimer = window.setTimeout(() => {
    region.textContent = text;
    announceTimer = window.setTimeout(() => { region.textContent = ''; }, ANNOUNCE_MS);
  }, 20);
}

// Opens a modal dialog titled `title` holding `body`; `actions` are buttons put at the
// bottom (a Close button is added). Focus goes to the first field (or button) and comes
// back to the element that had it when the dialog closes. Returns { dialog, close }.
export function openDialog({ title, body, actions = [], closeLabel, className }) {
  const opener = document.activeElement;
  const titleId = uid('dlg');
  const close = () => dialog.close();
  const closeButton = h('button', { type: 'button', class: 'secondary', onclick: close,
    text: closeLabel ?? t('common.close') });
  const dialog = h('dialog', { 'aria-labelledby': titleId, class: className },
    h('h2', { id: titleId, text: title }),
    h('div', { class: 'dialog-body' }, body),
    h('div', { class: 'actions' }, actions, closeButton));
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener && document.contains(opener)) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  const first = dialog.querySelector('input:not([type=hidden]):not([readonly]), select, textarea')
    ?? dialog.querySelector('.actions button');
  first?.focus();
  return { dialog, close };
}

// Asks a yes/no question in a dialog; resolves to true when confirmed.
export function confirmDialog(title, message, confirmLabel, { danger = true } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    const yes = h('button', { type: 'button', class: danger ? 'danger' : '', text: confirmLabel,
      onclick: () => { answer = true; d.close(); } });
    const d = openDialog({ title, body: h('p', { text: message }), actions: [yes],
      closeLabel: t('common.no') });
    d.dialog.addEventListener('close', () => resolve(answer));
    yes.focus();
  });
}

// Copies text to the clipboard: the Clipboard API where the page is a secure context
// (HTTPS, localhost), else a selected hidden text area and execCommand("copy"), which
// works on a plain-HTTP intranet address. Resolves to true when copied.
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // fall through to the old way
    }
  }
  const area = h('textarea', { class: 'offscreen', readOnly: true, value: text, 'aria-hidden': 'true' });
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

// A button that copies `text` (a string or a function giving it) and says so;
// `description` names what it copies for screen readers when several sit together.
export function copyButton(text, label = t('common.copy'), description = null) {
  const button = h('button', { type: 'button', class: 'secondary small', text: label,
    'aria-label': description ? `${label}: ${description}` : null });
  button.addEventListener('click', async () => {
    const ok = await copyText(typeof text === 'function' ? text() : text);
    announce(ok ? t('common.copied') : t('common.copy_failed'));
    button.textContent = ok ? t('common.copied') : t('common.copy_failed');
    window.setTimeout(() => { button.textContent = label; }, 2000);
  });
  return button;
}

// A table with a caption, column headings and rows of cells (nodes or text). Each cell
// carries its heading as data-label, which console.css shows on phones.
export function table(caption, headings, rows, attrs = {}) {
  return h('table', attrs,
    caption ? h('caption', { text: caption }) : null,
    h('thead', {}, h('tr', {}, headings.map((text) => h('th', { scope: 'col', text })))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell, i) =>
      h('td', { 'data-label': headings[i] ?? null }, cell))))));
}

// A code (LD-TP, TP-01) kept on one line in narrow table cells.
export function code(text) {
  return h('span', { class: 'nowrap', text });
}

// A human size: 1.2 MB, 615 B.
export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toLocaleString(locale(), { maximumFractionDigits: 1 })} ${units[unit]}`;
}
