// SPDX-License-Identifier: MIT
// The device check: camera and microphone choice (enumerateDevices once permission is
// given), a live preview, a microphone level meter, and the camera-off / mute switches.
// Choices and switches are remembered in localStorage and carried into the meeting: the
// session sends this module's tracks and follows their changes.
const STORAGE = { camera: 'cau.join.camera', microphone: 'cau.join.microphone',
  cameraOff: 'cau.join.camera_off', micOff: 'cau.join.mic_off' };
const METER_INTERVAL_MS = 100;
const METER_FLOOR_DB = 60;

function load(key) {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function save(key, value) {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // private mode: remembered for this page only
  }
}

// Holds the local stream: one audio and one video track at most.
export class DeviceCheck {
  // `els`: { preview, camera, microphone, level } elements of the page.
  constructor(els) {
    this.els = els;
    this.stream = new MediaStream();
    this.cameraOff = load(STORAGE.cameraOff) === '1';
    this.micOff = load(STORAGE.micOff) === '1';
    this.micHeld = false;
    this.devices = { videoinput: [], audioinput: [] };
    this.problem = null; // 'denied' | 'missing' | { message }
    this.trackListeners = [];
    this.audioContext = null;
    this.analyser = null;
    this.source = null;
    this.meterTimer = null;
    this.level = 0;
  }

  // `listener(kind, track)` runs when the camera or microphone is replaced.
  onTrackChange(listener) {
    this.trackListeners.push(listener);
  }

  track(kind) {
    return this.stream.getTracks().find((track) => track.kind === kind) ?? null;
  }

  // Asks for both devices (the remembered ones first), lists the devices, starts the
  // preview and the meter. Never throws: a refusal or a missing device is kept in
  // `problem` and the page can still join to listen.
  async start() {
    const constraints = (kind, key) => {
      const id = load(STORAGE[key]);
      return id ? { deviceId: { ideal: id } } : true;
    };
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: constraints('audio', 'microphone'), video: constraints('video', 'camera') });
      for (const track of stream.getTracks()) this.put(track);
    } catch (error) {
      await this.startPartly(error);
    }
    await this.listDevices();
    this.startMeter();
  }

  // One device may be refused or missing while the other works: try each alone.
  async startPartly(firstError) {
    let any = false;
    for (const kind of ['audio', 'video']) {
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ [kind]: true });
        stream.getTracks().forEach((track) => this.put(track));
        any = true;
      } catch {
        // reported below from the first error
      }
    }
    if (any) return;
    if (firstError?.name === 'NotAllowedError' || firstError?.name === 'SecurityError') this.problem = 'denied';
    else if (firstError?.name === 'NotFoundError' || firstError?.name === 'OverconstrainedError') this.problem = 'missing';
    else this.problem = { message: firstError?.message ?? String(firstError) };
  }

  // Puts `track` in the stream in place of the one of its kind, applying the switches.
  put(track) {
    const old = this.track(track.kind);
    if (old) {
      this.stream.removeTrack(old);
      old.stop();
    }
    track.enabled = track.kind === 'video' ? !this.cameraOff : !this.micOff && !this.micHeld;
    this.stream.addTrack(track);
    if (track.kind === 'video') {
      this.els.preview.srcObject = null; // a new srcObject makes the element load again
      this.els.preview.srcObject = this.stream;
    } else {
      this.connectMeter();
    }
    for (const listener of this.trackListeners) listener(track.kind, track);
  }

  async listDevices() {
    const all = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    this.devices.videoinput = all.filter((d) => d.kind === 'videoinput' && d.deviceId);
    this.devices.audioinput = all.filter((d) => d.kind === 'audioinput' && d.deviceId);
  }

  // The deviceId of the track of `kind` in use ('' when none).
  currentId(kind) {
    return this.track(kind)?.getSettings().deviceId ?? '';
  }

  // Opens device `deviceId` of `kind` ('video' or 'audio') instead of the current one.
  async use(kind, deviceId) {
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: { deviceId: { exact: deviceId } } });
    this.put(stream.getTracks()[0]);
    save(kind === 'video' ? STORAGE.camera : STORAGE.microphone, deviceId);
  }

  setCameraOff(off) {
    this.cameraOff = off;
    save(STORAGE.cameraOff, off ? '1' : '0');
    const track = this.track('video');
    if (track) track.enabled = !off;
  }

  setMicOff(off) {
    this.micOff = off;
    save(STORAGE.micOff, off ? '1' : '0');
    this.applyMic();
  }

  // The chair's mute holds the microphone silent without changing the own switch: the
  // browser then sends digital silence, which the server's usedtx=1 turns into a few
  // packets a second instead of fifty (a weak link gets its uplink back).
  setMicHeld(held) {
    this.micHeld = held;
    this.applyMic();
  }

  applyMic() {
    const track = this.track('audio');
    if (track) track.enabled = !this.micOff && !this.micHeld;
  }

  // The meter reads the microphone through an AnalyserNode (a muted track reads 0).
  connectMeter() {
    const track = this.track('audio');
    if (!track) return;
    if (!this.audioContext) {
      this.audioContext = new AudioContext();
      this.analyser = this.audioContext.createAnalyser();
      this.analyser.fftSize = 1024;
      // Browsers may hold an AudioContext until the person touches the page.
      const resume = () => this.audioContext.resume().catch(() => {});
      document.addEventListener('pointerdown', resume, { once: true });
      document.addEventListener('keydown', resume, { once: true });
      resume();
    }
    this.source?.disconnect();
    this.source = this.audioContext.createMediaStreamSource(new MediaStream([track]));
    this.source.connect(this.analyser);
  }

  startMeter() {
    if (this.meterTimer) return;
    const samples = new Float32Array(1024);
    this.meterTimer = window.setInterval(() => {
      if (!this.analyser) return;
      this.analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      const rms = Math.sqrt(sum / samples.length);
      // In decibels, as sound meters show it: -60 dBFS and below is 0, full scale 1.
      const db = rms > 0 ? 20 * Math.log10(rms) : -Infinity;
      this.level = Math.max(0, Math.min(1, (db + METER_FLOOR_DB) / METER_FLOOR_DB));
      this.els.level.value = this.level;
    }, METER_INTERVAL_MS);
  }

  // Stops the devices and the meter (the page is going away).
  stop() {
    window.clearInterval(this.meterTimer);
    this.meterTimer = null;
    this.stream.getTracks().forEach((track) => track.stop());
    this.audioContext?.close().catch(() => {});
  }
}
