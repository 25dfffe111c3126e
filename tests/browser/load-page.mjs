#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Usage: node load-page.mjs URL SCREENSHOT.png
// Opens URL in Chromium, waits until #status[data-state="ok"] (15 s), saves a
// screenshot and prints one JSON line: {ok, state, status, title, errors, ...}.
// Exits 0 when the status reached "ok"; `errors` (console errors, uncaught
// exceptions, failed requests) are reported for the caller to judge.
import { launchBrowser, watchPageErrors } from './lib/browser.mjs';

const STATUS_TIMEOUT_MS = 15000;

async function loadPage(url, screenshotPath) {
  const { context, close } = await launchBrowser();
  const report = { url, ok: false, state: null, status: null, title: null, errors: [] };
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    report.errors = watchPageErrors(page);
    const response = await page.goto(url, { waitUntil: 'load', timeout: STATUS_TIMEOUT_MS });
    report.http_status = response ? response.status() : null;
    try {
      await page.waitForSelector('#status[data-state="ok"]', { timeout: STATUS_TIMEOUT_MS });
    } catch (error) {
      report.wait_error = error.message.split('\n')[0];
    }
    const status = page.locator('#status');
    report.state = await status.getAttribute('data-state');
    report.status = (await status.textContent())?.trim() ?? null;
    report.title = await page.title();
    await page.screenshot({ path: screenshotPath, fullPage: true });
    report.screenshot = screenshotPath;
    report.ok = report.state === 'ok';
  } finally {
    await close();
  }
  return report;
}

async function main(argv) {
  if (argv.length !== 2) {
    console.error('usage: node load-page.mjs URL SCREENSHOT.png');
    return 2;
  }
  try {
    const report = await loadPage(argv[0], argv[1]);
    console.log(JSON.stringify(report));
    return report.ok ? 0 : 1;
  } catch (error) {
    const message = String(error?.message ?? error).split('\n')[0];
    console.log(JSON.stringify({ url: argv[0], ok: false, error: message }));
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
