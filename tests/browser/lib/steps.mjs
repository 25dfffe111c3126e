// SPDX-License-Identifier: MIT
// A small step runner for browser scenarios: each step prints "ok N - what" or
// "not ok N - what: why" (with a screenshot of the page), and waits that poll what the
// page shows until a deadline instead of sleeping.
import path from 'node:path';

const DEFAULT_TIMEOUT_MS = 10000;

export class Scenario {
  constructor(page, screenshotDir) {
    this.page = page;
    this.dir = screenshotDir;
    this.count = 0;
    this.passed = [];
    this.screenshots = [];
  }

  // Runs `body`; on failure saves failure.png and rethrows with the step named.
  async step(what, body) {
    this.count += 1;
    try {
      await body();
    } catch (error) {
      const message = String(error?.message ?? error).split('\n')[0];
      console.log(`not ok ${this.count} - ${what}: ${message}`);
      await this.shot('failure').catch(() => {});
      throw new Error(`step ${this.count} (${what}): ${message}`);
    }
    this.passed.push(what);
    console.log(`ok ${this.count} - ${what}`);
  }

  async shot(name) {
    const file = path.join(this.dir, `${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    this.screenshots.push(file);
    return file;
  }
}

// Polls `read()` until `accept(value)` holds; returns the value, or throws saying what
// was last seen.
export async function waitUntil(what, read, accept, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      last = `(error: ${error.message.split('\n')[0]})`;
    }
    if (Date.now() > deadline) throw new Error(`${what}: last seen ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Waits until the text of `locator` (its first match) contains `expected`.
export function expectText(locator, expected, timeoutMs) {
  return waitUntil(`text containing ${JSON.stringify(expected)}`,
    () => locator.first().innerText({ timeout: 1000 }), (text) => text.includes(expected), timeoutMs);
}

// The visible rows of a table as arrays of cell texts (trimmed).
export function tableRows(locator) {
  return locator.locator('tbody tr').evaluateAll((rows) =>
    rows.map((row) => Array.from(row.cells, (cell) => cell.innerText.trim())));
}

// Waits until the rows of `locator` satisfy `accept`; returns them.
export function expectRows(what, locator, accept, timeoutMs) {
  return waitUntil(what, () => tableRows(locator), accept, timeoutMs);
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}
