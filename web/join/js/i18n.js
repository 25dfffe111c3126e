// SPDX-License-Identifier: MIT
// The participant client's language (web/common/i18n.js), remembered as cau.join.lang;
// the page's title follows it.
import { createI18n } from '../../common/i18n.js';
import vi from '../i18n/vi.js';
import en from '../i18n/en.js';

export const { LANGUAGES, lang, locale, setLang, onLangChange, t, translateStatic } = createI18n(
  { vi, en },
  'cau.join.lang',
  { titleKey: 'app.title' },
);
