// SPDX-License-Identifier: MIT
// Pages that come with rooms, recording and minutes: a clear "not yet available" panel.
import { h } from '../dom.js';
import { t } from '../i18n.js';

// `what`: live, recordings or minutes.
export function renderPlaceholder(view, what) {
  view.append(
    h('h1', { text: t(`placeholder.${what}.title`) }),
    h('section', { class: 'card placeholder', 'aria-labelledby': 'placeholder-state' },
      h('h2', { id: 'placeholder-state', text: t('placeholder.not_yet') }),
      h('p', { text: t(`placeholder.${what}.text`) })));
}
