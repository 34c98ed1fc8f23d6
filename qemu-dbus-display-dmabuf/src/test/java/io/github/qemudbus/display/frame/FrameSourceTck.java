package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qemudbus.display.UnixFd;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The conformance suite every frame path passes: the same tests, with a {@link Harness} per
 * path that knows how to make the peer (the fake QEMU peer or real QEMU) show a surface, change
 * pixels, and what the picture must look like.
 */
abstract class FrameSourceTck {

    /** What a path's test environment can do. */
    interface Harness extends AutoCloseable {
        /** The path the source must end on. */
        FramePath expectedPath();

        /** Starts a source registered with the peer. */
        FrameSource open() throws Exception;

        /** Makes the first surface appear. */
        void firstSurface() throws Exception;

        /**
         * Changes some pixels; returns once the source has received the change.
         *
         * @return the damaged rectangle
         */
        Rect change(int i) throws Exception;

        /**
         * Whether the peer is exact (the fake peer): {@link #change} damage as sent, one new surface
         * per {@link #resize}. Real QEMU may damage more and pass through intermediate surfaces
         * (virtio-gpu shows its "Display output is not active." placeholder during a mode set).
         */
        boolean exactDamage();

        /** The picture the source must show now. */
        BufferedImage oracle() throws Exception;

        /** Replaces the surface by a larger one; returns its size as a rectangle. */
        default Rect resize() throws Exception {
            Assumptions.abort("this harness cannot resize the guest's screen");
            return null;
        }

        /**
         * Defines a cursor of one colour and moves it.
         *
         * @return what was defined, which the source must report
         */
        default CursorSpec cursor() throws Exception {
            Assumptions.abort("this harness cannot make the guest define a cursor");
            return null;
        }

        /** Turns the display off. */
        default void disable() throws Exception {
            Assumptions.abort("this harness cannot disable the display");
        }

        /**
         * Whether turning the display off reaches the listener as {@code Disable}. QEMU sends it
         * only with gl=on; without GL it replaces the surface instead (virtio-gpu: a placeholder
         * saying "Display output is not active."; std VGA: a blank one), which the source must
         * then show like any surface.
         */
        default boolean sendsDisable() {
            return true;
        }

        /** Checks that the peer saw the listener connection end. */
        default void assertListenerGone() throws Exception {
        }

        @Override
        void close() throws Exception;
    }

    /**
     * A cursor a harness defined: every pixel {@code argb}.
     *
     * @param width image width
     * @param height image height
     * @param hotX hot spot column
     * @param hotY hot spot row
     * @param argb the colour of every pixel
     * @param x position column
     * @param y position row
     */
    record CursorSpec(int width, int height, int hotX, int hotY, int argb, int x, int y) {}

    protected abstract Harness newHarness() throws Exception;

    protected Harness h;
    private String testName;

    @BeforeEach
    void setUpHarness(TestInfo info) throws Exception {
        testName = getClass().getSimpleName() + "." + info.getTestMethod().map(m -> m.getName()).orElse("x");
        h = newHarness();
    }

    @AfterEach
    void tearDownHarness() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    /** Compares the source's frame with the oracle until they match (QEMU draws asynchronously). */
    protected void assertShows(FrameSource s, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        String last = "no frame";
        BufferedImage got = null;
        BufferedImage want = null;
        do {
            try (Frame f = s.acquireFrame().orElse(null)) {
                if (f != null) {
                    got = f.toImage();
                    want = h.oracle();
                    last = difference(got, want);
                    if (last == null) {
                        return;
                    }
                }
            }
            Thread.sleep(50);
        } while (System.nanoTime() < end);
        Path dir = Path.of(FrameSourceTck.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent().resolve("tck-failures");
        Files.createDirectories(dir);
        if (got != null) {
            ImageIO.write(got, "png", dir.resolve(testName + "-sdk.png").toFile());
            ImageIO.write(want, "png", dir.resolve(testName + "-oracle.png").toFile());
        }
        fail("frame differs from the oracle: " + last + " (pictures in " + dir + ")");
    }

    static String difference(BufferedImage got, BufferedImage want) {
        if (got.getWidth() != want.getWidth() || got.getHeight() != want.getHeight()) {
            return "size " + got.getWidth() + "x" + got.getHeight() + " vs " + want.getWidth() + "x" + want.getHeight();
        }
        int w = got.getWidth();
        int[] a = got.getRGB(0, 0, w, got.getHeight(), null, 0, w);
        int[] b = want.getRGB(0, 0, w, got.getHeight(), null, 0, w);
        int bad = 0;
        String first = null;
        for (int i = 0; i < a.length; i++) {
            if ((a[i] & 0xffffff) != (b[i] & 0xffffff)) {
                if (first == null) {
                    first = String.format("pixel %d,%d is %06x, expected %06x", i % w, i / w, a[i] & 0xffffff,
                            b[i] & 0xffffff);
                }
                bad++;
            }
        }
        return bad == 0 ? null : first + " (" + bad + " pixels differ)";
    }

    static void await(String what, Duration timeout, java.util.function.BooleanSupplier cond) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void firstFrame() throws Exception {
        FrameSource s = h.open();
        assertFalse(s.isClosed());
        h.firstSurface();
        assertTrue(s.awaitFrame(Duration.ofSeconds(30)), "first surface");
        await("the expected path", Duration.ofSeconds(30), () -> s.activePath() == h.expectedPath());
        assertShows(s, Duration.ofSeconds(30));
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(h.expectedPath(), f.path());
            assertTrue(f.stride() >= f.width() * f.format().bytesPerPixel());
        }
        List<PathChange> pc = s.pathChanges();
        assertNull(pc.get(0).from());
        assertTrue(pc.get(0).reason().startsWith("negotiated: "), pc.get(0).reason());
        assertEquals(h.expectedPath(), pc.get(pc.size() - 1).to(), pc.toString());
        FrameStats st = s.stats();
        assertEquals(h.expectedPath(), st.path());
        assertTrue(st.surfaces() >= 1);
        assertTrue(st.pixelBytes() > 0);
    }

    @Test
    void damageMergesWhileAListenerIsBusy() throws Exception {
        FrameSource s = h.open();
        List<Rect> damages = new CopyOnWriteArrayList<>();
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        boolean[] armed = {false};
        s.addListener(new FrameListener() {
            @Override
            public void onDamage(FrameSource src, Rect damage, boolean newSurface) {
                damages.add(damage);
                if (armed[0] && blocked.getCount() > 0) {
                    blocked.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
        h.firstSurface();
        assertTrue(s.awaitFrame(Duration.ofSeconds(30)));
        assertShows(s, Duration.ofSeconds(30));
        Thread.sleep(200); // let the first surface's notifications through
        armed[0] = true;
        h.change(0);
        assertTrue(blocked.await(30, TimeUnit.SECONDS), "listener saw the first change");
        int before = damages.size();
        Rect merged = h.change(1).union(h.change(2)).union(h.change(3));
        Thread.sleep(100);
        assertEquals(before, damages.size(), "no delivery while the listener is busy");
        release.countDown();
        await("merged damage", Duration.ofSeconds(10), () -> damages.size() > before);
        Rect got = damages.get(before);
        if (h.exactDamage()) {
            assertEquals(merged, got);
        } else {
            assertEquals(got, got.union(merged), "merged damage " + got + " covers " + merged);
        }
        assertShows(s, Duration.ofSeconds(30));
        assertTrue(s.stats().updates() >= 4);
    }

    @Test
    void resize() throws Exception {
        FrameSource s = h.open();
        List<Object[]> damages = new CopyOnWriteArrayList<>();
        s.addListener(new FrameListener() {
            @Override
            public void onDamage(FrameSource src, Rect damage, boolean newSurface) {
                damages.add(new Object[] {damage, newSurface});
            }
        });
        h.firstSurface();
        assertTrue(s.awaitFrame(Duration.ofSeconds(30)));
        long surfaces = s.stats().surfaces();
        Rect size = h.resize();
        await("new surface", Duration.ofSeconds(10), () -> damages.stream().anyMatch(
                d -> d[0].equals(size) && (Boolean) d[1]));
        if (h.exactDamage()) {
            assertEquals(surfaces + 1, s.stats().surfaces());
        } else {
            assertTrue(s.stats().surfaces() > surfaces, "a new surface was counted");
        }
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(size.width(), f.width());
            assertEquals(size.height(), f.height());
        }
        assertShows(s, Duration.ofSeconds(10));
    }

    @Test
    void cursor() throws Exception {
        assertCursor(h);
    }

    /** Opens a source on {@code hh}, makes it define a cursor and checks the source reports it. */
    static void assertCursor(Harness hh) throws Exception {
        FrameSource s = hh.open();
        List<CursorState> seen = new CopyOnWriteArrayList<>();
        s.addListener(new FrameListener() {
            @Override
            public void onCursor(CursorState c) {
                seen.add(c);
            }
        });
        hh.firstSurface();
        CursorSpec want = hh.cursor();
        await("cursor events", Duration.ofSeconds(10), () -> !seen.isEmpty() && seen.get(seen.size() - 1).visible()
                && seen.get(seen.size() - 1).x() == want.x() && seen.get(seen.size() - 1).y() == want.y());
        CursorState c = s.cursor();
        assertEquals(c, seen.get(seen.size() - 1));
        assertEquals(want.width(), c.width());
        assertEquals(want.height(), c.height());
        assertEquals(want.hotX(), c.hotX());
        assertEquals(want.hotY(), c.hotY());
        assertEquals(want.x(), c.x());
        assertEquals(want.y(), c.y());
        assertEquals(want.width() * want.height(), c.argb().length);
        for (int px : c.argb()) {
            assertEquals(want.argb(), px, () -> String.format("cursor pixel %08x", px));
        }
    }

    /** A latch that {@code s} counts down on its first {@code onDisabled}. */
    static CountDownLatch onDisabled(FrameSource s) {
        CountDownLatch disabled = new CountDownLatch(1);
        s.addListener(new FrameListener() {
            @Override
            public void onDisabled() {
                disabled.countDown();
            }
        });
        return disabled;
    }

    @Test
    void disable() throws Exception {
        FrameSource s = h.open();
        CountDownLatch disabled = onDisabled(s);
        h.firstSurface();
        assertTrue(s.awaitFrame(Duration.ofSeconds(30)));
        long surfaces = s.stats().surfaces();
        h.disable();
        if (h.sendsDisable()) {
            assertTrue(disabled.await(10, TimeUnit.SECONDS));
            assertTrue(s.acquireFrame().isEmpty(), "no frame while disabled");
        } else {
            // the surface QEMU shows instead of the guest's is what the source shows
            await("the surface that replaces the disabled one", Duration.ofSeconds(10),
                    () -> s.stats().surfaces() > surfaces);
            assertShows(s, Duration.ofSeconds(10));
            assertEquals(1, disabled.getCount(), "onDisabled although the peer sent no Disable");
        }
        h.firstSurface();
        assertShows(s, Duration.ofSeconds(10));
    }

    @Test
    void closeReleasesEverything() throws Exception {
        long maps = TestFds.memfdMappings();
        int fds = UnixFd.openCount();
        FrameSource s = h.open();
        CountDownLatch closed = new CountDownLatch(1);
        String[] reason = new String[1];
        s.addListener(new FrameListener() {
            @Override
            public void onClosed(String r) {
                reason[0] = r;
                closed.countDown();
            }
        });
        h.firstSurface();
        assertTrue(s.awaitFrame(Duration.ofSeconds(30)));
        assertShows(s, Duration.ofSeconds(30));
        Frame lease = s.acquireFrame().orElseThrow();
        BufferedImage before = lease.toImage();
        s.close();
        assertTrue(s.isClosed());
        assertTrue(closed.await(5, TimeUnit.SECONDS), "onClosed");
        assertEquals("closed by the application", reason[0]);
        assertFalse(TestFds.threadAlive("frame-notifier-" + s.name()), "notifier thread ended");
        assertTrue(s.acquireFrame().isEmpty());
        h.assertListenerGone();
        // the lease still reads the same memory after close
        assertNull(difference(lease.toImage(), before));
        lease.close();
        await("mappings and descriptors back to baseline", Duration.ofSeconds(5),
                () -> TestFds.memfdMappings() == maps && UnixFd.openCount() == fds);
        s.close(); // idempotent
    }

    /** For subclasses: closes quietly. */
    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // ignore in tear-down
        }
    }

    static void check(boolean ok, String what) throws IOException {
        if (!ok) {
            throw new IOException(what);
        }
    }

    static <T> T nonNull(T t) {
        assertNotNull(t);
        return t;
    }
}
