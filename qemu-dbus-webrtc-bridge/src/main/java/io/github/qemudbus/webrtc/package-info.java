/** Package io.github.qemudbus.webrtc. */
package io.github.qemudbus.webrtc;
