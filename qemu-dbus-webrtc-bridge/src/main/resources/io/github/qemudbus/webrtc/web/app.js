// QEMU console web client: WHEP for the video (and the guest's sound), the "qemu" data
// channel for input and control (format: docs/data-channel.md, version 1, revision 2:
// clipboard, serial consoles, audio). Plain ES module, no build step.

const V = 1;
const $ = (id) => document.getElementById(id);
const ui = {
  bar: $('bar'), title: $('title'), picker: $('picker'), status: $('status'), statusText: $('status-text'),
  badge: $('badge'), stage: $('stage'), screen: $('screen'), video: $('video'), cursor: $('cursor'),
  message: $('message'), stats: $('stats'), btnCad: $('btn-cad'), btnResize: $('btn-resize'),
  btnStats: $('btn-stats'), btnFull: $('btn-full'), dialog: $('token-dialog'), tokenForm: $('token-form'),
  tokenInput: $('token-input'), tokenError: $('token-error'),
  audio: $('audio'), btnSound: $('btn-sound'), btnClip: $('btn-clip'), btnSerial: $('btn-serial'), btnSide: $('btn-side'),
  guestClip: $('guest-clip'), guestClipText: $('guest-clip-text'), btnGuestCopy: $('btn-guest-copy'),
  clipPanel: $('clip-panel'), clipText: $('clip-text'), clipRead: $('clip-read'), clipSend: $('clip-send'),
  clipGuest: $('clip-guest'), clipNote: $('clip-note'), clipCopy: $('clip-copy'),
  term: $('term'), termPort: $('term-port'), termBreak: $('term-break'), termClear: $('term-clear'),
  termWide: $('term-wide'), termOut: $('term-out'), termForm: $('term-form'), termIn: $('term-in'), grid: $('grid'),
  btnKbd: $('btn-kbd'), kbdSink: $('kbd-sink'), btnMic: $('btn-mic'),
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
// embed=1: one console inside the side-by-side view (no toolbar, no sound, clipboard or serial)
const embed = params.get('embed') === '1';
const sideBySide = !embed && params.get('layout') === 'side';
if (embed) document.body.classList.add('embed');

// ---- state, also readable by tests as window.qemuConsole ----
const state = {
  phase: 'init', consoles: [], hello: null, width: 0, height: 0, absolute: false, path: '', viewOnly: false,
  session: null, location: null, lastError: null, bridgeStats: null, rtt: null, errors: [], reconnects: 0,
  stats: { fps: 0, kbps: 0, rttMs: null, codec: '', frames: 0, decoded: 0 },
  features: [], serialPorts: [], guestClipboard: null, audioTrack: false, soundOn: false, clipboardSent: 0,
  vm: 'running', vmStops: 0, noCpuFrames: null,
  // milliseconds since the page's navigation began, first connection only: offer made, offer
  // sent, answer applied, ICE connected, the bridge's hello, first picture shown
  timings: { offerMs: 0, postMs: 0, answerMs: 0, connectedMs: 0, helloMs: 0, firstPictureMs: 0 },
};
function mark(step) {
  if (!state.timings[step]) state.timings[step] = Math.round(performance.now());
}
ui.video.addEventListener('loadeddata', () => {
  mark('firstPictureMs');
});
const VM_STOPPED = 'VM stopped \u2013 waiting for it to come back';
window.qemuConsole = state;
window.qemuPeer = () => pc; // for diagnostics and tests (getStats)

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
  // while the console has no CPU frames (QEMU gl=on), its reason stays in place of an empty picture
  ui.message.textContent = text || state.noCpuFrames || '';
  ui.message.classList.toggle('no-cpu-frames', !text && Boolean(state.noCpuFrames));
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
    if (r.status === 429) { // too many failed tokens from here: wait as told, then ask again
      const wait = Math.min(120, Number(r.headers.get('Retry-After')) || 5);
      setStatus('error', 'Too many attempts');
      showMessage('Too many attempts: try again in ' + wait + ' s');
      await new Promise((res) => setTimeout(res, wait * 1000));
      continue;
    }
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
    state.stunPort = j.stunPort || 0;
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
  ui.btnSide.classList.toggle('hidden', state.consoles.length < 2 || embed);
}

ui.picker.addEventListener('change', () => {
  consoleId = Number(ui.picker.value);
  params.set('console', String(consoleId));
  history.replaceState(null, '', location.pathname + '?' + params + location.hash);
  ui.screen.focus();
  reconnect(0);
});

// ---- WHEP ----
// Resolves when the offer is worth sending: ICE gathering complete, or shortly after the first
// candidate the bridge can use (an address, not an mDNS name it cannot resolve: the
// server-reflexive one from the bridge's STUN server comes within milliseconds, while
// Chromium may take seconds to finish with its mDNS-named host candidates), or after ms.
function waitIceGathering(p, ms) {
  if (p.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    const done = () => { clearTimeout(t); resolve(); };
    p.addEventListener('icegatheringstatechange', () => { if (p.iceGatheringState === 'complete') done(); });
    p.addEventListener('icecandidate', (e) => {
      const c = e.candidate;
      if (c && c.address && !c.address.endsWith('.local')) setTimeout(done, 50);
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
    if (!state.consoles.length) {
      // the VM is away and the bridge has no console yet: wait for it, without growing the delay
      state.vm = 'stopped';
      setStatus('connecting', 'VM stopped');
      showMessage(VM_STOPPED);
      reconnect(2000);
      return;
    }
    if (consoleId === null || !state.consoles.some((c) => c.id === consoleId)) consoleId = state.consoles[0].id;
    buildPicker();
    const info = state.consoles.find((c) => c.id === consoleId);
    if (info && info.width) setConsoleSize(info.width, info.height);
    ui.title.textContent = info ? info.label : 'QEMU';
    document.title = (info ? info.label + ' \u2013 ' : '') + 'QEMU console';

    // the bridge's own STUN server, on the host this page came from: a page without media
    // permission hides its addresses behind mDNS names, which the bridge cannot resolve and
    // which never come where no interface does multicast (loopback only); the server-reflexive
    // candidate it gets from the bridge is not hidden (see StunResponder in the bridge)
    const iceServers = state.stunPort ? [{ urls: 'stun:' + location.hostname + ':' + state.stunPort }] : [];
    const p = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceServers });
    pc = p;
    const tr = p.addTransceiver('video', { direction: 'recvonly' });
    preferCodec(tr);
    // the guest's sound, when the bridge has it (an audio m-line the bridge may leave inactive)
    if (!embed) p.addTransceiver('audio', { direction: 'recvonly' });
    const channel = p.createDataChannel('qemu', { ordered: true });
    dc = channel;
    setupChannel(channel, gen);
    p.ontrack = (ev) => {
      if (ev.track.kind === 'audio') { attachAudio(ev.track); return; }
      const stream = ev.streams && ev.streams[0] ? ev.streams[0] : new MediaStream([ev.track]);
      ui.video.srcObject = stream;
      ui.video.play().catch(() => {});
    };
    p.onconnectionstatechange = () => {
      if (gen !== generation) return;
      const s = p.connectionState;
      if (s === 'connected') {
        mark('connectedMs');
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
    mark('offerMs');
    await waitIceGathering(p, 3000);
    mark('postMs');
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
    mark('answerMs');
  } catch (e) {
    if (gen !== generation) return;
    state.lastError = String(e.message || e);
    lost(state.lastError);
  }
}

function lost(why) {
  state.consoles = []; // fetched again: the VM may have come back with other consoles
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
  setMic(false);
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
        mark('helloMs');
        state.hello = m;
        state.session = m.session;
        state.viewOnly = m.viewOnly;
        applyState(m);
        ui.badge.classList.toggle('hidden', !m.viewOnly);
        ui.btnCad.classList.toggle('hidden', m.viewOnly);
        ui.btnResize.classList.toggle('hidden', m.viewOnly);
        if (autoResize) sendResize(true);
        applyFeatures(m);
        break;
      case 'clipboard': guestClipboard(m); break;
      case 'serial': serialOutput(m); break;
      case 'state': applyState(m); break;
      case 'features': applyFeatures(m); break;
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

// the VM's QEMU went away (killed, shut down, restarting) or came back: the session stays open
function applyVm(m) {
  const vm = m.vm === 'stopped' ? 'stopped' : 'running';
  if (vm === state.vm) return;
  state.vm = vm;
  ui.stage.classList.toggle('vm-stopped', vm === 'stopped');
  if (vm === 'stopped') {
    state.vmStops++;
    releaseAllLocal();
    ui.status.dataset.state = 'stopped';
    ui.statusText.textContent = 'VM stopped';
  } else {
    ui.status.dataset.state = state.phase;
    ui.statusText.textContent = state.phase === 'connected' ? 'Connected' : ui.statusText.textContent;
    // the VM may have come back with other heads: refresh the picker
    fetch('api/consoles', { headers: authHeaders(), cache: 'no-store' }).then((r) => (r.ok ? r.json() : null))
      .then((j) => { if (j) { state.consoles = j.consoles; buildPicker(); } }).catch(() => {});
  }
}

function applyState(m) {
  applyVm(m);
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
  state.noCpuFrames = m.noCpuFrames || null;
  if (state.vm === 'stopped') showMessage(VM_STOPPED);
  else if (m.disabled) showMessage('The guest turned the display off');
  else if (state.noCpuFrames) showMessage('');
  else if (state.phase === 'connected') showMessage(ui.video.readyState >= 2 ? '' : 'Waiting for the picture\u2026');
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
    if (send({ t: 'resize', width: w, height: h })) state.resizeSent = { width: w, height: h };
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
  return !ui.dialog.open && (a === ui.screen || a === document.body || a === null || a === ui.kbdSink);
}

// Keys: a physical key sends its code (KeyboardEvent.code) and the guest's layout decides the
// character. Input whose code does not carry the character is typed as the characters meant
// ("text" messages, rev 3: the bridge types them as a US keyboard would, so the guest needs a
// US layout for them): a printable key with no code or 'Unidentified' (on-screen keyboards,
// synthetic events), or whose character is the other shift state of its key on a US layout
// (a synthetic '|' with code Backslash and no Shift); IME commits, dictation and paste reach
// the hidden text field behind the Keyboard button and are typed the same way. Named keys
// without a code (Enter, arrows...) map to their code.
const KEY_TO_CODE = { Enter: 'Enter', Tab: 'Tab', Backspace: 'Backspace', Escape: 'Escape', ' ': 'Space',
  Delete: 'Delete', ArrowUp: 'ArrowUp', ArrowDown: 'ArrowDown', ArrowLeft: 'ArrowLeft', ArrowRight: 'ArrowRight',
  Home: 'Home', End: 'End', PageUp: 'PageUp', PageDown: 'PageDown', Insert: 'Insert' };
// what each key types on a US layout: [unshifted, shifted]
const US_KEYS = { Backquote: '`~', Digit1: '1!', Digit2: '2@', Digit3: '3#', Digit4: '4$', Digit5: '5%', Digit6: '6^',
  Digit7: '7&', Digit8: '8*', Digit9: '9(', Digit0: '0)', Minus: '-_', Equal: '=+', BracketLeft: '[{',
  BracketRight: ']}', Backslash: '\\|', Semicolon: ';:', Quote: '\'"', Comma: ',<', Period: '.>', Slash: '/?', Space: '  ' };
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') US_KEYS['Key' + c] = c.toLowerCase() + c;
function codeOf(e) {
  if (e.code && e.code !== 'Unidentified') return e.code;
  return KEY_TO_CODE[e.key] || '';
}
function canType() {
  return Boolean(state.hello && state.hello.rev >= 3);
}
// The characters to type instead of the key's code, or null to send the code.
function textOf(e) {
  if (!canType() || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return null;
  const k = e.key;
  if (typeof k !== 'string' || [...k].length !== 1 || k < ' ') return null; // a named key
  if (!e.code || e.code === 'Unidentified') return k;
  const us = US_KEYS[e.code];
  if (!us || (k !== us[0] && k !== us[1])) return null; // another layout's key: its code, the guest's layout
  if (/^[a-z]$/i.test(k)) {
    // letters: Shift or Caps Lock (not both) give upper case; a case they do not give is meant
    const upper = e.shiftKey !== Boolean(e.getModifierState && e.getModifierState('CapsLock'));
    return (k === k.toUpperCase()) === upper ? null : k;
  }
  return (k === us[1] && k !== us[0]) === e.shiftKey ? null : k; // the shift state does not give this character
}
function typeText(text) {
  // one message per 64 characters (the bridge's limit); '\r\n' and '\r' are Enter
  const chars = [...text.replace(/\r\n?/g, '\n')];
  for (let i = 0; i < chars.length; i += 64) send({ t: 'text', text: chars.slice(i, i + 64).join('') });
}

document.addEventListener('keydown', (e) => {
  if (!captureKeys()) return;
  if (e.key === 'Process' || e.key === 'Unidentified' || e.keyCode === 229) return; // an IME: its text comes as input
  const text = textOf(e);
  if (text !== null) {
    e.preventDefault();
    typeText(text);
    return;
  }
  const code = codeOf(e);
  if (!code) return;
  if (code === 'KeyV' && (e.ctrlKey || e.metaKey) && !e.repeat && hasFeature('clipboard')) {
    // let the browser paste: its text goes to the guest's clipboard before the V does
    holdPasteKey();
    return;
  }
  e.preventDefault();
  if (e.repeat && heldKeys.has(code)) return; // the guest repeats held keys itself
  heldKeys.add(code);
  send({ t: 'key', code, down: true });
}, true);

document.addEventListener('keyup', (e) => {
  const code = codeOf(e);
  if (code === 'KeyV' && pasteKeyTimer) flushPasteKey();
  if (!code || !heldKeys.has(code)) return;
  e.preventDefault();
  heldKeys.delete(code);
  send({ t: 'key', code, down: false });
}, true);

// The Keyboard button (touch screens): focuses a hidden text field, which brings up the
// on-screen keyboard; what it (or an IME, dictation, a paste) puts there is typed.
ui.kbdSink.addEventListener('beforeinput', (e) => {
  if (!canType()) return;
  const t = e.inputType;
  if (t === 'insertText' || t === 'insertFromPaste' || t === 'insertFromDrop' || t === 'insertReplacementText'
      || t === 'insertFromComposition') {
    const text = e.data || (e.dataTransfer && e.dataTransfer.getData('text/plain')) || '';
    if (text) typeText(text);
  } else if (t === 'insertLineBreak' || t === 'insertParagraph') {
    typeText('\n');
  } else if (t === 'deleteContentBackward') {
    send({ t: 'key', code: 'Backspace', down: true });
    send({ t: 'key', code: 'Backspace', down: false });
  } else if (t === 'insertCompositionText') {
    return; // the IME is still composing: its commit comes as compositionend
  }
  e.preventDefault();
});
ui.kbdSink.addEventListener('compositionend', (e) => {
  composing = false;
  if (canType() && e.data) typeText(e.data);
  ui.kbdSink.value = '';
});
let composing = false;
ui.kbdSink.addEventListener('compositionstart', () => { composing = true; });
ui.kbdSink.addEventListener('input', () => { if (!composing) ui.kbdSink.value = ''; });
ui.btnKbd.addEventListener('click', () => {
  const open = document.activeElement !== ui.kbdSink;
  toggle(ui.btnKbd, open);
  if (open) ui.kbdSink.focus(); else ui.screen.focus();
});
ui.kbdSink.addEventListener('blur', () => toggle(ui.btnKbd, false));
if (matchMedia('(pointer: coarse)').matches || navigator.maxTouchPoints > 0) ui.btnKbd.classList.remove('hidden');

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
    // what the bridge's encoder did, and what libwebrtc says limits it (cpu, bandwidth)
    b && b.encoder ? `encoder  ${b.encoder.fps} fps, ${b.encoder.encodeMs} ms/frame` : '',
    b && b.encoder && b.encoder.limitation !== 'none' ? `limited  by ${b.encoder.limitation}` : '',
    b && b.adapt ? `adapted  ${b.adapt}` : '', // the bridge lowered rate/size: its encoders could not keep up
    b ? `viewers  ${b.viewers}` : '',
  ].filter(Boolean).join('\n');
}
setInterval(() => { pollStats().catch(() => {}); }, 1000);

// ==== revision 2: sound, clipboard, serial consoles, side by side ====
function hasFeature(f) {
  return !embed && state.features.includes(f);
}

function applyFeatures(m) {
  state.features = Array.isArray(m.features) ? m.features : [];
  state.serialPorts = Array.isArray(m.serial) ? m.serial : [];
  ui.btnSound.classList.toggle('hidden', !hasFeature('audio'));
  ui.btnClip.classList.toggle('hidden', !hasFeature('clipboard'));
  ui.btnMic.classList.toggle('hidden', !hasFeature('mic'));
  if (!hasFeature('mic')) setMic(false);
  if (!hasFeature('clipboard')) {
    showClipPanel(false);
    ui.guestClip.classList.add('hidden');
  }
  const serial = hasFeature('serial') && state.serialPorts.length > 0;
  ui.btnSerial.classList.toggle('hidden', !serial);
  setupTerminals(); // the bridge sends each port's scrollback right after the hello
  const wantTerm = params.get('view') === 'serial' || localStorage.getItem('qemu-serial') === 'open';
  showTerminal(serial && (wantTerm || !ui.term.classList.contains('hidden')), false);
  if (serial && params.get('view') === 'serial') setWide(true);
}

// ---- sound: the page starts muted (autoplay policy); the button, or the first gesture
// of a viewer who had it on before, turns it on ----
let soundWanted = localStorage.getItem('qemu-sound') === 'on';
function attachAudio(track) {
  state.audioTrack = true;
  ui.audio.srcObject = new MediaStream([track]);
  ui.audio.muted = !state.soundOn;
  ui.audio.play().catch(() => {});
}
// ---- microphone (feature "mic"): permission asked only when the Mic button is pressed; 48 kHz
// mono s16le PCM from an AudioWorklet, 10 ms per message, on the "qemu-mic" data channel ----
const mic = { stream: null, ctx: null, channel: null, sent: 0, starting: false };
state.mic = mic;
async function setMic(on) {
  if (!on) {
    if (mic.stream) mic.stream.getTracks().forEach((t) => t.stop());
    if (mic.ctx) mic.ctx.close().catch(() => {});
    if (mic.channel) { try { mic.channel.close(); } catch (e) { /* closed */ } }
    mic.stream = mic.ctx = mic.channel = null;
    toggle(ui.btnMic, false);
    return;
  }
  if (mic.stream || mic.starting || !pc) return;
  mic.starting = true;
  try {
    mic.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false,
      noiseSuppression: false, autoGainControl: false } });
    mic.ctx = new AudioContext({ sampleRate: 48000 });
    await mic.ctx.audioWorklet.addModule('mic-worklet.js');
    const node = new AudioWorkletNode(mic.ctx, 'qemu-mic');
    mic.channel = pc.createDataChannel('qemu-mic', { ordered: true });
    mic.channel.binaryType = 'arraybuffer';
    node.port.onmessage = (e) => {
      if (mic.channel && mic.channel.readyState === 'open' && mic.channel.bufferedAmount < 96000) {
        mic.channel.send(e.data);
        mic.sent += e.data.byteLength / 2;
      }
    };
    mic.ctx.createMediaStreamSource(mic.stream).connect(node);
    toggle(ui.btnMic, true);
  } catch (e) {
    state.lastError = 'microphone: ' + (e.message || e);
    showMessage('Microphone unavailable: ' + (e.message || e));
    setTimeout(() => { if (state.phase === 'connected') showMessage(''); }, 4000);
    mic.starting = false;
    setMic(false);
    return;
  }
  mic.starting = false;
}
ui.btnMic.addEventListener('click', () => setMic(ui.btnMic.getAttribute('aria-pressed') !== 'true'));

function setSound(on) {
  state.soundOn = on;
  ui.audio.muted = !on;
  if (on) ui.audio.play().catch((e) => console.warn('audio', e));
  ui.btnSound.textContent = on ? 'Sound on' : 'Sound off';
  toggle(ui.btnSound, on);
}
ui.btnSound.addEventListener('click', () => {
  soundWanted = !state.soundOn;
  localStorage.setItem('qemu-sound', soundWanted ? 'on' : 'off');
  setSound(soundWanted);
  ui.screen.focus();
});
function firstGesture(e) {
  if (e.target === ui.btnSound) return; // that click decides by itself
  if (soundWanted && !state.soundOn && hasFeature('audio')) setSound(true);
}
document.addEventListener('pointerdown', firstGesture, true);
document.addEventListener('keydown', firstGesture, true);

// ---- clipboard ----
const CLIP_CHUNK = 600; // characters per message: at most ~2.4 KB of JSON, under maxMessageBytes
const CLIP_MAX = 1 << 20;
function sendClipboard(text) {
  if (!hasFeature('clipboard') || state.viewOnly) return false;
  if (new TextEncoder().encode(text).length > CLIP_MAX) {
    noteClip('Too long for the guest clipboard (1 MiB at most)');
    return false;
  }
  let i = 0;
  do {
    let end = Math.min(text.length, i + CLIP_CHUNK);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--; // keep surrogate pairs together
    if (!send({ t: 'clipboard', text: text.slice(i, end), more: end < text.length })) return false;
    i = end;
  } while (i < text.length);
  state.clipboardSent++;
  noteClip(`Sent ${text.length} characters to the guest`);
  return true;
}

function noteClip(text) {
  ui.clipNote.textContent = text;
  state.clipNote = text;
}

// Ctrl+V on the screen: the V waits (at most 250 ms) for the browser's paste event, so that
// the text reaches the guest's clipboard before the guest sees the keys
let pasteKeyTimer = null;
function holdPasteKey() {
  clearTimeout(pasteKeyTimer);
  pasteKeyTimer = setTimeout(flushPasteKey, 250);
}
function flushPasteKey() {
  clearTimeout(pasteKeyTimer);
  pasteKeyTimer = null;
  heldKeys.add('KeyV');
  send({ t: 'key', code: 'KeyV', down: true });
}
document.addEventListener('paste', (e) => {
  if (!captureKeys()) return; // a text field has the focus: the browser pastes there
  e.preventDefault();
  const text = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
  if (text) sendClipboard(text);
  if (pasteKeyTimer) flushPasteKey();
});

function guestClipboard(m) {
  if (typeof m.text !== 'string' || !hasFeature('clipboard')) return;
  state.guestClipboard = m.text;
  ui.clipGuest.value = m.text;
  const one = m.text.replace(/\s+/g, ' ').trim();
  ui.guestClipText.textContent = one.length > 48 ? one.slice(0, 48) + '\u2026' : one;
  ui.guestClip.title = "The guest's clipboard" + (m.truncated ? ' (cut to 64 KiB)' : '');
  ui.guestClip.classList.remove('hidden');
  ui.guestClip.classList.add('fresh');
  setTimeout(() => ui.guestClip.classList.remove('fresh'), 3000);
}

async function copyGuest() {
  const text = state.guestClipboard || '';
  try {
    await navigator.clipboard.writeText(text);
    noteClip('Copied to this computer');
  } catch (e) {
    // no permission, or not a secure context: the old way, from the selected text
    showClipPanel(true);
    ui.clipGuest.focus();
    ui.clipGuest.select();
    const ok = document.execCommand && document.execCommand('copy');
    noteClip(ok ? 'Copied to this computer' : 'The browser refused: select the text and copy it');
  }
  state.copied = (state.copied || 0) + 1;
}
ui.btnGuestCopy.addEventListener('click', async () => {
  await copyGuest();
  ui.guestClip.classList.add('hidden');
  ui.screen.focus();
});
$('btn-guest-dismiss').addEventListener('click', () => { ui.guestClip.classList.add('hidden'); ui.screen.focus(); });
ui.clipCopy.addEventListener('click', copyGuest);

function showClipPanel(on) {
  ui.clipPanel.classList.toggle('hidden', !on);
  toggle(ui.btnClip, on);
  if (on) ui.clipText.focus();
}
ui.btnClip.addEventListener('click', () => {
  const on = ui.clipPanel.classList.contains('hidden');
  showClipPanel(on);
  if (!on) ui.screen.focus();
});
ui.clipPanel.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') { showClipPanel(false); ui.screen.focus(); }
});
ui.clipSend.addEventListener('click', () => {
  if (ui.clipText.value) sendClipboard(ui.clipText.value);
});
ui.clipRead.addEventListener('click', async () => {
  try {
    const text = await navigator.clipboard.readText();
    ui.clipText.value = text;
    if (text) sendClipboard(text);
    else noteClip('The browser clipboard has no text');
  } catch (e) {
    noteClip('The browser did not let the page read its clipboard: paste into the box (Ctrl+V), then Send');
    ui.clipText.focus();
  }
});

// ---- serial consoles: a small terminal (text, CR/LF, backspace, tabs, erase-line and
// cursor-column escapes; colours and the rest are dropped) ----
const MAX_TERM_LINES = 5000;
const terms = new Map();
let termPort = null;

function newTerm() {
  return { lines: [], line: [], col: 0, mode: 0, csi: '', dec: new TextDecoder('utf-8') };
}

function portInfo() {
  return state.serialPorts.find((p) => p.port === termPort);
}

function setupTerminals() {
  terms.clear();
  ui.termPort.textContent = '';
  for (const p of state.serialPorts) {
    terms.set(p.port, newTerm());
    const o = document.createElement('option');
    o.value = p.port;
    o.textContent = p.label || p.port;
    ui.termPort.append(o);
  }
  if (!terms.has(termPort)) termPort = state.serialPorts.length ? state.serialPorts[0].port : null;
  ui.termPort.value = termPort || '';
  ui.termPort.classList.toggle('hidden', state.serialPorts.length < 2);
  const info = portInfo();
  const writable = Boolean(info && info.writable);
  ui.termIn.disabled = !writable;
  ui.termBreak.disabled = !writable;
  ui.termIn.placeholder = writable ? 'Command line (Enter sends it; click the text above to type raw keys)'
    : 'View only: you can read this console but not type';
  drawTerm();
}

function termFeed(t, text) {
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (t.mode === 1) { // after ESC
      if (ch === '[') { t.mode = 2; t.csi = ''; } else t.mode = ch === ']' ? 3 : 0;
      continue;
    }
    if (t.mode === 2) { // CSI parameters, up to the final byte
      if (c >= 0x40 && c <= 0x7e) { t.mode = 0; termCsi(t, t.csi, ch); } else if (t.csi.length < 32) t.csi += ch; else t.mode = 0;
      continue;
    }
    if (t.mode === 3) { // OSC, up to BEL or ESC
      if (c === 7) t.mode = 0; else if (c === 27) t.mode = 1;
      continue;
    }
    if (c === 27) t.mode = 1;
    else if (c === 10) {
      t.lines.push(t.line.join(''));
      t.line = [];
      t.col = 0;
      if (t.lines.length > MAX_TERM_LINES) t.lines.splice(0, t.lines.length - MAX_TERM_LINES);
    } else if (c === 13) t.col = 0;
    else if (c === 8) t.col = Math.max(0, t.col - 1);
    else if (c === 9) { const n = 8 - (t.col % 8); for (let i = 0; i < n; i++) termPut(t, ' '); }
    else if (c >= 32 && c !== 127) termPut(t, ch);
  }
}

function termPut(t, ch) {
  while (t.line.length < t.col) t.line.push(' ');
  t.line[t.col++] = ch;
}

function termCsi(t, p, f) {
  const n = parseInt(p.replace(/^\?/, ''), 10) || 0;
  if (f === 'K') {
    if (n === 0) t.line.length = Math.min(t.line.length, t.col);
    else if (n === 1) for (let i = 0; i < Math.min(t.col, t.line.length); i++) t.line[i] = ' ';
    else t.line = [];
  } else if (f === 'C') t.col += Math.max(1, n);
  else if (f === 'D') t.col = Math.max(0, t.col - Math.max(1, n));
  else if (f === 'G') t.col = Math.max(0, (n || 1) - 1);
  else if (f === 'J' && n >= 2) { t.lines = []; t.line = []; t.col = 0; }
}

let termTimer = null;
function drawTerm() {
  if (termTimer) return;
  termTimer = setTimeout(() => {
    termTimer = null;
    const t = terms.get(termPort);
    const out = ui.termOut;
    const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 8;
    out.textContent = t ? t.lines.join('\n') + (t.lines.length ? '\n' : '') + t.line.join('') : '';
    if (atBottom) out.scrollTop = out.scrollHeight;
  }, 16);
}

function serialOutput(m) {
  const t = terms.get(m.port);
  if (!t || typeof m.b64 !== 'string') return;
  const bin = atob(m.b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  termFeed(t, t.dec.decode(bytes, { stream: true }));
  if (m.port === termPort) drawTerm();
}

function serialSend(text) {
  const info = portInfo();
  if (!info || !info.writable) return false;
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += 1500) {
    let bin = '';
    for (const b of bytes.subarray(i, i + 1500)) bin += String.fromCharCode(b);
    if (!send({ t: 'serial', port: termPort, b64: btoa(bin) })) return false;
  }
  return true;
}

function showTerminal(on, focus = true) {
  ui.term.classList.toggle('hidden', !on);
  toggle(ui.btnSerial, on);
  if (!on) setWide(false);
  layout();
  if (on) {
    drawTerm();
    if (focus) (ui.termIn.disabled ? ui.termOut : ui.termIn).focus();
  }
}
function setWide(on) {
  document.body.classList.toggle('term-wide', on);
  toggle(ui.termWide, on);
  layout();
}
ui.btnSerial.addEventListener('click', () => {
  const on = ui.term.classList.contains('hidden');
  localStorage.setItem('qemu-serial', on ? 'open' : 'closed');
  showTerminal(on);
  if (!on) ui.screen.focus();
});
ui.termWide.addEventListener('click', () => setWide(!document.body.classList.contains('term-wide')));
ui.termClear.addEventListener('click', () => {
  const t = terms.get(termPort);
  if (t) { t.lines = []; t.line = []; t.col = 0; }
  drawTerm();
});
ui.termBreak.addEventListener('click', () => { if (termPort) send({ t: 'serialBreak', port: termPort }); });
ui.termPort.addEventListener('change', () => {
  termPort = ui.termPort.value;
  const info = portInfo();
  ui.termIn.disabled = !(info && info.writable);
  drawTerm();
});

const termHistory = [];
let termHistoryPos = 0;
ui.termForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const line = ui.termIn.value;
  if (!serialSend(line + '\r')) return;
  if (line && termHistory[termHistory.length - 1] !== line) termHistory.push(line);
  if (termHistory.length > 200) termHistory.shift();
  termHistoryPos = termHistory.length;
  ui.termIn.value = '';
});
ui.termIn.addEventListener('keydown', (e) => {
  const k = e.key.toLowerCase();
  if (e.ctrlKey && k === 'c' && ui.termIn.selectionStart === ui.termIn.selectionEnd) {
    e.preventDefault();
    serialSend('\x03');
    ui.termIn.value = '';
  } else if (e.ctrlKey && k === 'd' && !ui.termIn.value) {
    e.preventDefault();
    serialSend('\x04');
  } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
    e.preventDefault();
    termHistoryPos = Math.max(0, Math.min(termHistory.length, termHistoryPos + (e.key === 'ArrowUp' ? -1 : 1)));
    ui.termIn.value = termHistory[termHistoryPos] || '';
  }
});

// raw keys when the terminal text has the focus
const RAW_KEYS = { Enter: '\r', Backspace: '\x7f', Tab: '\t', Escape: '\x1b', ArrowUp: '\x1b[A', ArrowDown: '\x1b[B',
  ArrowRight: '\x1b[C', ArrowLeft: '\x1b[D', Home: '\x1b[H', End: '\x1b[F', Delete: '\x1b[3~', PageUp: '\x1b[5~',
  PageDown: '\x1b[6~' };
ui.termOut.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c' && String(window.getSelection())) return; // copy
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'v') return; // the paste event sends it
  let s = null;
  if (RAW_KEYS[e.key]) s = RAW_KEYS[e.key];
  else if (e.ctrlKey && !e.altKey && e.key.length === 1 && /[a-z@[\\\]^_]/i.test(e.key)) {
    s = String.fromCharCode(e.key.toUpperCase().charCodeAt(0) & 0x1f);
  } else if (!e.ctrlKey && !e.metaKey && [...e.key].length === 1) s = (e.altKey ? '\x1b' : '') + e.key;
  if (s === null) return;
  e.preventDefault();
  serialSend(s);
});
ui.termOut.addEventListener('paste', (e) => {
  e.preventDefault();
  e.stopPropagation();
  const text = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
  if (text) serialSend(text.replace(/\r?\n/g, '\r'));
});

// ---- side by side: one embedded client (its own WHEP session) per console ----
async function startSideBySide() {
  document.body.classList.add('side');
  for (const el of [ui.picker, ui.btnCad, ui.btnResize, ui.btnStats, ui.btnFull, ui.status]) el.classList.add('hidden');
  ui.btnSide.textContent = 'Single view';
  ui.btnSide.classList.remove('hidden');
  ui.title.textContent = 'QEMU \u2013 side by side';
  try {
    await loadConsoles();
  } catch (e) {
    ui.title.textContent = 'QEMU \u2013 ' + (e.message || e);
    return;
  }
  ui.grid.textContent = '';
  ui.grid.classList.remove('hidden');
  for (const c of state.consoles) {
    const pane = document.createElement('div');
    pane.className = 'pane';
    const label = document.createElement('div');
    label.className = 'pane-label';
    label.textContent = `${c.id}: ${c.label}` + (c.width ? ` (${c.width}\u00d7${c.height})` : '');
    const f = document.createElement('iframe');
    const q = new URLSearchParams({ console: String(c.id), embed: '1' });
    if (wantedCodec) q.set('codec', wantedCodec);
    f.src = location.pathname + '?' + q;
    f.title = c.label;
    f.allow = 'fullscreen; clipboard-read; clipboard-write; keyboard-map';
    pane.append(label, f);
    ui.grid.append(pane);
  }
  state.phase = 'side';
}
ui.btnSide.addEventListener('click', () => {
  const q = new URLSearchParams(params);
  if (sideBySide) q.delete('layout'); else q.set('layout', 'side');
  location.href = location.pathname + (q.toString() ? '?' + q : '');
});

if (sideBySide) startSideBySide();
else { ui.screen.focus(); connect(); }
