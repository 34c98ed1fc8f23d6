package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import io.github.qemudbus.display.frame.Rect;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/** The pump's conversion (copy + libyuv ARGB to I420 + push) on a 1024x768 surface, without viewers. */
class ConversionTest {
    @Test
    void convertsAndPushesFrames() {
        HeadlessAudioDeviceModule adm = new HeadlessAudioDeviceModule();
        PeerConnectionFactory f = new PeerConnectionFactory(adm);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        SyntheticConsole c = new SyntheticConsole(0, 1024, 768, 0x336699);
        ConsoleStats stats = new ConsoleStats(System.nanoTime());
        Audience audience = new Audience();
        ConsoleState state = new ConsoleState(c, audience);
        VideoPump s = new VideoPump(c, state, audience, stats, f, 30, 1000);
        try {
            for (int i = 0; i < 20; i++) {
                s.pushOnce(null, true); // warm-up
            }
            int n = 100;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                s.pushOnce(null, true);
            }
            double full = (System.nanoTime() - t0) / 1e6 / n;
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                s.pushOnce(new Rect(0, 100, 1024, 16), false);
            }
            double partial = (System.nanoTime() - t0) / 1e6 / n;
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                c.acquire().get().close();
            }
            System.out.printf("synthetic acquire alone %.2f ms%n", (System.nanoTime() - t0) / 1e6 / n);
            System.out.printf("1024x768: full frame %.2f ms, 16-row damage %.2f ms (including the synthetic source's own copy)%n",
                    full, partial);
            assertEquals(1024, state.width());
            assertEquals(220, stats.framesPushed());
            // the times above are figures; the bench measures conversion and encoding (`encode`, JMH)
        } finally {
            s.close();
            s.disposeNative();
            timer.shutdownNow();
            f.dispose();
            adm.dispose();
        }
    }
}
