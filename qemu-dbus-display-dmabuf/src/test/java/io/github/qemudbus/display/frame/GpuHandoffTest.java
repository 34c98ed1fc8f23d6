package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.DmabufScanout;
import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.UnixFd;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The GPU hand-off without a peer: bounded descriptors behind a stuck consumer, merged damage, closing. */
class GpuHandoffTest {
    private static final long TILED = 0x0100000000000001L;

    private static void scanout(GpuHandoff h, int i) {
        try (UnixFd fd = TestFds.memfd("handoff-" + i, new byte[0], 4096)) {
            h.scanout(new DmabufScanout(List.of(FrameSourceUnitTest.plane(fd, 0, 64)), 0, 0, 16, 16, 16, 16,
                    PixelFormat.XRGB8888.fourcc(), TILED, true), false);
        }
    }

    @Test
    void aStuckConsumerHoldsABoundedNumberOfDescriptorsAndCloseReleasesThem() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<GpuScanout> got = new CopyOnWriteArrayList<>();
        GpuConsumer stuck = new GpuConsumer() {
            @Override
            public void onScanout(GpuScanout s) {
                got.add(s);
                try {
                    release.await(); // stuck until the test lets go
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onUpdate(GpuUpdate u) {
            }
        };
        int base = UnixFd.openCount();
        GpuHandoff h = new GpuHandoff("handoff-test", stuck, TimeUnit.MILLISECONDS.toNanos(2));
        h.start();
        for (int i = 0; i < 50; i++) {
            scanout(h, i);
        }
        FrameSourceTck.await("the first scanout reached the consumer", java.time.Duration.ofSeconds(5),
                () -> got.size() == 1);
        // one in the consumer's hands, at most MAX_WAITING_SCANOUTS waiting; the other 45 closed unseen
        assertTrue(UnixFd.openCount() - base <= 1 + GpuHandoff.MAX_WAITING_SCANOUTS,
                "descriptors held: " + (UnixFd.openCount() - base));
        // the consumer never says done: the 2 ms bound answers. Guards a hang: waiting for this consumer
        // would wait forever (until release below), so any finite margin tells the two apart.
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> h.update(new Rect(0, 0, 4, 4)),
                "the bound, not the consumer, answers");
        release.countDown();
        h.close();
        got.forEach(GpuScanout::close); // the ones delivered are the consumer's to close
        assertEquals(base, UnixFd.openCount(), "close released every waiting scanout");
        assertTrue(got.get(0).serial() >= 1 && got.get(0).serial() <= 50, got.get(0).toString());
    }

    @Test
    void damageWaitingForABusyConsumerIsMerged() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        List<GpuUpdate> updates = new CopyOnWriteArrayList<>();
        GpuConsumer c = new GpuConsumer() {
            @Override
            public void onScanout(GpuScanout s) {
                s.close();
                try {
                    busy.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onUpdate(GpuUpdate u) {
                updates.add(u);
                u.done();
            }
        };
        GpuHandoff h = new GpuHandoff("merge-test", c, TimeUnit.MILLISECONDS.toNanos(1));
        h.start();
        try {
            scanout(h, 0);
            h.update(new Rect(0, 0, 2, 2));
            h.update(new Rect(10, 10, 2, 2));
            busy.countDown();
            FrameSourceTck.await("the merged update", java.time.Duration.ofSeconds(5), () -> !updates.isEmpty());
            Thread.sleep(50);
            assertEquals(1, updates.size(), updates.toString());
            assertEquals(new Rect(0, 0, 12, 12), updates.get(0).damage());
            assertEquals(1, updates.get(0).scanoutSerial());
            assertTrue(updates.get(0).isDone());
        } finally {
            h.close();
        }
        assertFalse(TestFds.threadAlive("frame-gpu-merge-test"), "the hand-off thread ended");
    }
}
