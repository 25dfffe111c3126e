#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Usage: node join-flow.mjs '{"url", "links": [2 join links], "endpoints": [2 names],
//                              "title", "pdf_name", "pdf_size", "meeting_id",
//                              "operator_token", "dir"}'
// Two communes open their join links (web/join/) in Chromium with the fake camera and
// microphone: the meeting and the endpoint are shown, the camera preview plays, the
// level meter moves, the meeting's PDF is listed, downloads and renders in the page,
// both join the meeting's audio room and exchange audio (getStats), one leaves; an
// altered link and a link of an ended meeting get their messages. Prints "ok N - step"
// lines, then a JSON report {ok, steps, screenshots, errors, numbers}.
import path from 'node:path';
import { launchBrowser, watchPageErrors } from './lib/browser.mjs';
import { assert, expectText, Scenario, waitUntil } from './lib/steps.mjs';

const args = JSON.parse(process.argv[2]);
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const MEDIA_TIMEOUT_MS = 30000;
// Responses the scenario provokes on purpose (the altered link and the ended meeting
// get 401 from /join/verify); Chromium logs each as a console error.
const EXPECTED_FAILURES = [/401 \(Unauthorized\)/];

// Frames the <video> has shown so far and its size.
function previewState(page) {
  return page.evaluate(() => {
    const video = document.getElementById('preview');
    return { width: video.videoWidth, height: video.videoHeight,
      frames: video.getVideoPlaybackQuality().totalVideoFrames, time: video.currentTime };
  });
}

// The non-white pixels of the PDF canvas, and its size.
function canvasInk(page) {
  return page.evaluate(() => {
    const canvas = document.getElementById('pdf-canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) ink += 1;
    }
    return { ink, width: canvas.width, height: canvas.height };
  });
}

const screenshots = [];

// A full-page screenshot of `page` saved as DIR/NAME.png (an artifact of the test).
async function shot(page, name) {
  const file = path.join(args.dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  screenshots.push(file);
}

async function openLink(page, link) {
  await page.goto(`${args.url}${link}`);
  await page.waitForSelector('body[data-ready]');
}

async function meetingShown(s, page, link, name) {
  await s.step(`${name}: the link opens the page in Vietnamese with the meeting and the endpoint`, async () => {
    await openLink(page, link);
    assert(await page.getAttribute('body', 'data-ready') === 'meeting', 'the link was refused');
    assert(await page.getAttribute('html', 'lang') === 'vi', 'html lang is not vi');
    await expectText(page.locator('#meeting-title'), args.title);
    await expectText(page.locator('#endpoint-name'), name);
    await expectText(page.locator('#meeting-state'), 'Đang họp');
    await expectText(page.locator('#meeting-facts'), '(giờ Việt Nam)');
    await expectText(page.locator('#meeting-facts'), 'Tham dự');
  });
  await s.step(`${name}: the device check lists the fake camera and microphone`, async () => {
    await page.waitForSelector('body[data-devices=ready]', { timeout: MEDIA_TIMEOUT_MS });
    for (const id of ['camera', 'microphone']) {
      const options = await page.locator(`#${id} option`).allInnerTexts();
      assert(options.length >= 1 && options[0] !== 'Không có', `${id}: ${options}`);
    }
    assert(await page.locator('#devices-status').innerText() === '', 'a device problem is shown');
  });
}

async function deviceCheck(s, page, numbers) {
  await s.step('the camera preview plays: frames of a real size keep coming', async () => {
    const first = await waitUntil('preview playing', () => previewState(page), (v) => v.width > 0 && v.frames > 0, MEDIA_TIMEOUT_MS);
    const later = await waitUntil('more frames', () => previewState(page), (v) => v.frames >= first.frames + 10, MEDIA_TIMEOUT_MS);
    numbers.preview = later;
  });
  await s.step('the level meter moves with the fake microphone\'s beeps', async () => {
    const seen = new Set();
    let max = 0;
    await waitUntil('meter moving', async () => {
      const value = await page.locator('#level').evaluate((m) => m.value);
      seen.add(value.toFixed(3));
      max = Math.max(max, value);
      return { max, distinct: seen.size };
    }, (v) => v.max > 0.05 && v.distinct >= 5, MEDIA_TIMEOUT_MS);
    numbers.level_max = Number(max.toFixed(3));
  });
  await s.step('muting shows "Bật micrô" and the meter falls to 0; unmuting brings it back', async () => {
    await page.click('#toggle-mic');
    await expectText(page.locator('#toggle-mic'), 'Bật micrô');
    await waitUntil('meter silent', () => page.locator('#level').evaluate((m) => m.value), (v) => v === 0, MEDIA_TIMEOUT_MS);
    await page.click('#toggle-mic');
    await expectText(page.locator('#toggle-mic'), 'Tắt micrô');
    await waitUntil('meter moving again', () => page.locator('#level').evaluate((m) => m.value), (v) => v > 0.05, MEDIA_TIMEOUT_MS);
  });
  await s.step('turning the camera off covers the preview with "Camera đang tắt"; on again', async () => {
    await page.click('#toggle-camera');
    await expectText(page.locator('#camera-off-note'), 'Camera đang tắt');
    assert(await page.locator('#toggle-camera').innerText() === 'Bật camera', 'camera button label');
    await page.click('#toggle-camera');
    await waitUntil('note hidden', () => page.locator('#camera-off-note').isHidden(), (v) => v);
  });
}

async function materials(s, page, numbers) {
  const row = page.locator('#materials-body li', { hasText: args.pdf_name });
  await s.step('the materials list shows the PDF with its version and size', async () => {
    await expectText(page.locator('#materials-body'), args.pdf_name);
    await expectText(row, 'Phiên bản 1');
    await expectText(row, `Phiên bản 1 · ${args.pdf_size} B`);
  });
  await s.step('the download link gives the PDF itself', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), row.locator('a.download').click()]);
    const file = await download.path();
    const { stat } = await import('node:fs/promises');
    const size = (await stat(file)).size;
    assert(size === args.pdf_size, `downloaded ${size} bytes, expected ${args.pdf_size}`);
    assert(download.suggestedFilename().endsWith('.pdf'), download.suggestedFilename());
  });
  await s.step('"Xem" renders page 1 of the PDF on a canvas in the page', async () => {
    await row.locator('button.view').click();
    await waitUntil('rendered', () => page.locator('#pdf-canvas').getAttribute('data-rendered'), (v) => v && v.endsWith(':1'), MEDIA_TIMEOUT_MS);
    await expectText(page.locator('#pdf-page'), 'Trang 1 / 1');
    const ink = await canvasInk(page);
    assert(ink.width > 300 && ink.ink > 200, `canvas ${JSON.stringify(ink)}`);
    assert(await page.locator('#pdf-status').innerText() === '', 'a PDF message is shown');
    numbers.pdf_canvas = ink;
  });
}

async function keyboardAndLanguage(s, page) {
  await s.step('the Join button is reached with the Tab key', async () => {
    await page.locator('#lang').focus();
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'join');
    }
    assert(reached, 'Tab never reached #join');
  });
  await s.step('English: the page switches and switches back', async () => {
    await page.selectOption('#lang', 'en');
    await expectText(page.locator('#materials-title'), 'Meeting documents');
    await expectText(page.locator('#join'), 'Join the meeting');
    await expectText(page.locator('#meeting-state'), 'Live');
    await page.selectOption('#lang', 'vi');
    await expectText(page.locator('#join'), 'Vào phòng họp');
  });
}

// The server's count of WebRTC peers, from /metrics.
async function serverPeers() {
  const text = await (await fetch(`${args.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('cau_transport_peers '));
  return Number(line.split(' ')[1]);
}

// Polls the page's session statistics until `accept` holds.
function sessionStats(page, what, accept) {
  return waitUntil(what, () => page.evaluate(() => window.cauJoin.stats()), (v) => v && accept(v), MEDIA_TIMEOUT_MS);
}

async function joinBoth(s, first, second, numbers) {
  await s.step('both endpoints join: each says it is in the meeting', async () => {
    assert(await serverPeers() === 0, 'peers before joining');
    await first.click('#join');
    await second.click('#join');
    for (const page of [first, second]) {
      await expectText(page.locator('#session-status'), 'Đã vào phòng họp', MEDIA_TIMEOUT_MS);
      assert(await page.locator('#leave').isVisible(), 'no Leave button');
    }
  });
  await s.step('audio flows both ways: packets sent and received, with energy', async () => {
    for (const page of [first, second]) {
      const stats = await sessionStats(page, 'audio both ways',
        (v) => v.audioPacketsSent > 100 && v.audioPacketsReceived > 100 && v.audioEnergyReceived > 0);
      numbers.join_stats = numbers.join_stats ?? [];
      numbers.join_stats.push(stats);
    }
  });
}

async function notOpenYet(s, page) {
  await s.step('a meeting not open yet shows when its room opens, and Join says so', async () => {
    await openLink(page, args.scheduled_link);
    await expectText(page.locator('#meeting-state'), 'Đã lên lịch');
    await expectText(page.locator('#meeting-facts'), 'Phòng họp mở');
    await page.click('#join');
    await expectText(page.locator('#session-status'), 'Phòng họp chưa mở; phòng mở lúc');
    assert(await page.locator('#leave').isHidden(), 'a Leave button for a room not open');
    assert(await serverPeers() === 1, 'a peer was made for a room not open');
  });
}

async function leaveAndRefusals(s, first, second) {
  await s.step('Leave closes the peer: the page says so and offers Join again', async () => {
    await first.click('#leave');
    await expectText(first.locator('#session-status'), 'Đã rời phòng họp');
    assert(await first.locator('#join').isVisible(), 'no Join button after leaving');
    assert(await first.evaluate(() => window.cauJoin.stats()) === null, 'a session is still open');
    await waitUntil('the server keeps only the other peer', serverPeers, (n) => n === 1);
  });
  await s.step('an altered link says the link is not valid', async () => {
    const link = args.links[0];
    const last = link.at(-1) === 'A' ? 'B' : 'A';
    await openLink(first, link.slice(0, -1) + last);
    assert(await first.getAttribute('body', 'data-ready') === 'error', 'the altered link was accepted');
    await expectText(first.locator('#link-error h1'), 'Liên kết tham dự không hợp lệ');
    assert(await first.locator('#workspace').isHidden(), 'the workspace is shown');
  });
  await shot(first, 'join-invalid-1366');
  await notOpenYet(s, first);
  await s.step('after the meeting ends, its link says the meeting is over', async () => {
    const response = await fetch(`${args.url}/api/v1/meetings/${args.meeting_id}/end`, {
      method: 'POST', headers: { Authorization: `Bearer ${args.operator_token}` } });
    assert(response.status === 200, `end: ${response.status}`);
    await openLink(second, args.links[1]);
    await expectText(second.locator('#link-error h1'), 'Cuộc họp đã kết thúc');
  });
  await shot(second, 'join-ended-390');
}

async function run() {
  const report = { ok: false, steps: [], screenshots, errors: [], numbers: {} };
  const { context, close } = await launchBrowser();
  const pageErrors = [];
  try {
    const first = context.pages()[0] ?? (await context.newPage());
    await first.setViewportSize(DESKTOP);
    pageErrors.push(watchPageErrors(first));
    const second = await context.newPage();
    await second.setViewportSize(PHONE);
    pageErrors.push(watchPageErrors(second));
    const s = new Scenario(first, args.dir);
    report.steps = s.passed;

    await meetingShown(s, first, args.links[0], args.endpoints[0]);
    await deviceCheck(s, first, report.numbers);
    await s.step('at 1366×768 the meeting, the preview and the Join button fit the first screen', async () => {
      await first.evaluate(() => window.scrollTo(0, 0));
      const bottom = await first.locator('#join').evaluate((el) => el.getBoundingClientRect().bottom);
      assert(bottom <= DESKTOP.height, `the Join button ends at ${bottom} px`);
    });
    await shot(first, 'join-check-1366');
    await materials(s, first, report.numbers);
    await shot(first, 'join-pdf-1366');
    await keyboardAndLanguage(s, first);

    s.page = second; // failure screenshots of the phone from here
    await meetingShown(s, second, args.links[1], args.endpoints[1]);
    await s.step('on a 390-px phone nothing is wider than the screen', async () => {
      const wide = await second.evaluate(() => {
        const limit = document.documentElement.clientWidth;
        return Array.from(document.querySelectorAll('body *'))
          .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
          .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className} ${Math.round(el.getBoundingClientRect().right)}/${limit}`);
      });
      assert(wide.length === 0, `wider than the screen: ${wide.slice(0, 5).join(', ')}`);
    });
    await shot(second, 'join-check-390');
    await joinBoth(s, first, second, report.numbers);
    await shot(first, 'join-connected-1366');
    await s.step('on the phone the PDF renders too, while in the meeting', async () => {
      await second.locator('#materials-body li button.view').first().click();
      await waitUntil('rendered on the phone', () => second.locator('#pdf-canvas').getAttribute('data-rendered'),
        (v) => v && v.endsWith(':1'), MEDIA_TIMEOUT_MS);
      const ink = await canvasInk(second);
      assert(ink.ink > 100, `canvas ${JSON.stringify(ink)}`);
    });
    await shot(second, 'join-connected-390');
    await leaveAndRefusals(s, first, second);
    report.ok = true;
  } catch (error) {
    report.error = String(error?.message ?? error).split('\n')[0];
  } finally {
    report.errors = pageErrors.flat().filter((e) => !EXPECTED_FAILURES.some((re) => re.test(e)));
    await close();
  }
  return report;
}

const report = await run();
console.log(JSON.stringify(report));
process.exitCode = report.ok && report.errors.length === 0 ? 0 : 1;
