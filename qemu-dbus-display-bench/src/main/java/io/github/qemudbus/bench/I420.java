package io.github.qemudbus.bench;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.FourCC;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoBufferConverter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Conversion of one XRGB frame to I420 the way the WebRTC bridge's pump does it
 * ({@code ConsoleStream.pushOnce}: copy the frame's rows into a packed direct staging buffer,
 * a fresh {@code NativeI420Buffer} per frame, libyuv {@code convertToI420} with FourCC ARGB,
 * release). The bridge's class is package-private and still changing, so the same three calls
 * are made here directly on webrtc-java 0.14.0.
 */
final class I420 {
    private I420() {
    }

    /** Returns one line: copy and conversion ms per frame at w x h. */
    static String measure(int w, int h, int iterations) {
        HeadlessAudioDeviceModule adm = null;
        PeerConnectionFactory factory = null;
        try {
            adm = new HeadlessAudioDeviceModule();
            factory = new PeerConnectionFactory(adm); // loads the native library the converter needs
            ByteBuffer frame = ByteBuffer.allocateDirect(w * h * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < w * h; i++) {
                frame.putInt(i * 4, (int) Synthetic.splitmix64(i) | 0xff000000);
            }
            ByteBuffer staging = ByteBuffer.allocateDirect(w * h * 4).order(ByteOrder.LITTLE_ENDIAN);
            long copyNs = 0;
            long convNs = 0;
            for (int i = -Math.max(10, iterations / 5); i < iterations; i++) {
                long t0 = System.nanoTime();
                staging.put(0, frame, 0, w * h * 4);
                long t1 = System.nanoTime();
                NativeI420Buffer i420 = NativeI420Buffer.allocate(w, h);
                try {
                    VideoBufferConverter.convertToI420(staging, i420, FourCC.ARGB);
                } finally {
                    i420.release();
                }
                long t2 = System.nanoTime();
                if (i >= 0) {
                    copyNs += t1 - t0;
                    convNs += t2 - t1;
                }
            }
            return String.format(Locale.ROOT, "%.2f ms/frame (row copy %.2f + libyuv ARGB->I420 %.2f, buffer alloc"
                    + " included), %d frames", (copyNs + convNs) / 1e6 / iterations, copyNs / 1e6 / iterations,
                    convNs / 1e6 / iterations, iterations);
        } catch (Throwable e) {
            return "pending: webrtc-java not usable here (" + e + ")";
        } finally {
            if (factory != null) {
                factory.dispose();
            }
            if (adm != null) {
                adm.dispose();
            }
        }
    }
}
