#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Usage: node mcu-pages.mjs URL PAGES SECONDS
// Opens PAGES tabs of the echo page (URL, with ?room=mcu:NAME) in one Chromium with fake
// camera and microphone, so that they join one mcu room; waits until every page reports
// its peer connected, then samples each page's inbound-rtp statistics once a second for
// SECONDS and prints one JSON line:
//   {ok, pages: [{state, peer, samples: [{t, audio, video}], errors}], error?}
import { launchBrowser, watchPageErrors, runPageScript } from './lib/browser.mjs';

const CONNECT_TIMEOUT_MS = 40000;

async function run(url, count, seconds) {
  const { context, close } = await launchBrowser();
  const report = { url, ok: false, pages: [] };
  try {
    const pages = [];
    for (let i = 0; i < count; i++) {
      const page = i === 0 && context.pages()[0] ? context.pages()[0] : await context.newPage();
      const entry = { state: null, peer: null, samples: [], errors: watchPageErrors(page) };
      await page.goto(url, { waitUntil: 'load', timeout: CONNECT_TIMEOUT_MS });
      pages.push({ page, entry });
      report.pages.push(entry);
    }
    for (const { page, entry } of pages) {
      try {
        await page.waitForFunction(() => window.cauEcho && ['connected', 'failed', 'error',
          'closed'].includes(window.cauEcho.state), null, { timeout: CONNECT_TIMEOUT_MS });
      } catch (error) {
        entry.wait_error = error.message.split('\n')[0];
      }
    }
    for (let t = 0; t <= seconds; t++) {
      for (const { page, entry } of pages) {
        entry.samples.push({ t, ...(await page.evaluate(() => window.cauEcho.inbound())) });
      }
      if (t < seconds) await pages[0].page.waitForTimeout(1000);
    }
    for (const { page, entry } of pages) {
      const state = await page.evaluate(() => ({ state: window.cauEcho.state,
        peer: window.cauEcho.peer, errors: window.cauEcho.errors }));
      entry.state = state.state;
      entry.peer = state.peer;
      entry.page_errors = state.errors;
    }
    report.ok = true;
  } finally {
    await close();
  }
  return report;
}

await runPageScript('node mcu-pages.mjs URL PAGES SECONDS', run);
