// SPDX-License-Identifier: MIT
// Launches Debian's Chromium through playwright-core with the flags that work
// on the test machines (shared TESTING.md), in a fresh profile per run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CAU_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

// Starts Chromium on a new temporary profile. Returns { context, close }: the
// caller owns both and must await close(), which also deletes the profile.
export async function launchBrowser({ timeoutMs = 30000, extraArgs = [] } = {}) {
  const profile = await mkdtemp(path.join(tmpdir(), 'cau-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: false, // --headless=new is passed by hand
      args: [...CHROMIUM_FLAGS, ...extraArgs],
      timeout: timeoutMs,
      viewport: { width: 1024, height: 640 },
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const close = async () => {
    try {
      await context.close();
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  };
  return { context, close };
}

// Collects what a user would see as errors on a page: console.error lines,
// uncaught exceptions and failed requests. A request the browser aborted itself
// (net::ERR_ABORTED: the page navigated or reloaded while it was in flight, as a step
// that moves on can do) is not a failure anyone sees; a refused or broken one is.
export function watchPageErrors(page) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url;
    errors.push(`console: ${msg.text()}${where ? ` [${where}]` : ''}`);
  });
  page.on('pageerror', (error) => errors.push(`exception: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText;
    if (reason === 'net::ERR_ABORTED') return;
    errors.push(`request failed: ${request.url()} (${reason})`);
  });
  return errors;
}

// Ends a flow, before its browser closes: its page errors (but the `expected` ones the scenario provokes) go in
// report.errors, then the report is printed as one JSON line for the Python side and
// the exit code says whether it passed with no unexpected error.
export function finishReport(report, pageErrors, expected) {
  report.errors = pageErrors.flat().filter((e) => !expected.some((re) => re.test(e)));
  console.log(JSON.stringify(report));
  process.exitCode = report.ok && report.errors.length === 0 ? 0 : 1;
}

// The command line of a page script: `node SCRIPT URL ARGS...` with `usage` naming them.
// Runs run(url, ...args as numbers), prints its report (or the error) as one JSON line,
// and sets the exit code: 0 when the report says ok, 1 when not, 2 on a wrong command line.
export async function runPageScript(usage, run) {
  const argv = process.argv.slice(2);
  if (argv.length !== usage.split(' ').length - 2) {
    console.error(`usage: ${usage}`);
    process.exitCode = 2;
    return;
  }
  try {
    const report = await run(argv[0], ...argv.slice(1).map(Number));
    console.log(JSON.stringify(report));
    process.exitCode = report.ok ? 0 : 1;
  } catch (error) {
    console.log(JSON.stringify({ url: argv[0], ok: false,
      error: String(error?.message ?? error).split('\n')[0] }));
    process.exitCode = 1;
  }
}
