// SPDX-License-Identifier: MIT
// One page's language, shared by the console and the participant client: Vietnamese by
// default, English on request, remembered in localStorage under the page's own key.
// Every visible string comes from the page's i18n/vi.js or i18n/en.js through t().

// Makes the language functions of one page. `languages`: { vi, en } dictionaries;
// `storageKey`: where the choice is remembered; `titleKey`: when given, translateStatic()
// also sets the document's title to that string followed by " — Cầu".
export function createI18n(languages, storageKey, { titleKey } = {}) {
  const listeners = [];
  let current = 'vi';
  try {
    const value = window.localStorage.getItem(storageKey);
    if (value in languages) current = value;
  } catch {
    // no storage (private mode, file://): Vietnamese
  }

  // The string `key` of the current language ({name} replaced from `params`); the
  // Vietnamese one if English lacks it; the key itself if both lack it.
  function t(key, params) {
    let text = languages[current][key] ?? languages.vi[key] ?? key;
    if (params) {
      text = text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
    }
    return text;
  }

  return {
    LANGUAGES: languages,
    t,
    lang: () => current,
    // The locale for Intl formatting: vi-VN, or British English (day before month).
    locale: () => (current === 'vi' ? 'vi-VN' : 'en-GB'),
    // Switches language, remembers it, and tells the listeners (which redraw).
    setLang(value) {
      if (!(value in languages) || value === current) return;
      current = value;
      try {
        window.localStorage.setItem(storageKey, value);
      } catch {
        // private mode: the choice lasts for this page only
      }
      document.documentElement.lang = value;
      for (const listener of listeners) listener(value);
    },
    onLangChange(listener) {
      listeners.push(listener);
    },
    // Fills the static markup: data-i18n="key" sets the text, data-i18n-attr="attr:key;..."
    // sets attributes.
    translateStatic(root = document) {
      document.documentElement.lang = current;
      if (titleKey) document.title = `${t(titleKey)} — Cầu`;
      for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
      for (const el of root.querySelectorAll('[data-i18n-attr]')) {
        for (const pair of el.dataset.i18nAttr.split(';')) {
          const [attr, key] = pair.split(':');
          el.setAttribute(attr.trim(), t(key.trim()));
        }
      }
    },
  };
}
