// SPDX-License-Identifier: MIT
// The participant client's language: Vietnamese by default, English on request,
// remembered in localStorage. Every visible string comes from i18n/vi.js or i18n/en.js
// through t().
import vi from '../i18n/vi.js';
import en from '../i18n/en.js';

export const LANGUAGES = { vi, en };
const STORAGE_KEY = 'cau.join.lang';
const listeners = [];

function stored() {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return value in LANGUAGES ? value : 'vi';
  } catch {
    return 'vi';
  }
}

let current = stored();

export function lang() {
  return current;
}

// Switches language, remembers it, and tells the listeners (which repaint).
export function setLang(value) {
  if (!(value in LANGUAGES) || value === current) return;
  current = value;
  try {
    window.localStorage.setItem(STORAGE_KEY, value);
  } catch {
    // private mode: the choice lasts for this page only
  }
  document.documentElement.lang = value;
  for (const listener of listeners) listener(value);
}

export function onLangChange(listener) {
  listeners.push(listener);
}

// The string `key` of the current language ({name} replaced from `params`); the
// Vietnamese one if English lacks it; the key itself if both lack it.
export function t(key, params) {
  let text = LANGUAGES[current][key] ?? LANGUAGES.vi[key] ?? key;
  if (params) text = text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  return text;
}

// Fills the static markup: data-i18n="key" sets the text, data-i18n-attr="attr:key;..."
// sets attributes.
export function translateStatic(root = document) {
  document.documentElement.lang = current;
  document.title = `${t('app.title')} — Cầu`;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}
