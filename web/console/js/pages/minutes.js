// SPDX-License-Identifier: MIT
// Minutes: the meetings held, then one meeting's signed minutes (versions), each file
// downloadable; operators make a new version and ask the server to check its stored
// files against their signatures (which proves only that the files on its disk are
// intact: a third party verifies the downloaded files themselves).
import { API, api } from '../api.js';
import { announce, busy, errorBox, formatSize, h, replace, table } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTimeSeconds } from '../time.js';
import { meetingHeading, renderHeldMeetings } from './held.js';

const FILES = [['json', 'minutes.file.json'], ['json.p7s', 'minutes.file.json_p7s'], ['pdf', 'minutes.file.pdf'],
  ['pdf.p7s', 'minutes.file.pdf_p7s']];

export function renderMinutesIndex(view) {
  return renderHeldMeetings(view, 'minutes', 'minutes.title', 'minutes.intro');
}

// The server's check of one version, as a list a person reads.
function verificationResult(result) {
  return h('div', { class: `verification ${result.valid ? 'ok' : 'bad'}`, id: `verification-${result.version}`,
    role: 'status' },
  h('p', { class: 'verdict', text: t(result.valid ? 'minutes.verify_ok' : 'minutes.verify_bad',
    { n: result.version }) }),
  h('ul', {}, result.files.map((f) => h('li', {},
    h('strong', { text: f.file }), ': ',
    t(f.signature_valid ? 'minutes.signature_valid' : 'minutes.signature_invalid'), '; ',
    t(f.matches_record ? 'minutes.matches_record' : 'minutes.differs_from_record'),
    f.signer ? h('small', { class: 'hint block', text: t('minutes.signed_by',
      { signer: f.signer, at: f.signed_at ? formatDateTimeSeconds(f.signed_at) : '—' }) }) : null,
    f.sha256 ? h('small', { class: 'hint block mono', text: `SHA-256 ${f.sha256}` }) : null,
    f.problem ? h('small', { class: 'error-text block', text: f.problem }) : null))),
  h('p', { class: 'hint', text: t('minutes.third_party') }));
}

export async function renderMinutes(view, match, ctx) {
  const id = Number(match[1]);
  const meeting = await meetingHeading(view, id, 'minutes', 'minutes.of');
  const versions = await api('GET', `/meetings/${id}/minutes`);
  const errors = errorBox();
  const results = h('div', { id: 'verification' });
  const file = (v, ext) => `${API}/meetings/${id}/minutes/${v.version}.${ext}`;

  const rows = versions.slice().reverse().map((v) => [
    String(v.version),
    formatDateTimeSeconds(v.created_at),
    v.created_by === 'system' ? t('minutes.by_system') : v.created_by,
    h('span', { class: 'signer', text: v.signer }),
    h('div', { class: 'toolbar tight' }, FILES.map(([ext, key]) => h('a', {
      class: 'button secondary small', href: file(v, ext), download: '', text: t(key),
      'aria-label': `${t(key)} — ${t('minutes.version_n', { n: v.version })} (${formatSize(v.files[ext].size)})`,
    })),
    ctx.isOperator ? h('button', { type: 'button', class: 'small', text: t('minutes.verify'),
      'data-verify': v.version, 'aria-label': `${t('minutes.verify')} — ${t('minutes.version_n', { n: v.version })}`,
      onclick: (event) => busy(event.currentTarget, errors, async () => {
        const result = await api('GET', `/meetings/${id}/minutes/${v.version}/verification`);
        replace(results, verificationResult(result));
        announce(t(result.valid ? 'minutes.verify_ok' : 'minutes.verify_bad', { n: v.version }));
      }) }) : null),
  ]);
  const actions = [];
  if (ctx.isOperator && ['open', 'live', 'ended'].includes(meeting.state)) {
    actions.push(h('button', { type: 'button', class: 'secondary', id: 'minutes-generate',
      text: t('minutes.generate'), onclick: (event) => busy(event.currentTarget, errors, async () => {
        const made = await api('POST', `/meetings/${id}/minutes`);
        announce(t('minutes.generated', { n: made.version }));
        ctx.rerender();
      }) }));
  }
  view.append(
    versions.length
      ? table(t('minutes.caption', { n: versions.length }), [t('minutes.version'), t('minutes.created'),
        t('minutes.created_by'), t('minutes.signer'), t('minutes.files')], rows,
      { class: 'minutes', id: 'minutes-versions' })
      : h('p', { class: 'empty', id: 'minutes-versions', text: t('minutes.none') }),
    h('div', { class: 'toolbar' }, actions), errors.element, results,
    h('p', { class: 'hint', text: t('minutes.verify_hint') }));
  if (!versions.length && meeting.state !== 'ended') view.append(h('p', { class: 'hint', text: t('minutes.later') }));
}
