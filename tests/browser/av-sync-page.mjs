#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Usage: node av-sync-page.mjs URL SECONDS
// Opens the echo page (URL, with ?room=mcu:NAME) in Chromium, so that it joins that mcu
// room, and once its peer is connected records for SECONDS what its <video> element
// presents and what it plays, on the page's clock (performance.now(), ms):
//   video: for each frame presented (requestVideoFrameCallback), its expected display
//          time and the mean luminance of the picture's left and right halves;
//   audio: for each 256-sample block of the element's stream through Web Audio, the
//          time it reaches the output (its playback time, through
//          AudioContext.getOutputTimestamp()) and its RMS after a one-pole high-pass.
// Prints one JSON line: {ok, state, video: [[t, left, right]], audio: [[t, rms]], errors}.
import { launchBrowser, watchPageErrors, runPageScript } from './lib/browser.mjs';

const CONNECT_TIMEOUT_MS = 40000;

// Runs in the page: starts the recording, returns nothing; results in window.avSync.
async function startRecording() {
  const video = document.getElementById('remote');
  const out = { video: [], audio: [], stamps: [] };
  window.avSync = out;
  const canvas = new OffscreenCanvas(64, 36);
  const g = canvas.getContext('2d', { willReadFrequently: true });
  const onFrame = (now, meta) => {
    g.drawImage(video, 0, 0, 64, 36);
    const px = g.getImageData(0, 0, 64, 36).data;
    let left = 0; let right = 0;
    for (let y = 0; y < 36; y++) {
      for (let x = 0; x < 64; x++) {
        const i = (y * 64 + x) * 4;
        const luma = 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
        if (x < 32) left += luma; else right += luma;
      }
    }
    out.video.push([meta.expectedDisplayTime, left / (32 * 36), right / (32 * 36)]);
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);

  const ctx = new AudioContext();
  // A ScriptProcessorNode rather than an AudioWorklet: the page's Content-Security-Policy
  // lets no worklet module load. Each block is stamped with the context time at which it
  // plays (playbackTime).
  const proc = ctx.createScriptProcessor(256, 1, 1);
  let prev = 0; let hp = 0;
  proc.onaudioprocess = (ev) => {
    const ch = ev.inputBuffer.getChannelData(0);
    let sum = 0;
    for (let i = 0; i < ch.length; i++) {
      hp = 0.9 * (hp + ch[i] - prev);
      prev = ch[i];
      sum += hp * hp;
    }
    out.audio.push([ev.playbackTime, Math.sqrt(sum / ch.length)]);
  };
  ctx.createMediaStreamSource(video.srcObject).connect(proc);
  proc.connect(ctx.destination); // a ScriptProcessorNode runs only when connected
  await ctx.resume();
  // Context time to page time, sampled as the recording goes.
  const stamp = () => {
    const ts = ctx.getOutputTimestamp();
    if (ts.performanceTime > 0) out.stamps.push([ts.contextTime, ts.performanceTime]);
  };
  window.setInterval(stamp, 100);
}

// Maps each audio block's context time to page time with the stamp nearest to it.
function toPageTime(audio, stamps) {
  if (!stamps.length) return [];
  return audio.map(([ctxTime, rms]) => {
    let best = stamps[0];
    for (const s of stamps) if (Math.abs(s[0] - ctxTime) < Math.abs(best[0] - ctxTime)) best = s;
    return [best[1] + (ctxTime - best[0]) * 1000, rms];
  });
}

async function run(url, seconds) {
  const { context, close } = await launchBrowser({
    extraArgs: ['--autoplay-policy=no-user-gesture-required'] });
  const report = { url, ok: false };
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const pageErrors = watchPageErrors(page);
    await page.goto(url, { waitUntil: 'load', timeout: CONNECT_TIMEOUT_MS });
    await page.waitForFunction(() => window.cauEcho && ['connected', 'failed', 'error',
      'closed'].includes(window.cauEcho.state), null, { timeout: CONNECT_TIMEOUT_MS });
    report.state = await page.evaluate(() => window.cauEcho.state);
    if (report.state !== 'connected') throw new Error(`peer ${report.state}`);
    await page.waitForFunction(() => {
      const v = document.getElementById('remote');
      return v.srcObject && v.srcObject.getAudioTracks().length && v.videoWidth > 0;
    }, null, { timeout: CONNECT_TIMEOUT_MS });
    await page.evaluate(startRecording);
    await page.waitForTimeout(seconds * 1000);
    const got = await page.evaluate(() => window.avSync);
    report.video = got.video;
    report.audio = toPageTime(got.audio, got.stamps);
    report.errors = [...pageErrors, ...await page.evaluate(() => window.cauEcho.errors)];
    report.ok = true;
  } finally {
    await close();
  }
  return report;
}

await runPageScript('node av-sync-page.mjs URL SECONDS', run);
