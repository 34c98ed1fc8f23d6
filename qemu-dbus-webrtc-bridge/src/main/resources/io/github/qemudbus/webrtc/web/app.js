// QEMU console web client: WHEP for the video, the "qemu" data channel for input and
// control (format: docs/data-channel.md, version 1). Plain ES module, no build step.

const V = 1;
const $ = (id) => document.getElementById(id);
const ui = {
  bar: $('bar'), title: $('title'), picker: $('picker'), status: $('status'), statusText: $('status-text'),
  badge: $('badge'), stage: $('stage'), screen: $('screen'), video: $('video'), cursor: $('cursor'),
  message: $('message'), stats: $('stats'), btnCad: $('btn-cad'), btnResize: $('btn-resize'),
  btnStats: $('btn-stats'), btnFull: $('btn-full'), dialog: $('token-dialog'), tokenForm: $('token-form'),
  tokenInput: $('token-input'), tokenError: $('token-error'),
};

// ---- settings from the address bar (the token is moved to sessionStorage and removed) ----
const params = new URLSearchParams(location.search);
let token = params.get('token') || sessionStorage.getItem('qemu-token') || '';
if (params.has('token')) {
  sessionStorage.setItem('qemu-token', token);
  params.delete('token');
  history.replaceState(null, '', location.pathname + (params.toString() ? '?' + params : '') + location.hash);
}
const wantedCodec = (params.get('codec') || '').toLowerCase();
let consoleId = params.has('console') ? Number(params.get('console')) : null;
let autoResize = localStorage.getItem('qemu-auto-resize') !== 'off';
let showStats = localStorage.getItem('qemu-stats') !== 'off';

// ---- state, also readable by tests as window.qemuConsole ----
const state = {
  phase: 'init', consoles: [], hello: null, width: 0, height: 0, absolute: false, path: '', viewOnly: false,
  session: null, location: null, lastError: null, bridgeStats: null, rtt: null, errors: [], reconnects: 0,
  stats: { fps: 0, kbps: 0, rttMs: null, codec: '', frames: 0, decoded: 0 },
};
window.qemuConsole = state;

let pc = null;
let dc = null;
let generation = 0;
let retryTimer = null;
let retryDelay = 1000;

function setStatus(phase, text) {
  state.phase = phase;
  ui.status.dataset.state = phase;
  ui.statusText.textContent = text;
}

function showMessage(text) {
  ui.message.textContent = text || '';
}

function authHeaders(extra = {}) {
  return token ? { ...extra, Authorization: 'Bearer ' + token } : extra;
}

// ---- token prompt ----
function askToken(wrong) {
  return new Promise((resolve) => {
    ui.tokenError.textContent = wrong ? 'That token was refused.' : '';
    ui.tokenInput.value = '';
    ui.dialog.showModal();
    ui.tokenForm.onsubmit = () => {
      token = ui.tokenInput.value.trim();
      sessionStorage.setItem('qemu-token', token);
      resolve();
    };
  });
}

// ---- console list and picker ----
async function loadConsoles() {
  for (;;) {
    const r = await fetch('api/consoles', { headers: authHeaders(), cache: 'no-store' });
    if (r.status === 401) {
      setStatus('error', 'Token required');
      showMessage('');
      await askToken(Boolean(token));
      continue;
    }
    if (!r.ok) throw new Error('console list: HTTP ' + r.status);
    const j = await r.json();
    state.consoles = j.consoles;
    state.viewOnly = j.viewOnly;
    return;
  }
}

function buildPicker() {
  ui.picker.textContent = '';
  for (const c of state.consoles) {
    const o = document.createElement('option');
    o.value = String(c.id);
    o.textContent = `${c.id}: ${c.label}` + (c.width ? ` (${c.width}\u00d7${c.height})` : '');
    ui.picker.append(o);
  }
  ui.picker.value = String(consoleId);
  ui.picker.classList.toggle('hidden', state.consoles.length < 2);
}

ui.picker.addEventListener('change', () => {
  consoleId = Number(ui.picker.value);
  params.set('console', String(consoleId));
  history.replaceState(null, '', location.pathname + '?' + params + location.hash);
  ui.screen.focus();
  reconnect(0);
});

// ---- WHEP ----
function waitIceGathering(p, ms) {
  if (p.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    p.addEventListener('icegatheringstatechange', () => {
      if (p.iceGatheringState === 'complete') { clearTimeout(t); resolve(); }
    });
  });
}

function preferCodec(transceiver) {
  if (!wantedCodec || !RTCRtpReceiver.getCapabilities) return;
  const caps = RTCRtpReceiver.getCapabilities('video').codecs;
  const mime = 'video/' + wantedCodec;
  const first = caps.filter((c) => c.mimeType.toLowerCase() === mime);
  if (!first.length) return;
  const rest = caps.filter((c) => c.mimeType.toLowerCase() !== mime);
  try { transceiver.setCodecPreferences([...first, ...rest]); } catch (e) { console.warn('codec preference', e); }
}

async function connect() {
  const gen = ++generation;
  clearTimeout(retryTimer);
  closePeer(false);
  setStatus('connecting', 'Connecting');
  showMessage(state.reconnects ? 'Reconnecting\u2026' : 'Connecting\u2026');
  try {
    if (!state.consoles.length) await loadConsoles();
    if (consoleId === null || !state.consoles.some((c) => c.id === consoleId)) consoleId = state.consoles[0].id;
    buildPicker();
    const info = state.consoles.find((c) => c.id === consoleId);
    if (info && info.width) setConsoleSize(info.width, info.height);
    ui.title.textContent = info ? info.label : 'QEMU';
    document.title = (info ? info.label + ' \u2013 ' : '') + 'QEMU console';

    const p = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    pc = p;
    const tr = p.addTransceiver('video', { direction: 'recvonly' });
    preferCodec(tr);
    const channel = p.createDataChannel('qemu', { ordered: true });
    dc = channel;
    setupChannel(channel, gen);
    p.ontrack = (ev) => {
      const stream = ev.streams && ev.streams[0] ? ev.streams[0] : new MediaStream([ev.track]);
      ui.video.srcObject = stream;
      ui.video.play().catch(() => {});
    };
    p.onconnectionstatechange = () => {
      if (gen !== generation) return;
      const s = p.connectionState;
      if (s === 'connected') {
        setStatus('connected', 'Connected');
        retryDelay = 1000;
        showMessage(ui.video.readyState >= 2 ? '' : 'Waiting for the picture\u2026');
      } else if (s === 'failed' || s === 'closed') {
        lost('Connection ' + s);
      } else if (s === 'disconnected') {
        setStatus('connecting', 'Interrupted');
        setTimeout(() => { if (gen === generation && p.connectionState === 'disconnected') lost('Connection lost'); }, 5000);
      }
    };
    await p.setLocalDescription(await p.createOffer());
    await waitIceGathering(p, 3000);
    if (gen !== generation) return;
    const r = await fetch('whep/' + consoleId, {
      method: 'POST', headers: authHeaders({ 'Content-Type': 'application/sdp' }), body: p.localDescription.sdp,
    });
    if (gen !== generation) return;
    if (r.status === 401) {
      closePeer(false);
      setStatus('error', 'Token required');
      showMessage('');
      await askToken(Boolean(token));
      state.consoles = [];
      return connect();
    }
    if (r.status !== 201) {
      const text = (await r.text()).trim();
      throw new Error(r.status === 503 ? 'The bridge is busy: ' + text : 'HTTP ' + r.status + ': ' + text);
    }
    state.location = new URL(r.headers.get('Location'), location.href).href;
    await p.setRemoteDescription({ type: 'answer', sdp: await r.text() });
  } catch (e) {
    if (gen !== generation) return;
    state.lastError = String(e.message || e);
    lost(state.lastError);
  }
}

function lost(why) {
  setStatus('error', 'Disconnected');
  showMessage(why + ' \u2013 retrying in ' + Math.round(retryDelay / 1000) + ' s');
  releaseAllLocal();
  closePeer(true);
  reconnect(retryDelay);
  retryDelay = Math.min(retryDelay * 2, 10000);
}

function reconnect(delay) {
  clearTimeout(retryTimer);
  state.reconnects++;
  retryTimer = setTimeout(connect, delay);
}

function closePeer(deleteSession) {
  const loc = state.location;
  state.location = null;
  state.hello = null;
  if (deleteSession && loc) {
    fetch(loc, { method: 'DELETE', headers: authHeaders(), keepalive: true }).catch(() => {});
  }
  if (dc) { try { dc.close(); } catch (e) { /* closed */ } dc = null; }
  if (pc) { try { pc.close(); } catch (e) { /* closed */ } pc = null; }
}

window.addEventListener('pagehide', () => {
  releaseAllLocal();
  if (state.location) fetch(state.location, { method: 'DELETE', headers: authHeaders(), keepalive: true });
});

// ---- data channel ----
function send(msg) {
  if (!dc || dc.readyState !== 'open') return false;
  msg.v = V;
  dc.send(JSON.stringify(msg));
  return true;
}

function setupChannel(channel, gen) {
  channel.onopen = () => { pingTimer(); };
  channel.onclose = () => { if (gen === generation && state.phase === 'connected') lost('Control channel closed'); };
  channel.onmessage = (ev) => {
    let m;
    try { m = JSON.parse(ev.data); } catch (e) { return; }
    if (!m || m.v !== V) return;
    switch (m.t) {
      case 'hello':
        state.hello = m;
        state.session = m.session;
        state.viewOnly = m.viewOnly;
        applyState(m);
        ui.badge.classList.toggle('hidden', !m.viewOnly);
        ui.btnCad.classList.toggle('hidden', m.viewOnly);
        ui.btnResize.classList.toggle('hidden', m.viewOnly);
        if (autoResize) sendResize(true);
        break;
      case 'state': applyState(m); break;
      case 'cursor': applyCursor(m); break;
      case 'stats': state.bridgeStats = m; state.path = m.path; break;
      case 'pong': if (typeof m.id === 'number' && pings.has(m.id)) {
        state.rtt = performance.now() - pings.get(m.id); pings.delete(m.id);
      } break;
      case 'error':
        state.errors.push(m);
        if (state.errors.length > 50) state.errors.shift();
        if (m.code === 'console-closed') showMessage(m.message);
        else console.warn('bridge:', m.code, m.message);
        break;
      default: break;
    }
  };
}

const pings = new Map();
let pingSeq = 0;
let pingHandle = null;
function pingTimer() {
  clearInterval(pingHandle);
  pingHandle = setInterval(() => {
    const id = ++pingSeq;
    if (send({ t: 'ping', id })) pings.set(id, performance.now());
    for (const k of pings.keys()) if (k < id - 10) pings.delete(k);
  }, 2000);
}

function applyState(m) {
  if (m.width && m.height) setConsoleSize(m.width, m.height);
  const wasAbs = state.absolute;
  state.absolute = Boolean(m.absolute);
  state.path = m.path || state.path;
  if (m.resizable === false) {
    ui.btnResize.disabled = true;
    ui.btnResize.title = 'This display device cannot follow the window size';
  }
  if (wasAbs !== state.absolute && state.absolute && document.pointerLockElement) document.exitPointerLock();
  updateCursorStyle();
  if (m.disabled) showMessage('The guest turned the display off');
  else if (state.phase === 'connected' && ui.video.readyState >= 2) showMessage('');
}

// ---- layout: the console at its real size, scaled down to fit (or up in fullscreen) ----
function setConsoleSize(w, h) {
  if (w === state.width && h === state.height) return;
  state.width = w;
  state.height = h;
  layout();
}

let scale = 1;
function layout() {
  const w = state.width || ui.video.videoWidth || 640;
  const h = state.height || ui.video.videoHeight || 480;
  const sw = ui.stage.clientWidth;
  const sh = ui.stage.clientHeight;
  let s = Math.min(sw / w, sh / h);
  if (!document.fullscreenElement) s = Math.min(1, s);
  scale = s > 0 ? s : 1;
  ui.screen.style.width = Math.round(w * scale) + 'px';
  ui.screen.style.height = Math.round(h * scale) + 'px';
  ui.cursor.style.transform = scale === 1 ? '' : `scale(${scale})`;
  placeCursor();
}
new ResizeObserver(() => { layout(); if (autoResize) sendResize(false); }).observe(ui.stage);
ui.video.addEventListener('loadeddata', () => { if (state.phase === 'connected') showMessage(''); layout(); });
ui.video.addEventListener('resize', layout);

let resizeTimer = null;
let lastResize = '';
function sendResize(now) {
  if (state.viewOnly || !autoResize) return;
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    const w = Math.floor(ui.stage.clientWidth);
    const h = Math.floor(ui.stage.clientHeight);
    const key = w + 'x' + h;
    if (w < 64 || h < 64 || (key === lastResize && !now)) return;
    lastResize = key;
    send({ t: 'resize', width: w, height: h });
  }, now ? 0 : 400);
}

// ---- guest cursor ----
const cursor = { x: 0, y: 0, visible: false, shape: null };
function applyCursor(m) {
  cursor.x = m.x; cursor.y = m.y; cursor.visible = Boolean(m.visible);
  if (m.shape) {
    cursor.shape = m.shape.png ? m.shape : null;
    if (cursor.shape) ui.cursor.src = cursor.shape.png;
  }
  updateCursorStyle();
  placeCursor();
}

function updateCursorStyle() {
  const locked = document.pointerLockElement === ui.screen;
  if (state.absolute) {
    // absolute: the browser draws the guest's shape at the local pointer (no round trip)
    ui.cursor.classList.add('hidden');
    if (cursor.shape && cursor.visible) {
      ui.screen.style.cursor = `url("${cursor.shape.png}") ${cursor.shape.hotX} ${cursor.shape.hotY}, default`;
    } else {
      ui.screen.style.cursor = cursor.shape && !cursor.visible ? 'none' : 'default';
    }
  } else {
    // relative: the guest owns the pointer; draw its cursor where the guest says it is
    ui.screen.style.cursor = locked ? 'none' : 'pointer';
    ui.cursor.classList.toggle('hidden', !(cursor.shape && cursor.visible));
  }
}

function placeCursor() {
  if (!cursor.shape) return;
  const x = (cursor.x - cursor.shape.hotX) * scale;
  const y = (cursor.y - cursor.shape.hotY) * scale;
  ui.cursor.style.left = x + 'px';
  ui.cursor.style.top = y + 'px';
}

// ---- keyboard ----
const heldKeys = new Set();
function captureKeys() {
  const a = document.activeElement;
  return !ui.dialog.open && (a === ui.screen || a === document.body || a === null);
}

// Some synthetic and on-screen keyboards leave KeyboardEvent.code empty: derive it from
// e.key for the keys where that is unambiguous.
const KEY_TO_CODE = { Enter: 'Enter', Tab: 'Tab', Backspace: 'Backspace', Escape: 'Escape', ' ': 'Space',
  Delete: 'Delete', ArrowUp: 'ArrowUp', ArrowDown: 'ArrowDown', ArrowLeft: 'ArrowLeft', ArrowRight: 'ArrowRight',
  Home: 'Home', End: 'End', PageUp: 'PageUp', PageDown: 'PageDown', Insert: 'Insert' };
function codeOf(e) {
  if (e.code) return e.code;
  if (KEY_TO_CODE[e.key]) return KEY_TO_CODE[e.key];
  if (/^[a-zA-Z]$/.test(e.key)) return 'Key' + e.key.toUpperCase();
  if (/^[0-9]$/.test(e.key)) return 'Digit' + e.key;
  return '';
}

document.addEventListener('keydown', (e) => {
  const code = codeOf(e);
  if (!captureKeys() || !code) return;
  e.preventDefault();
  if (e.repeat && heldKeys.has(code)) return; // the guest repeats held keys itself
  heldKeys.add(code);
  send({ t: 'key', code, down: true });
}, true);

document.addEventListener('keyup', (e) => {
  const code = codeOf(e);
  if (!code || !heldKeys.has(code)) return;
  e.preventDefault();
  heldKeys.delete(code);
  send({ t: 'key', code, down: false });
}, true);

function releaseAllLocal() {
  for (const code of heldKeys) send({ t: 'key', code, down: false });
  heldKeys.clear();
  if (buttonsDown) {
    for (const [bit, name] of BUTTONS) if (buttonsDown & bit) send({ t: 'button', button: name, down: false });
    buttonsDown = 0;
  }
  send({ t: 'releaseAll' });
}
window.addEventListener('blur', releaseAllLocal);
document.addEventListener('visibilitychange', () => { if (document.hidden) releaseAllLocal(); });

ui.btnCad.addEventListener('click', () => {
  for (const c of ['ControlLeft', 'AltLeft', 'Delete']) send({ t: 'key', code: c, down: true });
  for (const c of ['Delete', 'AltLeft', 'ControlLeft']) send({ t: 'key', code: c, down: false });
  ui.screen.focus();
});

// ---- mouse and touch (pointer events) ----
const BUTTONS = [[1, 'left'], [4, 'middle'], [2, 'right'], [8, 'side'], [16, 'extra']];
let buttonsDown = 0;
let pendingAbs = null;
let pendingRel = [0, 0];
let frameQueued = false;

function toConsole(e) {
  const r = ui.screen.getBoundingClientRect();
  const w = state.width || 1;
  const h = state.height || 1;
  return [Math.round(((e.clientX - r.left) / r.width) * w), Math.round(((e.clientY - r.top) / r.height) * h)];
}

function flushMotion() {
  frameQueued = false;
  if (pendingAbs) { send({ t: 'move', x: pendingAbs[0], y: pendingAbs[1] }); pendingAbs = null; }
  if (pendingRel[0] || pendingRel[1]) { send({ t: 'rel', dx: pendingRel[0], dy: pendingRel[1] }); pendingRel = [0, 0]; }
}
function queueMotion() {
  if (!frameQueued) { frameQueued = true; requestAnimationFrame(flushMotion); }
}

function syncButtons(buttons) {
  const changed = buttons ^ buttonsDown;
  if (!changed) return;
  flushMotion();
  for (const [bit, name] of BUTTONS) {
    if (changed & bit) send({ t: 'button', button: name, down: Boolean(buttons & bit) });
  }
  buttonsDown = buttons;
}

function mouseEvent(e) {
  if (state.viewOnly) return;
  const locked = document.pointerLockElement === ui.screen;
  if (state.absolute) {
    pendingAbs = toConsole(e);
    queueMotion();
  } else if (locked && (e.movementX || e.movementY)) {
    pendingRel[0] += e.movementX;
    pendingRel[1] += e.movementY;
    queueMotion();
  }
  if (state.absolute || locked) syncButtons(e.buttons);
}

const touches = new Map();
function touchEvent(e, kind) {
  if (state.viewOnly) return;
  let slot = touches.get(e.pointerId);
  if (kind === 'begin') {
    const used = new Set(touches.values());
    slot = 0;
    while (used.has(slot)) slot++;
    if (slot >= 10) return;
    touches.set(e.pointerId, slot);
  }
  if (slot === undefined) return;
  const [x, y] = toConsole(e);
  send({ t: 'touch', kind, slot, x, y });
  if (kind === 'end' || kind === 'cancel') touches.delete(e.pointerId);
}

ui.screen.addEventListener('pointerdown', (e) => {
  ui.screen.focus();
  e.preventDefault();
  if (e.pointerType === 'touch') { touchEvent(e, 'begin'); return; }
  if (!state.absolute && !state.viewOnly && document.pointerLockElement !== ui.screen) {
    ui.screen.requestPointerLock();
    return;
  }
  if (document.pointerLockElement !== ui.screen) {
    try { ui.screen.setPointerCapture(e.pointerId); } catch (err) { /* not while locked */ }
  }
  mouseEvent(e);
});
ui.screen.addEventListener('pointermove', (e) => {
  if (e.pointerType === 'touch') { touchEvent(e, 'update'); return; }
  mouseEvent(e);
});
ui.screen.addEventListener('pointerup', (e) => {
  if (e.pointerType === 'touch') { touchEvent(e, 'end'); return; }
  mouseEvent(e);
});
ui.screen.addEventListener('pointercancel', (e) => { if (e.pointerType === 'touch') touchEvent(e, 'cancel'); });
ui.screen.addEventListener('contextmenu', (e) => e.preventDefault());
document.addEventListener('pointerlockchange', () => {
  ui.screen.classList.toggle('captured', document.pointerLockElement === ui.screen);
  if (document.pointerLockElement !== ui.screen) syncButtons(0);
  updateCursorStyle();
});
// with the pointer locked, events go to the locked element's document
document.addEventListener('pointermove', (e) => { if (document.pointerLockElement === ui.screen && e.target !== ui.screen) mouseEvent(e); });

let wheelAcc = 0;
ui.screen.addEventListener('wheel', (e) => {
  e.preventDefault();
  if (state.viewOnly) return;
  const px = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
  wheelAcc += px;
  const notches = Math.trunc(wheelAcc / 100);
  if (notches) {
    wheelAcc -= notches * 100;
    flushMotion();
    send({ t: 'wheel', dy: Math.max(-10, Math.min(10, notches)) });
  }
}, { passive: false });

// ---- toolbar ----
function toggle(btn, on) { btn.setAttribute('aria-pressed', String(on)); }
toggle(ui.btnResize, autoResize);
toggle(ui.btnStats, showStats);
ui.btnResize.addEventListener('click', () => {
  autoResize = !autoResize;
  localStorage.setItem('qemu-auto-resize', autoResize ? 'on' : 'off');
  toggle(ui.btnResize, autoResize);
  if (autoResize) sendResize(true);
  ui.screen.focus();
});
ui.btnStats.addEventListener('click', () => {
  showStats = !showStats;
  localStorage.setItem('qemu-stats', showStats ? 'on' : 'off');
  toggle(ui.btnStats, showStats);
  ui.stats.textContent = '';
  ui.screen.focus();
});
ui.btnFull.addEventListener('click', async () => {
  if (document.fullscreenElement) { await document.exitFullscreen(); return; }
  await document.documentElement.requestFullscreen().catch(() => {});
  // in fullscreen, keyboard lock lets the guest have Escape, Alt+Tab...
  if (navigator.keyboard && navigator.keyboard.lock) navigator.keyboard.lock().catch(() => {});
  ui.screen.focus();
});
document.addEventListener('fullscreenchange', () => {
  const fs = Boolean(document.fullscreenElement);
  document.body.classList.toggle('fullscreen', fs);
  ui.btnFull.textContent = fs ? 'Exit fullscreen' : 'Fullscreen';
  if (!fs && navigator.keyboard && navigator.keyboard.unlock) navigator.keyboard.unlock();
  layout();
});
document.addEventListener('mousemove', (e) => {
  if (document.fullscreenElement) ui.bar.classList.toggle('peek', e.clientY < 6 || ui.bar.matches(':hover'));
});

// ---- statistics overlay ----
let prev = null;
async function pollStats() {
  const p = pc;
  if (!p || p.connectionState !== 'connected') { if (showStats) ui.stats.textContent = ''; return; }
  const report = await p.getStats();
  let inbound = null;
  let pair = null;
  const codecs = new Map();
  report.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') inbound = s;
    else if (s.type === 'candidate-pair' && (s.nominated || s.selected) && s.state === 'succeeded') pair = s;
    else if (s.type === 'codec') codecs.set(s.id, s);
  });
  if (!inbound) return;
  const now = inbound.timestamp;
  const st = state.stats;
  if (prev && now > prev.t) {
    const dt = (now - prev.t) / 1000;
    st.kbps = Math.round(((inbound.bytesReceived - prev.bytes) * 8) / dt / 1000);
    st.fps = Math.round(((inbound.framesDecoded - prev.frames) / dt) * 10) / 10;
  }
  prev = { t: now, bytes: inbound.bytesReceived, frames: inbound.framesDecoded };
  st.decoded = inbound.framesDecoded;
  st.frames = inbound.framesReceived;
  st.codec = codecs.has(inbound.codecId) ? codecs.get(inbound.codecId).mimeType.replace('video/', '') : '';
  st.rttMs = pair && pair.currentRoundTripTime !== undefined ? Math.round(pair.currentRoundTripTime * 1000)
    : state.rtt !== null ? Math.round(state.rtt) : null;
  if (!showStats) return;
  const b = state.bridgeStats;
  ui.stats.textContent = [
    `${st.codec || 'video'} ${inbound.frameWidth || 0}\u00d7${inbound.frameHeight || 0}`,
    `fps      ${st.fps}`,
    `bitrate  ${st.kbps >= 1000 ? (st.kbps / 1000).toFixed(1) + ' Mbit/s' : st.kbps + ' kbit/s'}`,
    `rtt      ${st.rttMs === null ? '-' : st.rttMs + ' ms'}`,
    `path     ${state.path || '-'}`,
    b ? `viewers  ${b.viewers}` : '',
  ].filter(Boolean).join('\n');
}
setInterval(() => { pollStats().catch(() => {}); }, 1000);

ui.screen.focus();
connect();
