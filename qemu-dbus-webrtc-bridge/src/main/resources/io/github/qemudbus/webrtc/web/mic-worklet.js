// The Mic button's AudioWorklet: the microphone at the context's rate (48 kHz), mono, as
// signed 16-bit little-endian PCM in 10 ms messages (480 samples) to the page, which sends
// them on the "qemu-mic" data channel. Plain script, no imports.
class QemuMic extends AudioWorkletProcessor {
  constructor() {
    super();
    this.buf = new Int16Array(480);
    this.n = 0;
  }

  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (!ch) return true;
    for (let i = 0; i < ch.length; i++) {
      const x = Math.max(-1, Math.min(1, ch[i]));
      this.buf[this.n++] = x < 0 ? x * 0x8000 : x * 0x7fff;
      if (this.n === this.buf.length) {
        this.port.postMessage(this.buf.buffer, [this.buf.buffer]);
        this.buf = new Int16Array(480);
        this.n = 0;
      }
    }
    return true;
  }
}
registerProcessor('qemu-mic', QemuMic);
