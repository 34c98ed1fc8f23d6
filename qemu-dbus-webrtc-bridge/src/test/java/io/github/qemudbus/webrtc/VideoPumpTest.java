package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import io.github.qemudbus.display.frame.Rect;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pump on libwebrtc's real track and libyuv (issue 19): damage goes out without waiting for
 * a tick, an unchanged screen costs no conversion, and frames reuse their buffers. A relay stands
 * in for a viewer (frames flow while anyone watches); the encoders are measured by the bench.
 */
class VideoPumpTest {
    private static HeadlessAudioDeviceModule adm;
    private static PeerConnectionFactory factory;

    @BeforeAll
    static void factory() {
        adm = new HeadlessAudioDeviceModule();
        factory = new PeerConnectionFactory(adm);
    }

    @AfterAll
    static void dispose() {
        factory.dispose();
        adm.dispose();
    }

    private record Rig(SyntheticConsole console, ConsoleStats stats, VideoPump pump) implements AutoCloseable {
        static Rig start(int w, int h, int maxFps, long refreshMs) {
            SyntheticConsole c = new SyntheticConsole(0, w, h, 0x204060);
            ConsoleStats stats = new ConsoleStats(System.nanoTime());
            Audience audience = new Audience();
            ConsoleState state = new ConsoleState(c, audience);
            VideoPump pump = new VideoPump(c, state, audience, stats, factory, maxFps, refreshMs);
            Consumer<byte[]> relay = m -> { };
            audience.addRelay(relay);
            c.start(List.of(pump), a -> { });
            pump.start();
            return new Rig(c, stats, pump);
        }

        @Override
        public void close() {
            pump.close();
            pump.disposeNative();
        }
    }

    private static long awaitAbove(LongSupplier counter, long value, long timeoutMs) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (counter.getAsLong() <= value) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("counter stayed at " + counter.getAsLong() + " for " + timeoutMs + " ms");
            }
            Thread.sleep(1);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @Test
    void damageGoesOutAtOnceNotOnTheNextTick() throws Exception {
        // 1 frame a second at most: a pump on a fixed interval would hold a change up to 1 s
        try (Rig r = Rig.start(320, 240, 1, 10_000)) {
            awaitAbove(r.stats::framesPushed, 0, 10_000); // the first picture
            r.console.fill(0xff0000);
            long ms = awaitAbove(r.stats::framesPushed, 1, 10_000);
            // generous: a wake-up on a loaded 2-core machine; the old fixed interval took ~1000 ms here
            assertTrue(ms < 600, "a change right after a frame went out after " + ms + " ms");
            // the burst is spent: the next change waits for the rate (1/s)
            long t0 = System.nanoTime();
            r.console.fill(0x00ff00);
            awaitAbove(r.stats::framesPushed, 2, 10_000);
            long paced = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(paced >= 700, "the third frame went after " + paced + " ms, faster than 1 fps");
            double[] wait = r.stats.damageToPushMs(); // the two changes' damage -> pushed: one at once, one paced
            assertEquals(2, wait.length);
            assertTrue(wait[1] >= 500, "p90 " + wait[1] + " ms: the paced change waited for the rate");
        }
    }

    @Test
    void anIdleConsoleConvertsNothing() throws Exception {
        try (Rig r = Rig.start(640, 480, 30, 1000)) {
            awaitAbove(r.stats::framesPushed, 0, 10_000);
            Thread.sleep(300);
            long converted = r.stats.framesPushed();
            long repeats0 = r.stats.framesRepeated();
            Thread.sleep(3000);
            // no copy, no conversion; only the last I420 frame again: every 250 ms for 2 s after the
            // change (the encoder sharpens it), then once a second (keyframe requests get an answer)
            assertEquals(converted, r.stats.framesPushed(), "conversions on an unchanged screen");
            long repeats = r.stats.framesRepeated() - repeats0;
            assertTrue(repeats >= 2 && repeats <= 10, repeats + " repeats in 3 s");
            assertEquals(1, r.pump.i420Allocations(), "a repeat allocates nothing");
        }
    }

    private static long threadAllocatedBytes() throws ReflectiveOperationException {
        // by reflection: the module's test compile does not read jdk.management; tests run on the class path
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes")
                .invoke(bean);
    }

    @Test
    void framesReuseTheirBuffers() throws Exception {
        SyntheticConsole c = new SyntheticConsole(0, 1024, 768, 0x336699);
        ConsoleStats stats = new ConsoleStats(System.nanoTime());
        Audience audience = new Audience();
        VideoPump pump = new VideoPump(c, new ConsoleState(c, audience), audience, stats, factory, 30, 1000);
        try {
            for (int i = 0; i < 10; i++) {
                pump.pushOnce(null, true); // warm-up (JIT, first buffers)
                Thread.sleep(20);
            }
            long alloc0 = pump.i420Allocations();
            int n = 60;
            long total = 0;
            for (int i = 0; i < n; i++) {
                long b = threadAllocatedBytes();
                pump.pushOnce(i % 2 == 0 ? null : new Rect(0, 100, 1024, 16), i % 2 == 0);
                total += threadAllocatedBytes() - b;
                Thread.sleep(20); // 50 fps: older ring entries are past the pool's minimum age
            }
            assertEquals(alloc0, pump.i420Allocations(), "I420 buffers allocated at a steady 50 fps");
            assertTrue(alloc0 <= I420Pool.SIZE, alloc0 + " I420 buffers");
            long perFrame = total / n;
            // a 1024x768 frame is 3 MB (1.2 MB as I420); a few small objects per frame are fine
            assertTrue(perFrame < 16 * 1024, perFrame + " bytes of heap per frame");
            System.out.printf("pump: %d I420 buffers for %d frames, %d bytes of heap per frame%n", alloc0, n + 10, perFrame);
        } finally {
            pump.close();
            pump.disposeNative();
        }
    }
}
