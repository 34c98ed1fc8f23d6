/**
 * Serves QEMU consoles to web browsers over WebRTC: {@link io.github.qemudbus.webrtc.WebRtcBridge}.
 *
 * <p>Each console becomes one video track (frames converted to I420 with libyuv, sent when the
 * screen changes plus a periodic refresh), signaled by WHEP; a built-in web client shows it and
 * sends keyboard, mouse and touch input back on a data channel whose versioned JSON format is
 * described in the module's {@code docs/data-channel.md}.
 */
package io.github.qemudbus.webrtc;
