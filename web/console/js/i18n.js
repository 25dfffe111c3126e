// SPDX-License-Identifier: MIT
// The console's language (web/common/i18n.js), remembered as cau.console.lang.
import { createI18n } from '../../common/i18n.js';
import vi from '../i18n/vi.js';
import en from '../i18n/en.js';

export const { LANGUAGES, lang, locale, setLang, onLangChange, t, translateStatic } = createI18n(
  { vi, en },
  'cau.console.lang',
);
