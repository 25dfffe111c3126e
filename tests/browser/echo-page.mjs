#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Usage: node echo-page.mjs URL SECONDS
// Opens the echo page (web/echo.html) in Chromium with fake camera and microphone, waits
// until the server reports the peer connected, then samples the page's inbound-rtp
// statistics once a second for SECONDS and prints one JSON line:
//   {ok, state, peer, samples: [{t, audio: {...}, video: {...}, sent: {...}}], errors, events}
// (sent: the camera's outbound-rtp, with the browser's target bitrate).
import { launchBrowser, watchPageErrors, runPageScript } from './lib/browser.mjs';

const CONNECT_TIMEOUT_MS = 30000;

async function run(url, seconds) {
  const { context, close } = await launchBrowser();
  const report = { url, ok: false, state: null, samples: [], errors: [] };
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    report.errors = watchPageErrors(page);
    await page.goto(url, { waitUntil: 'load', timeout: CONNECT_TIMEOUT_MS });
    try {
      await page.waitForFunction(() => window.cauEcho && ['connected', 'failed', 'error',
        'closed'].includes(window.cauEcho.state), null, { timeout: CONNECT_TIMEOUT_MS });
    } catch (error) {
      report.wait_error = error.message.split('\n')[0];
    }
    for (let i = 0; i <= seconds && (await page.evaluate(() => window.cauEcho.state)) ===
      'connected'; i++) {
      const stats = await page.evaluate(() => window.cauEcho.inbound());
      const sent = await page.evaluate(() => window.cauEcho.outbound());
      report.samples.push({ t: i, ...stats, sent });
      if (i < seconds) await page.waitForTimeout(1000);
    }
    const page_state = await page.evaluate(() => ({ state: window.cauEcho.state,
      peer: window.cauEcho.peer, errors: window.cauEcho.errors, events: window.cauEcho.events }));
    report.state = page_state.state;
    report.peer = page_state.peer;
    report.page_errors = page_state.errors;
    report.events = page_state.events.filter((e) => e.name === 'peer.state');
    report.ok = report.samples.length > 0;
  } finally {
    await close();
  }
  return report;
}

await runPageScript('node echo-page.mjs URL SECONDS', run);
