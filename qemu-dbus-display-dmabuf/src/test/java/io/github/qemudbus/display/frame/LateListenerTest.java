package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.PixelFormat;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A listener that subscribes after the first surface still gets a full picture first. */
class LateListenerTest {
    @Test
    void lateListenerGetsTheWholeSurfaceAndCursor() throws Exception {
        FrameSourceUnitTest.DirectRegistrar r = new FrameSourceUnitTest.DirectRegistrar();
        try (FrameSource s = FrameSource.builder(r).paths(EnumSet.of(FramePath.COPY)).name("late").build()) {
            int xrgb = PixelFormat.XRGB8888.pixmanCode();
            r.last().scanout(8, 6, 32, xrgb, FrameSourceUnitTest.pixels(8, 6, 32, 3));
            ByteBuffer cursor = ByteBuffer.allocate(4 * 4 * 4);
            r.last().cursorDefine(4, 4, 1, 1, cursor);
            assertTrue(s.awaitFrame(java.time.Duration.ofSeconds(5)));

            List<String> events = new CopyOnWriteArrayList<>();
            CountDownLatch got = new CountDownLatch(2);
            s.addListener(new FrameListener() {
                @Override
                public void onDamage(FrameSource src, Rect damage, boolean newSurface) {
                    events.add("damage " + damage + " " + newSurface);
                    got.countDown();
                }

                @Override
                public void onCursor(CursorState c) {
                    events.add("cursor " + c.width() + "x" + c.height());
                    got.countDown();
                }
            });
            assertTrue(got.await(5, TimeUnit.SECONDS), events.toString());
            assertEquals("damage Rect[x=0, y=0, width=8, height=6] true", events.get(0));
            assertEquals("cursor 4x4", events.get(1));
        }
    }

    @Test
    void listenerBeforeAnySurfaceGetsNoReplay() throws Exception {
        FrameSourceUnitTest.DirectRegistrar r = new FrameSourceUnitTest.DirectRegistrar();
        try (FrameSource s = FrameSource.builder(r).paths(EnumSet.of(FramePath.COPY)).name("early").build()) {
            List<String> events = new CopyOnWriteArrayList<>();
            s.addListener(new FrameListener() {
                @Override
                public void onDamage(FrameSource src, Rect damage, boolean newSurface) {
                    events.add("damage");
                }
            });
            Thread.sleep(200);
            assertTrue(events.isEmpty(), events.toString());
        }
    }
}
