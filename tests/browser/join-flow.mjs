#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Usage: node join-flow.mjs '{"url", "links": [2 join links], "endpoints": [2 names],
//                              "title", "pdf_name", "pdf_size", "meeting_id",
//                              "operator_token", "dir", "chair_link", "chair_name",
//                              "scheduled_link"}'
// Two communes open their join links (web/join/) in Chromium with the fake camera and
// microphone: the meeting and the endpoint are shown, the camera preview plays, the
// level meter moves, the meeting's PDF is listed, downloads and renders in the page,
// both join the meeting room (room.join with their tokens) and exchange audio
// (getStats). The chair opens its link and runs the meeting from its panel: it mutes
// the first commune (whose page says so and refuses its own unmute), the second raises
// its hand, the chair gives it the floor (its page says so). The first commune's
// WebSocket drops and the page comes back by itself on the same seat. One leaves; an
// altered link and a link of an ended meeting get their messages. Prints "ok N - step"
// lines, then a JSON report {ok, steps, screenshots, errors, numbers}.
import path from 'node:path';
import { finishReport, launchBrowser, watchPageErrors } from './lib/browser.mjs';
import { assert, expectText, Scenario, waitUntil } from './lib/steps.mjs';

const args = JSON.parse(process.argv[2]);
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const MEDIA_TIMEOUT_MS = 60000;
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
  await s.step('each page shows the room\'s composed picture large: frames decoded keep rising', async () => {
    for (const page of [first, second]) {
      const before = await sessionStats(page, 'composed picture decoded',
        (v) => v.videoFramesDecoded > 10 && v.videoWidth > 0);
      await sessionStats(page, 'composed picture still coming',
        (v) => v.videoFramesDecoded > before.videoFramesDecoded + 10);
      const shown = await page.evaluate(() => {
        const video = document.getElementById('remote-video');
        const preview = document.getElementById('preview');
        return { width: video.videoWidth, box: video.getBoundingClientRect().width,
          preview: preview.getBoundingClientRect().width, waiting: !document.getElementById('stage-waiting').hidden };
      });
      assert(shown.width > 0 && !shown.waiting, `the picture is not playing: ${JSON.stringify(shown)}`);
      assert(shown.box > 2 * shown.preview, `the picture is not larger than the preview: ${JSON.stringify(shown)}`);
      numbers.composite = numbers.composite ?? [];
      numbers.composite.push({ frames: before.videoFramesDecoded, width: before.videoWidth,
        height: before.videoHeight, box: Math.round(shown.box), preview: Math.round(shown.preview) });
    }
  });
}

// The first page's mixer count for the meeting's room, from /metrics.
async function mixerParticipants() {
  const text = await (await fetch(`${args.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`cau_mixer_participants{room="meeting-${args.meeting_id}"}`));
  return line ? Number(line.split(' ').at(-1)) : null;
}

// The roster row of the participant called `name` in the chair's panel.
function row(chair, name) {
  return chair.locator('#chair li.person', { hasText: name });
}

// The participant called `name` as the server last described it (room.state / events).
function seatOf(page, name) {
  return page.evaluate((n) => {
    const room = window.cauJoin.room;
    return room ? [...room.participants.values()].find((p) => p.name === n) ?? null : null;
  }, name);
}

async function chairRuns(s, first, second, chair, numbers) {
  const [nameA, nameB] = args.endpoints;
  await s.step('the chair\'s link opens the chair panel: everyone grouped by unit', async () => {
    await openLink(chair, args.chair_link);
    await expectText(chair.locator('#meeting-facts'), 'Chủ trì');
    await chair.waitForSelector('body[data-devices=ready]', { timeout: MEDIA_TIMEOUT_MS });
    await chair.click('#join');
    await expectText(chair.locator('#session-status'), 'Đã vào phòng họp', MEDIA_TIMEOUT_MS);
    await expectText(chair.locator('#chair h2'), 'Điều hành cuộc họp');
    await expectText(chair.locator('#chair'), 'Điểm cầu tham dự (3)');
    const units = await chair.locator('#chair .unit h4').allInnerTexts();
    assert(JSON.stringify(units) === JSON.stringify(['Tỉnh Lâm Đồng', 'Xã Đạ Huoai', 'Xã Tân Phú']), `units ${units}`);
    await expectText(chair.locator('#chair .unit', { hasText: 'Xã Tân Phú' }), nameA);
    await expectText(chair.locator('#chair .unit', { hasText: 'Xã Đạ Huoai' }), nameB);
    await expectText(row(chair, args.chair_name), 'Chủ trì');
  });
  await s.step('the server mixes the three seats (cau_mixer_participants of the meeting)', async () => {
    numbers.mixer_participants = await waitUntil('three in the mixer', mixerParticipants, (n) => n === 3, MEDIA_TIMEOUT_MS);
  });
  await s.step('every chair control has a name and is reached with Tab', async () => {
    const unnamed = await chair.evaluate(() => Array.from(document.querySelectorAll('#chair button, #chair select'))
      .filter((el) => !(el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent).trim())
      .map((el) => el.outerHTML.slice(0, 60)));
    assert(unnamed.length === 0, `unnamed: ${unnamed}`);
    await chair.focus('#mute-all');
    await chair.keyboard.press('Tab');
    assert(await chair.evaluate(() => document.activeElement.id) === 'lock', 'Tab from Mute all');
  });
  await s.step('the chair mutes the first commune: its page says "Chủ trì đã tắt micrô", the list shows it muted', async () => {
    await row(chair, nameA).locator('button.mute').click();
    await expectText(first.locator('#my-state'), 'Chủ trì đã tắt micrô');
    await waitUntil('muted in the list', () => row(chair, nameA).getAttribute('data-muted'), (v) => v === 'true');
    await expectText(row(chair, nameA), 'chủ trì tắt micrô');
    await expectText(row(chair, nameA).locator('button.mute'), 'Bật micrô');
    const seat = await waitUntil('the server says muted by the chair', () => seatOf(chair, nameA),
      (p) => p && p.audio_muted && p.audio_muted_by_chair && !p.audio_muted_self);
    numbers.muted_seat = { audio_muted: seat.audio_muted, audio_muted_by_chair: seat.audio_muted_by_chair };
    await expectText(first.locator('#toggle-mic'), 'Bật micrô');
  });
  await s.step('the muted commune\'s browser stops sending its microphone: DTX, a few packets a second', async () => {
    // The page holds the track disabled (digital silence) and the server's answer said
    // usedtx=1: Chromium then sends a comfort-noise packet now and then instead of 50 a
    // second. A rate is a count over time: two seconds of getStats, repeated until DTX
    // has set in (it needs a few hundred milliseconds of silence).
    const rate = await waitUntil('audio sent at most 15 packets/s', async () => {
      const before = await first.evaluate(() => window.cauJoin.stats());
      const t0 = Date.now();
      await first.waitForTimeout(2000);
      const after = await first.evaluate(() => window.cauJoin.stats());
      return (after.audioPacketsSent - before.audioPacketsSent) / ((Date.now() - t0) / 1000);
    }, (r) => r <= 15, MEDIA_TIMEOUT_MS);
    numbers.muted_audio_pps = Math.round(rate * 10) / 10;
    const b0 = await second.evaluate(() => window.cauJoin.stats());
    const t0 = Date.now();
    await second.waitForTimeout(2000);
    const b1 = await second.evaluate(() => window.cauJoin.stats());
    numbers.unmuted_audio_pps = Math.round((b1.audioPacketsSent - b0.audioPacketsSent) / ((Date.now() - t0) / 1000) * 10) / 10;
    // For the log only: the commune that is not muted sends what its fake microphone's
    // beeps need (26–50 packets/s here: DTX covers the silence between them).
  });
  await s.step('the muted commune cannot unmute itself: its page says to raise the hand', async () => {
    await first.click('#toggle-mic');
    await expectText(first.locator('#my-state'), 'hãy giơ tay và chờ được phát biểu');
    assert((await seatOf(first, nameA)).audio_muted_by_chair, 'unmuted itself');
  });
  await shot(first, 'join-muted-by-chair-1366');
  await s.step('the second commune raises its hand: its page and the chair\'s queue show it', async () => {
    await second.click('#hand');
    await expectText(second.locator('#my-state'), 'Đang giơ tay (thứ 1 trong hàng chờ)');
    await expectText(second.locator('#hand'), 'Hạ tay');
    await expectText(chair.locator('#queue'), nameB);
    await expectText(row(chair, nameB), 'giơ tay #1');
  });
  await shot(chair, 'chair-queue-1366');
  await s.step('the chair gives the floor: the second commune\'s page says it has the floor', async () => {
    await chair.locator('#queue li', { hasText: nameB }).locator('button.grant').click();
    await expectText(second.locator('#my-state'), 'Bạn đang được phát biểu');
    await expectText(chair.locator('#floor-holder'), `Đang phát biểu: ${nameB}`);
    await expectText(chair.locator('#chair'), 'Chưa có ai giơ tay.');
    await expectText(row(chair, nameB), 'đang phát biểu');
    await expectText(row(chair, nameB), 'đã ghim');
    await expectText(second.locator('#hand'), 'Giơ tay phát biểu');
  });
  await s.step('the link quality shows loss and round trip from getStats', async () => {
    const text = await waitUntil('quality measured', () => second.locator('#quality').innerText(), (v) => /trễ khứ hồi \d+ ms/.test(v), MEDIA_TIMEOUT_MS);
    numbers.quality = text;
  });
  await shot(chair, 'chair-floor-1366');
  await shot(second, 'join-floor-390');
  await s.step('the chair view fits a 390-px phone: nothing wider than the screen', async () => {
    await chair.setViewportSize(PHONE);
    const wide = await chair.evaluate(() => {
      const limit = document.documentElement.clientWidth;
      return Array.from(document.querySelectorAll('body *'))
        .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
        .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`);
    });
    assert(wide.length === 0, `wider than the screen: ${wide.slice(0, 5).join(', ')}`);
  });
  await shot(chair, 'chair-390');
  await chair.setViewportSize(DESKTOP);
}

async function reconnects(s, first, chair, numbers) {
  await s.step('the first commune\'s connection drops: it reconnects by itself to the same seat', async () => {
    const before = await first.evaluate(() => window.cauJoin.room.me);
    await first.evaluate(() => { window.cauJoin.states.length = 0; window.cauJoin.drop(); });
    await waitUntil('reconnecting, then connected', () => first.evaluate(() => window.cauJoin.states.join(' ')),
      (v) => /reconnecting.*connected/.test(v), MEDIA_TIMEOUT_MS);
    assert(await first.evaluate(() => window.cauJoin.room.me) === before, 'another seat');
    await expectText(first.locator('#my-state'), 'Chủ trì đã tắt micrô');
    const stats = await sessionStats(first, 'audio again', (v) => v.audioPacketsReceived > 50 && v.audioEnergyReceived > 0);
    numbers.after_resume = stats;
    await waitUntil('back in the chair\'s list', () => row(chair, args.endpoints[0]).innerText(), (v) => !v.includes('mất kết nối'));
  });
}

// The room as the chair's page last read it from the server.
function roomOf(page) {
  return page.evaluate(() => {
    const room = window.cauJoin.room;
    return room && { state: room.state, floor: room.floor, queue: room.queue, views: room.views };
  });
}

async function chairControls(s, first, second, chair) {
  await s.step('the chair picks the grid layout and locks the room; the server\'s room says so', async () => {
    await chair.selectOption('#layout', 'grid');
    await waitUntil('grid', () => roomOf(chair), (r) => r.views[0].layout === 'grid');
    assert(await chair.locator('#layout').inputValue() === 'grid', 'the picker went back');
    await chair.click('#lock');
    await expectText(chair.locator('#lock'), 'Mở khóa phòng họp');
    await waitUntil('locked', () => roomOf(chair), (r) => r.state === 'locked');
    assert(await chair.evaluate(() => document.activeElement.id) === 'lock', 'the focus left the lock button');
    await chair.click('#lock');
    await waitUntil('unlocked', () => roomOf(chair), (r) => r.state === 'open');
  });
  await s.step('mute all: both communes\' pages say the chair muted them, the floor is taken back', async () => {
    await chair.click('#mute-all');
    for (const page of [first, second]) await expectText(page.locator('#my-state'), 'Chủ trì đã tắt micrô');
    await expectText(chair.locator('#floor-holder'), 'Đang phát biểu: chưa ai');
    assert(await second.locator('#my-state').innerText().then((v) => !v.includes('Bạn đang được phát biểu')), 'still has the floor');
    for (const name of args.endpoints) {
      await waitUntil(`${name} muted`, () => row(chair, name).getAttribute('data-muted'), (v) => v === 'true');
    }
    assert((await roomOf(chair)).floor === null, 'the server still gives the floor');
  });
  await s.step('the chair unmutes the first commune: its page says it is heard again', async () => {
    await row(chair, args.endpoints[0]).locator('button.mute').click();
    await expectText(first.locator('#my-state'), 'Micrô đang bật: cuộc họp nghe thấy bạn');
    const text = await first.locator('#my-state').innerText();
    assert(!text.includes('Chủ trì đã tắt micrô'), `still says muted: ${text}`);
    await expectText(first.locator('#toggle-mic'), 'Tắt micrô');
    await waitUntil('unmuted in the list', () => row(chair, args.endpoints[0]).getAttribute('data-muted'), (v) => v === 'false');
  });
}

async function notOpenYet(s, page, peersBefore) {
  await s.step('a meeting not open yet shows when its room opens, and Join says so', async () => {
    await openLink(page, args.scheduled_link);
    await expectText(page.locator('#meeting-state'), 'Đã lên lịch');
    await expectText(page.locator('#meeting-facts'), 'Phòng họp mở');
    await page.click('#join');
    await expectText(page.locator('#session-status'), 'Phòng họp chưa mở; phòng mở lúc');
    assert(await page.locator('#leave').isHidden(), 'a Leave button for a room not open');
    assert(await serverPeers() === peersBefore, 'a peer was made for a room not open');
  });
}

async function leaveAndRefusals(s, first, second, chair) {
  await s.step('Leave closes the peer: the page says so and offers Join again', async () => {
    await first.click('#leave');
    await expectText(first.locator('#session-status'), 'Đã rời phòng họp');
    assert(await first.locator('#join').isVisible(), 'no Join button after leaving');
    assert(await first.evaluate(() => window.cauJoin.stats()) === null, 'a session is still open');
    await waitUntil('the server keeps the other two peers', serverPeers, (n) => n === 2);
  });
  await s.step('the chair removes the second commune: its page says so, its peer is closed', async () => {
    await chair.click('#end-meeting');
    await expectText(chair.locator('#end-confirm'), 'Đồng ý kết thúc cuộc họp cho mọi người');
    assert(await chair.evaluate(() => document.activeElement.id) === 'end-confirm', 'focus not on the confirmation');
    await chair.click('#end-cancel');
    await row(chair, args.endpoints[1]).locator('button.kick').click();
    await expectText(second.locator('#session-status'), 'Chủ trì đã mời điểm cầu này ra khỏi cuộc họp');
    assert(await second.locator('#join').isVisible(), 'no Join button after the kick');
    await expectText(chair.locator('#chair'), 'Điểm cầu tham dự (1)');
    await waitUntil('only the chair\'s peer', serverPeers, (n) => n === 1);
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
  await notOpenYet(s, first, 1);
  await s.step('after the meeting ends, its link says the meeting is over', async () => {
    const response = await fetch(`${args.url}/api/v1/meetings/${args.meeting_id}/end`, {
      method: 'POST', headers: { Authorization: `Bearer ${args.operator_token}` } });
    assert(response.status === 200, `end: ${response.status}`);
    await expectText(chair.locator('#session-status'), 'Cuộc họp đã kết thúc.');
    assert(await chair.locator('#chair').isHidden(), 'the chair panel is still shown');
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
    // Three pages with media on two cores: a loaded machine may need longer than
    // Playwright's 30 s for an action to find its control.
    context.setDefaultTimeout(MEDIA_TIMEOUT_MS);
    const first = context.pages()[0] ?? (await context.newPage());
    await first.setViewportSize(DESKTOP);
    pageErrors.push(watchPageErrors(first));
    const second = await context.newPage();
    await second.setViewportSize(PHONE);
    pageErrors.push(watchPageErrors(second));
    const chair = await context.newPage();
    await chair.setViewportSize(DESKTOP);
    pageErrors.push(watchPageErrors(chair));
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
    s.page = chair;
    await chairRuns(s, first, second, chair, report.numbers);
    s.page = first;
    await reconnects(s, first, chair, report.numbers);
    s.page = chair;
    await chairControls(s, first, second, chair);
    s.page = second;
    await s.step('on the phone the PDF renders too, while in the meeting', async () => {
      await second.locator('#materials-body li button.view').first().click();
      await waitUntil('rendered on the phone', () => second.locator('#pdf-canvas').getAttribute('data-rendered'),
        (v) => v && v.endsWith(':1'), MEDIA_TIMEOUT_MS);
      const ink = await canvasInk(second);
      assert(ink.ink > 100, `canvas ${JSON.stringify(ink)}`);
    });
    await shot(second, 'join-connected-390');
    await leaveAndRefusals(s, first, second, chair);
    report.ok = true;
  } catch (error) {
    report.error = String(error?.message ?? error).split('\n')[0];
  } finally {
    finishReport(report, pageErrors, EXPECTED_FAILURES);
    await close();
  }
}

await run();
