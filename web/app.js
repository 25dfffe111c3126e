// SPDX-License-Identifier: MIT
// Landing page: shows whether the server answers /healthz and a WebSocket ping.
'use strict';

async function checkServer() {
  const status = document.getElementById('status');
  try {
    const health = await fetch('/healthz').then((r) => r.json());
    const pong = await new Promise((resolve, reject) => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
      ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'ping' }));
      ws.onmessage = (ev) => { resolve(JSON.parse(ev.data)); ws.close(); };
      ws.onerror = () => reject(new Error('WebSocket error'));
    });
    const ok = health.status === 'ok' && pong.result && pong.result.pong === true;
    status.textContent = ok ? 'hoạt động / running' : 'lỗi / error';
    status.dataset.state = ok ? 'ok' : 'error';
  } catch (e) {
    status.textContent = `lỗi / error: ${e.message}`;
    status.dataset.state = 'error';
  }
}

checkServer();
