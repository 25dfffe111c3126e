#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Usage: node console-flow.mjs '{"url", "password", "dir", "pdf", "pdf_size", "refused",
//                                 "units_csv", "endpoints_csv"}'
// An operator's day in the console against a real server, in Chromium: login, the
// directory (CSV import with a refused row, endpoints and their credentials), meetings
// (create, invitees, agenda, materials with progress, links, start/end, cancel,
// attendance, series, calendar), the audit log with paging, accounts (lockout, reset,
// disable), one's own password, English. Prints one "ok N - step" line per step, then a
// JSON report {ok, steps, screenshots, errors}. Exits 0 when every step passed.
import { launchBrowser, watchPageErrors } from './lib/browser.mjs';
import { assert, expectRows, expectText, Scenario, tableRows, waitUntil } from './lib/steps.mjs';

const args = JSON.parse(process.argv[2]);
const NEW_PASSWORD = 'Mat-khau-moi-2025';
const CHAIR = 'chutri.lamdong';

// Responses the scenario provokes on purpose; Chromium logs each as a console error.
const EXPECTED_FAILURES = [/401 \(Unauthorized\)/, /status of 429 /, /400 \(Bad Request\)/,
  /409 \(Conflict\)/, /415 \(Unsupported Media Type\)/];

// dd/mm/yyyy of today + `days` in Asia/Ho_Chi_Minh.
function localDate(days) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh',
    year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  const d = new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day + days));
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}

async function login(page, username, password) {
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('form.login button[type=submit]');
}

// Chooses a unit in the tree and waits for its details (so that the buttons used next
// are the new unit's, not those of the unit shown before).
async function selectUnit(page, code) {
  await page.click(`#unit-tree [data-unit-code="${code}"]`);
  await waitUntil(`details of ${code}`, () => page.locator('#unit-detail dd').first().innerText(), (t) => t === code);
}

// Answers a confirmation dialog with its button `label` and waits for that dialog to
// close (another may open after it, such as a new credential).
async function confirm(page, label) {
  const dialog = await page.locator('dialog[open]').elementHandle();
  await page.locator('dialog[open]').getByRole('button', { name: label, exact: true }).click();
  await waitUntil(`the "${label}" dialog closed`, () => dialog.evaluate((el) => el.isConnected), (v) => !v);
}

// --- the scenario, in parts --------------------------------------------------------

async function signIn(s, page) {
  await s.step('the console opens in Vietnamese with a login form', async () => {
    await page.goto(`${args.url}/console/`);
    await page.waitForSelector('body[data-ready]');
    assert(await page.getAttribute('html', 'lang') === 'vi', 'html lang is not vi');
    await expectText(page.locator('main h1'), 'Đăng nhập');
    await expectText(page.locator('label[for]', { hasText: 'Tên đăng nhập' }), 'Tên đăng nhập');
    assert(await page.locator('#nav').isHidden(), 'navigation shown before login');
  });
  await s.step('a wrong password shows the API\'s message in an alert next to the form', async () => {
    await login(page, 'admin', 'khong-dung-mat-khau');
    await expectText(page.locator('form.login [role=alert]'), 'wrong user name or password');
  });
  await s.step('the first operator logs in and sees the navigation and the meetings page', async () => {
    await login(page, 'admin', args.password);
    await expectText(page.locator('#who'), 'admin (vận hành)');
    await expectText(page.locator('main h1'), 'Cuộc họp');
    const nav = await page.locator('#nav-list a').allInnerTexts();
    for (const label of ['Cuộc họp', 'Lịch tuần', 'Danh bạ điểm cầu', 'Nhật ký', 'Tài khoản', 'Bản ghi']) {
      assert(nav.includes(label), `nav lacks ${label}: ${nav}`);
    }
    await s.shot('01-meetings-empty');
  });
}

async function directory(s, page) {
  await s.step('importing a CSV of units lists the bad row by its line; the others are written', async () => {
    await page.click('#nav-list a[data-nav=directory]');
    await expectText(page.locator('main h1'), 'Danh bạ đơn vị và điểm cầu');
    await page.setInputFiles('input[name=units-csv]', args.units_csv);
    await page.click('#import-units button[type=submit]');
    const result = page.locator('#import-units-result');
    await expectText(result, 'tạo mới 4, cập nhật 0, không đổi 0, lỗi 1');
    const rows = await expectRows('import errors', result.locator('table'), (r) => r.length === 1);
    assert(rows[0][0] === '6', `error line ${rows[0][0]}`);
    assert(rows[0][1].includes('KHONG-CO'), `error message ${rows[0][1]}`);
    await expectText(page.locator('#unit-tree'), 'Xã Tân Phú');
    await expectText(page.locator('#unit-tree .node', { hasText: 'Tỉnh Lâm Đồng' }).locator('.level'), 'tỉnh');
    await s.shot('02-directory-import');
  });
  await s.step('the unit tree collapses and expands by keyboard-reachable buttons', async () => {
    const toggle = page.getByRole('button', { name: 'Thu gọn Tỉnh Lâm Đồng' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await waitUntil('children hidden', () => page.locator('#unit-tree').innerText(), (t) => !t.includes('Xã Tân Phú'));
    const expand = page.getByRole('button', { name: 'Mở Tỉnh Lâm Đồng' });
    assert(await expand.evaluate((el) => el === document.activeElement), 'focus lost after collapsing');
    assert(await expand.getAttribute('aria-expanded') === 'false', 'aria-expanded not false');
    await page.keyboard.press('Enter');
    await expectText(page.locator('#unit-tree'), 'Xã Tân Phú');
  });
  for (const [unit, code, name] of [['LD-TP', 'TP-01', 'Phòng họp UBND xã Tân Phú'],
    ['LD-DH', 'DH-01', 'Phòng họp UBND xã Đạ Huoai']]) {
    await s.step(`creating endpoint ${code} shows its credential once, in a dialog with a copy button`, async () => {
      await selectUnit(page, unit);
      await page.getByRole('button', { name: 'Thêm điểm cầu' }).click();
      const dialog = page.locator('dialog[open]');
      const focused = await page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.name} ${document.querySelector('dialog[open]') ? 'open' : 'no dialog'}`);
      assert(focused === 'INPUT code open', `focus not on the first field: ${focused}`);
      await dialog.locator('input[name=code]').fill(code);
      await dialog.locator('input[name=name]').fill(name);
      await dialog.locator('input[name=contact_phone]').fill('0263 3822 123');
      await dialog.getByRole('button', { name: 'Lưu' }).click();
      const secretDialog = page.locator('dialog.credential-dialog[open]');
      await expectText(secretDialog, 'chỉ hiển thị một lần');
      const secret = await secretDialog.locator('input[name=credential]').inputValue();
      assert(/^[A-Za-z0-9_-]{43}$/.test(secret), `credential ${secret}`);
      await secretDialog.getByRole('button', { name: 'Sao chép' }).click();
      await expectText(secretDialog, 'Đã sao chép');
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert(copied === secret, 'clipboard does not hold the credential');
      if (code === 'TP-01') await s.shot('03-credential-dialog');
      await secretDialog.getByRole('button', { name: 'Đóng' }).click();
      const rows = await expectRows('endpoint rows', page.locator('#unit-detail table.endpoints'),
        (r) => r.some((row) => row[0] === code));
      assert(rows.find((row) => row[0] === code)[1] === name, 'endpoint name');
    });
  }
}

async function directoryChanges(s, page) {
  await s.step('an endpoints CSV import lists its bad row and shows the new credentials once', async () => {
    await page.click('#nav-list a[data-nav=directory]');
    await page.setInputFiles('input[name=endpoints-csv]', args.endpoints_csv);
    await page.click('#import-endpoints button[type=submit]');
    const dialog = page.locator('dialog.credential-dialog[open]');
    const rows = await expectRows('credentials', dialog.locator('table'), (r) => r.length === 1);
    assert(rows[0][0] === 'BL-01' && rows[0][1].length === 43, `credentials ${rows}`);
    await dialog.getByRole('button', { name: 'Đóng' }).click();
    const result = page.locator('#import-endpoints-result');
    await expectText(result, 'tạo mới 1, cập nhật 0, không đổi 0, lỗi 1');
    const errors = await tableRows(result.locator('table'));
    assert(errors.length === 1 && errors[0][0] === '3' && errors[0][1].includes('kind'), `errors ${errors}`);
  });
  await s.step('units are renamed and deleted; the API\'s refusals (children, invitations) show as alerts', async () => {
    await selectUnit(page, 'LD');
    await page.getByRole('button', { name: 'Xoá đơn vị' }).click();
    await confirm(page, 'Xoá');
    await expectText(page.locator('#unit-detail [role=alert]'), 'Không thực hiện được: unit "LD" still has 3 child units');
    await selectUnit(page, 'LD-BL');
    await page.getByRole('button', { name: 'Sửa đơn vị' }).click();
    await page.fill('dialog[open] input[name=name]', 'Phường 1 Bảo Lộc');
    await page.locator('dialog[open]').getByRole('button', { name: 'Lưu' }).click();
    await expectText(page.locator('#unit-detail h2'), 'Phường 1 Bảo Lộc');
    await expectText(page.locator('#unit-tree'), 'Phường 1 Bảo Lộc');
    await page.getByRole('button', { name: 'Xoá BL-01' }).click();
    await confirm(page, 'Xoá');
    await expectText(page.locator('#unit-detail'), 'Đơn vị này chưa có điểm cầu.');
    await page.getByRole('button', { name: 'Xoá đơn vị' }).click();
    await confirm(page, 'Xoá');
    await waitUntil('unit gone', () => page.locator('#unit-tree').innerText(), (t) => !t.includes('Bảo Lộc'));
    await selectUnit(page, 'LD-TP');
    await page.getByRole('button', { name: 'Cấp mã bí mật mới TP-01' }).click();
    await confirm(page, 'Cấp mã bí mật mới');
    await expectText(page.locator('dialog.credential-dialog[open]'), 'Mã bí mật của điểm cầu TP-01');
    await page.locator('dialog.credential-dialog[open]').getByRole('button', { name: 'Đóng' }).click();
    await page.getByRole('button', { name: 'Xoá TP-01' }).click();
    await confirm(page, 'Xoá');
    await expectText(page.locator('#unit-detail'), 'Đơn vị này chưa có điểm cầu.');
    await page.getByRole('button', { name: 'Xoá đơn vị' }).click();
    await confirm(page, 'Xoá');
    await expectText(page.locator('#unit-detail [role=alert]'), 'unit "LD-TP" is invited to 1 meeting');
    const href = await page.getByRole('link', { name: 'Tải tệp CSV đơn vị' }).getAttribute('href');
    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), href);
    assert(csv.startsWith('code,name,level,parent_code') && csv.includes('LD-TP,Xã Tân Phú,xã,LD')
      && !csv.includes('LD-BL'), `units export ${csv}`);
  });
}

async function createMeeting(s, page, title, day) {
  await page.click('#nav-list a[data-nav=meetings]');
  await page.getByRole('link', { name: 'Tạo cuộc họp' }).click();
  await expectText(page.locator('main h1'), 'Tạo cuộc họp');
  await page.fill('input[name=title]', title);
  await page.fill('input[name=start]', `${day} 08:00`);
  await page.fill('input[name=end]', `${day} 10:00`);
  await page.click('#meeting-form button[type=submit]');
  await expectText(page.locator('main h1'), title);
}

async function meeting(s, page) {
  const day = localDate(1);
  const title = 'Họp giao ban UBND tỉnh tháng 12';
  await s.step('bad input gets its message next to the field (empty title, wrong date, end before start, the API\'s refusal); nothing is saved', async () => {
    await page.click('#nav-list a[data-nav=meetings]');
    await page.getByRole('link', { name: 'Tạo cuộc họp' }).click();
    await page.fill('input[name=title]', '   ');
    await page.fill('input[name=start]', '31/02/2030 08:00');
    await page.click('#meeting-form button[type=submit]');
    const fieldMessage = (name) => page.locator(`#meeting-form .field:has(> [name=${name}]) .field-error`);
    await expectText(fieldMessage('title'), 'Hãy nhập tên cuộc họp.');
    await expectText(fieldMessage('start'), 'Bắt đầu: thời gian không hợp lệ');
    assert(await page.evaluate(() => document.activeElement?.name) === 'title', 'focus not on the first mistake');
    assert(await page.getAttribute('input[name=title]', 'aria-invalid') === 'true', 'title not marked invalid');
    await page.fill('input[name=title]', title);
    assert(await fieldMessage('title').count() === 0, 'the title message stays after typing');
    await page.fill('input[name=start]', `${day} 10:00`);
    await page.fill('input[name=end]', `${day} 09:00`);
    await page.click('#meeting-form button[type=submit]');
    await expectText(fieldMessage('end'), 'Kết thúc phải sau thời điểm bắt đầu.');
    assert(await fieldMessage('start').count() === 0, 'the start message stays after a good start');
    await page.fill('input[name=start]', `${localDate(-1)} 08:00`);
    await page.fill('input[name=end]', `${localDate(-1)} 09:00`);
    await page.click('#meeting-form button[type=submit]');
    await expectText(fieldMessage('end'), 'end_at is in the past');
    await s.shot('04a-meeting-form-errors');
    const saved = await page.evaluate(async () => (await (await fetch('/api/v1/meetings')).json()).length);
    assert(saved === 0, `${saved} meetings saved by refused forms`);
  });
  await s.step('an operator creates a meeting, its page shows the local times dd/mm/yyyy HH:mm; then edits it', async () => {
    await createMeeting(s, page, title, day);
    await expectText(page.locator('#meeting-facts'), `${day} 08:00`);
    await expectText(page.locator('#meeting-facts'), `${day} 10:00`);
    await expectText(page.locator('main .badge'), 'Đã lên lịch');
    await page.getByRole('button', { name: 'Sửa', exact: true }).click();
    await page.fill('#meeting-edit textarea[name=description]', 'Đánh giá tình hình tháng 11, kế hoạch tháng 12.');
    await page.selectOption('#meeting-edit select[name=layout]', 'grid');
    await page.fill('#meeting-edit input[name=end]', `${day} 11:30`);
    await page.click('#meeting-edit button[type=submit]');
    await expectText(page.locator('#meeting-facts'), 'Lưới');
    await expectText(page.locator('#meeting-facts'), `${day} 11:30`);
    await expectText(page.locator('#meeting-facts'), 'kế hoạch tháng 12');
  });
  await s.step('inviting two communes shows the expanded count (2 endpoints)', async () => {
    await page.getByRole('button', { name: 'Sửa thành phần mời' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.locator('input[name=invite-unit][data-unit-code=LD-TP]').check();
    await dialog.locator('input[name=invite-unit][data-unit-code=LD-DH]').check();
    await expectText(dialog.locator('#invitees-preview'), 'Lựa chọn này mời 2 điểm cầu.');
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    await expectText(page.locator('#invited-count'), 'Tổng cộng 2 điểm cầu được mời.');
    const units = await page.locator('#invited-units li').allInnerTexts();
    assert(units.length === 2 && units.some((u) => u.includes('Xã Tân Phú')) && units.some((u) => u.includes('Xã Đạ Huoai')),
      `invited units ${units}`);
  });
  await s.step('the agenda is edited: items added, moved up, removed, saved in order', async () => {
    const titles = ['Khai mạc', 'Báo cáo tình hình kinh tế - xã hội', 'Thảo luận và kết luận'];
    for (const text of titles) {
      await page.getByRole('button', { name: 'Thêm nội dung' }).click();
      await page.locator('#agenda-items li').last().locator('input[name=agenda-title]').fill(text);
    }
    await page.locator('#agenda-items li').nth(1).locator('input[name=agenda-presenter]').fill('Sở Tài chính');
    // Saving redraws the meeting's page: wait for the new agenda, or a click below
    // could land on the old one and be lost.
    await page.evaluate(() => { document.getElementById('agenda-items').dataset.before = 'save'; });
    await page.getByRole('button', { name: 'Lưu chương trình' }).click();
    await waitUntil('saved agenda', () => page.locator('#agenda-items:not([data-before]) input[name=agenda-title]')
      .evaluateAll((inputs) => inputs.map((i) => i.value)), (v) => v.join('|') === titles.join('|'));
    await page.getByRole('button', { name: 'Đưa nội dung 3 lên' }).click();
    await page.getByRole('button', { name: 'Bỏ nội dung 1' }).click();
    await page.getByRole('button', { name: 'Lưu chương trình' }).click();
    await expectText(page.locator('#status-line'), 'Đã lưu chương trình họp');
    const saved = await waitUntil('reordered agenda', () => page.locator('#agenda-items input[name=agenda-title]').evaluateAll(
      (inputs) => inputs.map((i) => i.value)), (v) => v.length === 2);
    assert(saved.join('|') === 'Thảo luận và kết luận|Báo cáo tình hình kinh tế - xã hội', `agenda ${saved}`);
    await s.shot('04-meeting-agenda');
  });
  await s.step('a PDF is uploaded for an agenda item with a progress bar and listed', async () => {
    await page.selectOption('select[name=material-agenda-item]', { label: '2. Báo cáo tình hình kinh tế - xã hội' });
    await page.setInputFiles('input[name=material-file]', args.pdf);
    await page.evaluate(() => {
      window.progressSeen = [];
      new MutationObserver(() => {
        const bar = document.querySelector('#material-upload progress');
        if (bar && !bar.closest('[hidden]')) window.progressSeen.push(bar.value);
      }).observe(document.getElementById('material-upload'), { attributes: true, subtree: true });
    });
    await page.click('#material-upload button[type=submit]');
    const rows = await expectRows('material rows', page.locator('#material-list table'), (r) => r.length === 1, 20000);
    const [name, forItem, type, , version] = rows[0];
    assert(name === 'Báo cáo KT-XH năm 2025.pdf', `name ${name}`);
    assert(forItem === '2. Báo cáo tình hình kinh tế - xã hội', `for ${forItem}`);
    assert(type === 'PDF' && version === '1', `type ${type} version ${version}`);
    const seen = await page.evaluate(() => window.progressSeen);
    assert(seen.includes(100), `progress never reached 100: ${seen.slice(-5)}`);
    const href = await page.locator('#material-list table a').first().getAttribute('href');
    const size = await page.evaluate(async (url) => (await (await fetch(url)).arrayBuffer()).byteLength, href);
    assert(size === args.pdf_size, `downloaded ${size} bytes`);
  });
  await s.step('a file of a refused type gets the API\'s type error next to the form', async () => {
    await page.setInputFiles('input[name=material-file]', args.refused);
    await page.click('#material-upload button[type=submit]');
    await expectText(page.locator('#material-upload [role=alert]'), 'old Microsoft Office file');
    await expectText(page.locator('#material-upload [role=alert]'), 'Loại tệp không được chấp nhận');
  });
  await s.step('a new version of the material is uploaded; both versions have download links', async () => {
    await page.getByRole('button', { name: 'Tải phiên bản mới: Báo cáo KT-XH năm 2025.pdf' }).click();
    await page.locator('dialog[open] input[name=version-file]').setInputFiles(args.pdf);
    await page.locator('dialog[open]').getByRole('button', { name: 'Tải lên' }).click();
    await expectText(page.locator('#material-list summary'), '2 phiên bản');
    const links = await page.locator('#material-list .versions a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert(links.length === 2 && links[1].endsWith('/versions/2'), `version links ${links}`);
  });
  await s.step('invitation links are listed for both endpoints and can be copied', async () => {
    await page.getByRole('button', { name: 'Lấy liên kết mời' }).click();
    const rows = await expectRows('invitation rows', page.locator('#invitation-links table'), (r) => r.length === 2);
    assert(rows.every((r) => r[3].startsWith(`${args.url}/join/`)), `links ${rows.map((r) => r[3])}`);
    await page.getByRole('button', { name: 'Sao chép: TP-01' }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert(copied === rows.find((r) => r[0] === 'TP-01')[3], 'copied link');
    await s.shot('05-meeting-page');
  });
  await s.step('the meeting is started and ended; its state follows', async () => {
    await page.getByRole('button', { name: 'Bắt đầu ngay' }).click();
    await expectText(page.locator('main .badge').first(), 'Đang họp');
    await page.getByRole('button', { name: 'Kết thúc họp' }).click();
    await confirm(page, 'Kết thúc họp');
    await expectText(page.locator('main .badge').first(), 'Đã kết thúc');
    assert(await page.getByRole('button', { name: 'Sửa thành phần mời' }).count() === 0, 'still editable');
  });
  await s.step('attendance: marking absent with a reason and in person shows in the table', async () => {
    await page.getByRole('link', { name: 'Điểm danh' }).click();
    await expectText(page.locator('main h1'), `Điểm danh: ${title}`);
    const table = page.locator('#attendance-sheet table');
    await expectRows('attendance rows', table, (r) => r.length === 2);
    const row = (code) => table.locator('tr', { hasText: code });
    await row('TP-01').locator('select[name=attendance-status]').selectOption('absent');
    await row('TP-01').locator('input[name=attendance-reason]').fill('Mất điện do mưa bão');
    await row('TP-01').getByRole('button', { name: 'Lưu điểm danh TP-01' }).click();
    await expectText(row('TP-01'), 'Mất điện do mưa bão');
    await row('DH-01').locator('select[name=attendance-status]').selectOption('in_person');
    await row('DH-01').getByRole('button', { name: 'Lưu điểm danh DH-01' }).click();
    await expectText(page.locator('#attendance-summary'), '2 điểm cầu: 0 trực tuyến, 1 dự trực tiếp, 1 vắng.');
    const rows = await tableRows(table);
    assert(rows.find((r) => r[1] === 'DH-01')[3] === 'Dự trực tiếp', 'DH-01 status');
    assert(rows.find((r) => r[1] === 'TP-01')[3] === 'Vắng', 'TP-01 status');
    const csv = await page.getByRole('link', { name: 'Tải bảng điểm danh (CSV)' }).getAttribute('href');
    const text = await page.evaluate(async (url) => (await fetch(url)).text(), csv);
    assert(text.includes('Mất điện do mưa bão') && text.includes('in_person'), 'CSV export');
    await s.shot('06-attendance');
  });
}

async function otherMeetings(s, page) {
  const title = 'Họp trực tuyến phòng chống bão số 9';
  await s.step('another meeting is cancelled after a confirmation dialog', async () => {
    await createMeeting(s, page, title, localDate(2));
    await page.getByRole('button', { name: 'Huỷ cuộc họp' }).click();
    await expectText(page.locator('dialog[open]'), `Huỷ cuộc họp “${title}”?`);
    await confirm(page, 'Huỷ cuộc họp');
    await expectText(page.locator('main .badge').first(), 'Đã huỷ');
    assert(await page.getByRole('button', { name: 'Huỷ cuộc họp' }).count() === 0, 'cancel still offered');
  });
  await s.step('the meeting lists filter upcoming and past meetings', async () => {
    await page.click('#nav-list a[data-nav=meetings]');
    let rows = await expectRows('upcoming', page.locator('#meeting-list table'), (r) => r.length === 1);
    assert(rows[0][0] === title && rows[0][3] === 'Đã huỷ', `upcoming ${rows}`);
    await page.getByLabel('Đã qua').check();
    rows = await expectRows('past', page.locator('#meeting-list table'), (r) => r.length === 1 && r[0][3] === 'Đã kết thúc');
  });
  await s.step('a weekly series is created, listed with its rule, and deleted', async () => {
    await page.getByLabel('Sắp tới và đang diễn ra').check();
    await page.fill('input[name=series-title]', 'Giao ban tuần của UBND tỉnh');
    await page.getByLabel('Thứ Hai').check();
    await page.getByLabel('Thứ Năm').check();
    await page.fill('input[name=series-time]', '07:30');
    await page.fill('input[name=series-duration]', '90');
    await page.click('#series-form button[type=submit]');
    const rows = await expectRows('series rows', page.locator('#series-list table'), (r) => r.length === 1);
    assert(rows[0][1] === 'Thứ Hai, Thứ Năm lúc 07:30, 90 phút', `rule ${rows[0][1]}`);
    await expectRows('series meetings', page.locator('#meeting-list table'), (r) => r.filter((x) => x[0].includes('định kỳ')).length === 4);
    await page.getByRole('button', { name: 'Xoá chuỗi: Giao ban tuần của UBND tỉnh' }).click();
    await confirm(page, 'Xoá chuỗi');
    await expectText(page.locator('#series-list'), 'Chưa có chuỗi họp nào.');
    await expectText(page.locator('#status-line'), '4 cuộc họp đã bị huỷ');
  });
  await s.step('the week calendar shows the meeting on its day', async () => {
    await page.click('#nav-list a[data-nav=calendar]');
    const day = page.locator(`#week [data-day="${localDate(1)}"]`);
    await waitUntil('week drawn', () => page.locator('#week .day').count(), (n) => n === 7);
    if (!(await day.count())) await page.getByRole('button', { name: 'Tuần sau ›' }).click(); // today is Sunday
    await expectText(day, 'Họp giao ban UBND tỉnh tháng 12');
    await expectText(day, '08:00–11:30');
    await s.shot('07-calendar');
  });
}

async function audit(s, page) {
  await s.step('the audit log lists actions, filters by prefix and pages with "older"', async () => {
    await page.click('#nav-list a[data-nav=audit]');
    const table = page.locator('#audit-log table');
    const all = await expectRows('audit rows', table, (r) => r.length > 20);
    const actions = all.map((r) => r[2]);
    for (const action of ['meeting.cancel', 'material.upload', 'unit.import', 'endpoint.create', 'attendance.set']) {
      assert(actions.includes(action), `no ${action} in ${actions}`);
    }
    await page.fill('input[name=action]', 'meeting.');
    await page.click('#audit-filters button[type=submit]');
    const meetingRows = await expectRows('meeting rows', table, (r) => r.length > 0 && r.every((x) => x[2].startsWith('meeting.')));
    assert(meetingRows.some((r) => r[2] === 'meeting.invitees'), 'no meeting.invitees');
    await page.fill('input[name=action]', '');
    await page.selectOption('select[name=page-size]', '20');
    await page.click('#audit-filters button[type=submit]');
    const first = await expectRows('page 1', table, (r) => r.length === 20);
    await page.getByRole('button', { name: 'Cũ hơn ›' }).click();
    await expectText(page.locator('#audit-page'), 'Trang 2');
    const second = await tableRows(table);
    assert(second.length > 0 && !second.some((r) => first.some((f) => f.join() === r.join())), 'page 2 repeats page 1');
    await page.getByRole('button', { name: '‹ Mới hơn' }).click();
    await expectText(page.locator('#audit-page'), 'Trang 1');
    await s.shot('08-audit');
  });
}

async function accounts(s, page) {
  let chairPassword;
  await s.step('an operator creates a chair account with a generated password', async () => {
    await page.click('#nav-list a[data-nav=accounts]');
    await page.fill('input[name=new-username]', CHAIR);
    await page.selectOption('select[name=new-role]', 'chair');
    await page.getByRole('button', { name: 'Tạo mật khẩu ngẫu nhiên' }).click();
    chairPassword = await page.inputValue('input[name=new-password]');
    assert(chairPassword.length === 16, 'generated password');
    await page.click('#account-form button[type=submit]');
    const rows = await expectRows('accounts', page.locator('#account-list table'), (r) => r.some((x) => x[0] === CHAIR));
    assert(rows.find((x) => x[0] === CHAIR)[1] === 'chủ trì', 'role');
  });
  await s.step('failed logins lock the account and the API\'s lockout message is shown', async () => {
    await page.click('#logout');
    await expectText(page.locator('main'), 'Đã đăng xuất.');
    for (let i = 0; i < 3; i += 1) {
      await login(page, CHAIR, 'sai-mat-khau-roi');
      await expectText(page.locator('form.login [role=alert]'), 'wrong user name or password');
      await waitUntil('button enabled', () => page.locator('form.login button').isEnabled(), Boolean);
    }
    await login(page, CHAIR, chairPassword);
    await expectText(page.locator('form.login [role=alert]'), 'Tạm khoá đăng nhập: too many failed logins; try again in');
    await s.shot('09-lockout');
    await login(page, 'admin', args.password);
    await expectText(page.locator('#who'), 'admin');
  });
  await s.step('the locked chair gets a new password, signs in to a chair\'s console, and is then disabled', async () => {
    await page.click('#nav-list a[data-nav=accounts]');
    const row = page.locator('#account-list tr', { hasText: CHAIR });
    await expectText(row, 'Tạm khoá do đăng nhập sai');
    await page.getByRole('button', { name: `Đặt mật khẩu mới: ${CHAIR}` }).click();
    await page.fill('dialog[open] input[name=reset-password]', 'Chu-tri-moi-2025');
    await page.locator('dialog[open]').getByRole('button', { name: 'Lưu' }).click();
    await expectText(row, 'Hoạt động');
    // The chair signs in: meetings and the calendar, not the operators' pages.
    await page.click('#logout');
    await login(page, CHAIR, 'Chu-tri-moi-2025');
    await expectText(page.locator('#who'), `${CHAIR} (chủ trì)`);
    const nav = await page.locator('#nav-list a').allInnerTexts();
    assert(nav.includes('Cuộc họp') && nav.includes('Lịch tuần') && !nav.includes('Danh bạ điểm cầu')
      && !nav.includes('Tài khoản'), `chair nav ${nav}`);
    assert(await page.getByRole('link', { name: 'Tạo cuộc họp' }).count() === 0, 'chair may create meetings');
    await page.goto(`${args.url}/console/#/directory`);
    await expectText(page.locator('main h1'), 'Trang này chỉ dành cho cán bộ vận hành');
    await page.click('#logout');
    await login(page, 'admin', args.password);
    await page.click('#nav-list a[data-nav=accounts]');
    await page.getByRole('button', { name: `Vô hiệu hoá: ${CHAIR}` }).click();
    await confirm(page, 'Vô hiệu hoá');
    await expectText(row, 'Đã vô hiệu hoá');
  });
  await s.step('"change my password": a mismatch is refused, then the new password works at the next login', async () => {
    await page.click('#change-password');
    const dialog = page.locator('dialog[open]');
    assert(await page.evaluate(() => document.activeElement?.name) === 'current_password', 'dialog focus');
    await dialog.locator('input[name=current_password]').fill(args.password);
    await dialog.locator('input[name=new_password]').fill(NEW_PASSWORD);
    await dialog.locator('input[name=new_password_again]').fill(`${NEW_PASSWORD}x`);
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    await expectText(dialog.locator('[role=alert]'), 'không khớp');
    await dialog.locator('input[name=new_password_again]').fill(NEW_PASSWORD);
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert(await page.evaluate(() => document.activeElement?.id) === 'change-password', 'focus not returned to opener');
    await expectText(page.locator('#status-line'), 'Đã đổi mật khẩu');
    await page.click('#logout');
    await login(page, 'admin', NEW_PASSWORD);
    await expectText(page.locator('#who'), 'admin');
  });
}

async function english(s, page) {
  await s.step('live rooms: none runs; the ended meeting is listed under recordings (none yet) and minutes', async () => {
    await page.click('#nav-list a[data-nav=live]');
    await expectText(page.locator('main h1'), 'Phòng họp trực tuyến');
    await expectText(page.locator('#live-rooms'), 'Không có phòng họp nào đang chạy.');
    await expectText(page.locator('#live-updated'), 'tự làm mới mỗi 2 giây');
    await page.click('#nav-list a[data-nav=recordings]');
    await expectText(page.locator('main h1'), 'Bản ghi');
    await page.locator('#recordings-meetings').getByRole('link', { name: 'Họp giao ban UBND tỉnh tháng 12' }).click();
    await expectText(page.locator('main h1'), 'Bản ghi: Họp giao ban UBND tỉnh tháng 12');
    await expectText(page.locator('#recordings'), 'Cuộc họp này chưa có bản ghi nào.');
  });
  await s.step('minutes: version 1 made at the end, its four files, and the server\'s check of its stored files', async () => {
    await page.click('#nav-list a[data-nav=minutes]');
    await page.locator('#minutes-meetings').getByRole('link', { name: 'Họp giao ban UBND tỉnh tháng 12' }).click();
    await expectText(page.locator('main h1'), 'Biên bản: Họp giao ban UBND tỉnh tháng 12');
    const rows = await expectRows('minutes versions', page.locator('#minutes-versions'), (r) => r.length === 1, 30000);
    assert(rows[0][0] === '1' && rows[0][2].startsWith('hệ thống'), `version row ${rows[0]}`);
    const links = await page.locator('#minutes-versions a').evaluateAll((all) => all.map((a) => a.getAttribute('href')));
    assert(['1.json', '1.json.p7s', '1.pdf', '1.pdf.p7s'].every((f) => links.some((l) => l.endsWith(`/minutes/${f}`))),
      `links ${links}`);
    const pdf = await page.evaluate(async (href) => {
      const r = await fetch(href);
      return { status: r.status, type: r.headers.get('Content-Type'), head: (await r.text()).slice(0, 5) };
    }, links.find((l) => l.endsWith('1.pdf')));
    assert(pdf.status === 200 && pdf.head === '%PDF-', `pdf ${JSON.stringify(pdf)}`);
    await page.getByRole('button', { name: 'Kiểm tra trên máy chủ — phiên bản 1' }).click();
    await expectText(page.locator('#verification'), 'các tệp lưu trên máy chủ còn nguyên vẹn');
    await expectText(page.locator('#verification'), 'chữ ký hợp lệ; khớp với bản lưu khi lập');
    await expectText(page.locator('#verification'), 'Người ngoài cần tự kiểm tra tệp đã tải về');
    await s.shot('11-minutes');
  });
  await s.step('switching to English translates the page and is remembered after a reload', async () => {
    await page.click('#nav-list a[data-nav=directory]');
    await page.selectOption('#lang', 'en');
    await expectText(page.locator('main h1'), 'Directory of units and endpoints');
    assert(await page.getAttribute('html', 'lang') === 'en', 'html lang is not en');
    const nav = await page.locator('#nav-list a').allInnerTexts();
    assert(['Meetings', 'Week calendar', 'Directory', 'Live rooms', 'Audit log', 'Accounts'].every((l) => nav.includes(l)),
      `nav ${nav}`);
    await expectText(page.locator('#csv-title'), 'CSV import and export');
    await expectText(page.locator('#unit-tree'), 'Tỉnh Lâm Đồng'); // loaded: the reload aborts nothing
    await page.reload();
    await page.waitForSelector('body[data-ready]');
    await expectText(page.locator('main h1'), 'Directory of units and endpoints');
    await page.click('#nav-list a[data-nav=meetings]');
    await page.getByLabel('Past').check();
    const rows = await expectRows('past in English', page.locator('#meeting-list table'), (r) => r.length === 1);
    assert(rows[0][3] === 'Ended', `state ${rows[0][3]}`);
    await expectText(page.locator('#who'), 'admin (operator)');
    await s.shot('10-english');
  });
}

async function main() {
  const { context, close } = await launchBrowser();
  const report = { ok: false, steps: [], screenshots: [], errors: [] };
  let scenario;
  let errors = [];
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: args.url });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30000); // a ceiling, not a wait: CI runs two suites at once on two cores
    errors = watchPageErrors(page);
    scenario = new Scenario(page, args.dir);
    await signIn(scenario, page);
    await directory(scenario, page);
    await meeting(scenario, page);
    await directoryChanges(scenario, page);
    await otherMeetings(scenario, page);
    await audit(scenario, page);
    await accounts(scenario, page);
    await english(scenario, page);
    report.errors = errors.filter((e) => !EXPECTED_FAILURES.some((re) => re.test(e)));
    report.ok = report.errors.length === 0;
  } catch (error) {
    report.error = String(error?.message ?? error).split('\n')[0];
    report.errors = errors.filter((e) => !EXPECTED_FAILURES.some((re) => re.test(e)));
  } finally {
    if (scenario) {
      report.steps = scenario.passed;
      report.screenshots = scenario.screenshots;
    }
    await close();
  }
  console.log(JSON.stringify(report));
  return report.ok ? 0 : 1;
}

process.exitCode = await main();
