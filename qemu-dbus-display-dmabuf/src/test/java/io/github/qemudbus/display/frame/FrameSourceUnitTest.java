package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.DmabufScanout;
import io.github.qemudbus.display.ListenerFeature;
import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.ListenerRegistration;
import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.UnixFd;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The source's policy without any peer: the test calls the listener the way the listener
 * connection would (same thread rules, fds closed after each call).
 */
class FrameSourceUnitTest {
    private static final int XRGB = PixelFormat.XRGB8888.pixmanCode();

    /** Records registrations; returns null (no link) so the test drives the listener itself. */
    static final class DirectRegistrar implements ListenerRegistrar {
        final List<ConsoleListener> listeners = new CopyOnWriteArrayList<>();
        final List<Set<ListenerFeature>> features = new CopyOnWriteArrayList<>();

        @Override
        public ListenerRegistration register(ConsoleListener listener, Set<ListenerFeature> f) {
            listeners.add(listener);
            features.add(Set.copyOf(f));
            return null;
        }

        ConsoleListener last() {
            return listeners.get(listeners.size() - 1);
        }

        ConsoleListener awaitRegistration(int n) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (listeners.size() < n && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertEquals(n, listeners.size(), "registrations");
            return listeners.get(n - 1);
        }
    }

    private final Closer cleanup = new Closer();

    @AfterEach
    void tearDown() throws Exception {
        cleanup.close();
    }

    private FrameSource open(DirectRegistrar r, Set<FramePath> paths) {
        FrameSource s = FrameSource.builder(r).paths(paths).name("unit").build();
        cleanup.add(s);
        return s;
    }

    /** A source that may use every path. */
    private FrameSource open(DirectRegistrar r) {
        return open(r, EnumSet.allOf(FramePath.class));
    }

    /** Closes the source: its mappings must be gone, back to {@code base}. */
    private static void closeUnmapsAll(FrameSource s, long base) {
        s.close();
        assertEquals(base, TestFds.memfdMappings());
    }

    /** A path change must go from {@code from} to {@code to}. */
    static void assertChange(PathChange c, FramePath from, FramePath to) {
        assertEquals(from, c.from(), c.toString());
        assertEquals(to, c.to(), c.toString());
    }

    static ByteBuffer pixels(int w, int h, int stride, int seed) {
        ByteBuffer b = ByteBuffer.allocateDirect(stride * h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < stride / 4; x++) {
                int v = x < w ? 0xff000000 | (seed + x) << 16 | y << 8 | seed : 0xa5a5a5a5;
                b.putInt(y * stride + x * 4, Integer.reverseBytes(v));
            }
        }
        return b.asReadOnlyBuffer();
    }

    static int want(int x, int y, int seed) {
        return 0xff000000 | (seed + x) << 16 | y << 8 | seed;
    }

    @Test
    void featuresFollowTheAllowedPaths() {
        assertEquals(EnumSet.of(ListenerFeature.FD_PASSING, ListenerFeature.DMABUF2, ListenerFeature.SHARED_MAP),
                PathPolicy.features(EnumSet.allOf(FramePath.class)));
        assertEquals(EnumSet.of(ListenerFeature.FD_PASSING, ListenerFeature.SHARED_MAP),
                PathPolicy.features(EnumSet.of(FramePath.MAP, FramePath.COPY)));
        assertEquals(EnumSet.of(ListenerFeature.FD_PASSING, ListenerFeature.DMABUF2),
                PathPolicy.features(EnumSet.of(FramePath.DMABUF)));
        assertEquals(EnumSet.noneOf(ListenerFeature.class), PathPolicy.features(EnumSet.of(FramePath.COPY)));
    }

    @Test
    void copyPathCopiesOnceAndDropsThePadding() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r);
        assertNull(s.activePath());
        r.last().scanout(6, 3, 6 * 4 + 8, XRGB, pixels(6, 3, 32, 1));
        assertTrue(s.awaitFrame(Duration.ofSeconds(1)));
        assertEquals(FramePath.COPY, s.activePath());
        r.last().update(2, 1, 2, 2, 12, XRGB, pixels(2, 2, 12, 9));
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(24, f.stride());
            BufferedImage img = f.toImage();
            assertEquals(want(0, 0, 1), img.getRGB(0, 0));
            assertEquals(want(5, 2, 1), img.getRGB(5, 2));
            assertEquals(want(0, 0, 9), img.getRGB(2, 1));
            assertEquals(want(1, 1, 9), img.getRGB(3, 2));
        }
        FrameStats st = s.stats();
        assertEquals(1, st.surfaces());
        assertEquals(1, st.updates());
        assertEquals(6 * 3 * 4 + 2 * 2 * 4, st.pixelBytes());
        PathChange first = s.pathChanges().get(0);
        assertNull(first.from());
        assertEquals(FramePath.COPY, first.to());
        assertTrue(first.reason().startsWith("negotiated: listener advertised fd passing"), first.reason());
        assertTrue(first.reason().contains("std VGA"), first.reason());
    }

    @Test
    void updatesBeyondTheSurfaceGrowItAndKeepItsPixels() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r, EnumSet.of(FramePath.COPY));
        r.last().scanout(4, 3, 16, XRGB, pixels(4, 3, 16, 1));
        r.last().update(4, 0, 2, 5, 8, XRGB, pixels(2, 5, 8, 50));
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(6, f.width());
            assertEquals(5, f.height());
            BufferedImage img = f.toImage();
            assertEquals(want(3, 2, 1), img.getRGB(3, 2), "old pixels kept");
            assertEquals(want(1, 4, 50), img.getRGB(5, 4), "update copied");
            assertEquals(0xff000000, img.getRGB(0, 4), "uncovered area black");
        }
        assertEquals(2, s.stats().surfaces());
    }

    @Test
    void malformedCopiesAreRefused() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r, EnumSet.of(FramePath.COPY));
        ConsoleListener l = r.last();
        assertThrows(IllegalArgumentException.class, () -> l.scanout(4, 3, 15, XRGB, pixels(4, 3, 16, 1)));
        assertThrows(IllegalArgumentException.class, () -> l.scanout(4, 3, 16, XRGB, pixels(4, 2, 16, 1)));
        assertThrows(IllegalArgumentException.class, () -> l.scanout(4, 3, 16, 0x1234, pixels(4, 3, 16, 1)));
        assertThrows(IllegalArgumentException.class, () -> l.scanout(-1, 3, 16, XRGB, pixels(4, 3, 16, 1)));
        l.scanout(4, 3, 16, XRGB, pixels(4, 3, 16, 1));
        assertThrows(IllegalArgumentException.class, () -> l.update(-1, 0, 1, 1, 4, XRGB, pixels(1, 1, 4, 1)));
        assertThrows(IllegalArgumentException.class, () -> l.update(0, 0, 2, 2, 8, XRGB, pixels(2, 1, 8, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> l.update(Integer.MAX_VALUE, 0, 2, 1, 8, XRGB, pixels(2, 1, 8, 1)));
        assertEquals(7, s.stats().errorReplies());
        assertEquals(1, s.stats().surfaces());
    }

    static byte[] mapContent(int w, int h, int stride, long offset, int seed) {
        ByteBuffer p = pixels(w, h, stride, seed);
        byte[] b = new byte[(int) offset + stride * h];
        p.get(0, b, (int) offset, stride * h);
        return b;
    }

    @Test
    void mapSurfaceIsReadInPlaceAtItsOffset() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r);
        long base = TestFds.memfdMappings();
        int offset = 4096 + 100;
        try (UnixFd fd = TestFds.memfd("unit-map", mapContent(8, 4, 40, offset, 3), offset + 160)) {
            r.last().scanoutMap(fd, offset, 8, 4, 40, XRGB);
        }
        assertEquals(FramePath.MAP, s.activePath());
        assertEquals(base + 1, TestFds.memfdMappings());
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(40, f.stride());
            assertEquals(FramePath.MAP, f.path());
            BufferedImage img = f.toImage();
            assertEquals(want(0, 0, 3), img.getRGB(0, 0));
            assertEquals(want(7, 3, 3), img.getRGB(7, 3));
        }
        r.last().updateMap(-5, 1, 100, 1);
        assertEquals(1, s.stats().updates());
        assertEquals(8 * 4, s.stats().pixelBytes() / 4 - 8);
        closeUnmapsAll(s, base);
    }

    /**
     * QEMU sends UpdateMap after every ScanoutMap it got an ok reply for; a Scanout instead means
     * the reply came after its 1 s timeout (the real-QEMU case is QemuMapTckTest's
     * lateScanoutMapReplyMakesQemuCopyForGood).
     */
    @Test
    void scanoutRightAfterAnAcceptedMapSaysTheReplyWasTooLate() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r);
        try (UnixFd fd = TestFds.memfd("unit-late", mapContent(8, 4, 32, 0, 5), 128)) {
            r.last().scanoutMap(fd, 0, 8, 4, 32, XRGB);
        }
        r.last().scanout(8, 4, 32, XRGB, pixels(8, 4, 32, 2));
        PathChange last = s.pathChanges().get(s.pathChanges().size() - 1);
        assertChange(last, FramePath.MAP, FramePath.COPY);
        assertTrue(last.reason().startsWith("ScanoutMap reply too late: QEMU sent Scanout "), last.reason());
        assertTrue(last.reason().contains("for good"), last.reason());
        assertEquals(2, s.pathChanges().size(), s.pathChanges().toString());
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(FramePath.COPY, f.path());
            assertEquals(want(7, 3, 2), f.toImage().getRGB(7, 3));
        }
    }

    /** After a partial update QEMU gives up with an Update and no Scanout: the map's pixels start the copy. */
    @Test
    void updateRightAfterAnAcceptedMapStartsACopyFromTheMapsPixels() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r);
        try (UnixFd fd = TestFds.memfd("unit-late-update", mapContent(8, 4, 32, 0, 5), 128)) {
            r.last().scanoutMap(fd, 0, 8, 4, 32, XRGB);
        }
        r.last().update(2, 1, 2, 2, 8, XRGB, pixels(2, 2, 8, 9));
        PathChange last = s.pathChanges().get(s.pathChanges().size() - 1);
        assertChange(last, FramePath.MAP, FramePath.COPY);
        assertTrue(last.reason().startsWith("ScanoutMap reply too late: QEMU sent Update "), last.reason());
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(FramePath.COPY, f.path());
            BufferedImage img = f.toImage();
            assertEquals(want(0, 0, 5), img.getRGB(0, 0), "from the map");
            assertEquals(want(7, 3, 5), img.getRGB(7, 3), "from the map");
            assertEquals(want(0, 0, 9), img.getRGB(2, 1), "from the update");
            assertEquals(want(1, 1, 9), img.getRGB(3, 2), "from the update");
        }
        assertEquals(0, s.stats().errorReplies());
    }

    @Test
    void shortMemfdIsRefusedAndTheSourceEndsOnCopiesWithoutReRegistering() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r);
        int fds = UnixFd.openCount();
        try (UnixFd fd = TestFds.memfd("unit-short", new byte[0], 100)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> r.last().scanoutMap(fd, 0, 64, 48, 256, XRGB));
            assertTrue(e.getMessage().contains("memfd holds 100 bytes, frame needs 12288"), e.getMessage());
        }
        assertEquals(fds, UnixFd.openCount(), "no descriptor kept");
        assertEquals(FramePath.COPY, s.activePath());
        r.last().scanout(4, 3, 16, XRGB, pixels(4, 3, 16, 1));
        assertTrue(s.acquireFrame().isPresent());
        List<PathChange> pc = s.pathChanges();
        assertEquals(2, pc.size(), pc.toString());
        assertEquals(FramePath.MAP, pc.get(0).to());
        assertChange(pc.get(1), FramePath.MAP, FramePath.COPY);
        assertTrue(pc.get(1).reason().startsWith("ScanoutMap refused: memfd holds 100 bytes"), pc.get(1).reason());
        assertEquals(1, r.listeners.size(), "QEMU's own fallback is kept: no second registration");
    }

    @Test
    void nonMemfdAndHostileGeometryAreRefused() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        open(r);
        UnixFd[] p = TestFds.pipe();
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> r.last().scanoutMap(p[0], 0, 4, 4, 16, XRGB));
            assertTrue(e.getMessage().contains("not a memfd"), e.getMessage());
        } finally {
            p[0].close();
            p[1].close();
        }
        try (UnixFd fd = TestFds.memfd("unit-hostile", new byte[0], 1 << 20)) {
            assertThrows(IllegalArgumentException.class, () -> r.last().scanoutMap(fd, 0, 64, 4, 100, XRGB));
            assertThrows(IllegalArgumentException.class,
                    () -> r.last().scanoutMap(fd, Long.MAX_VALUE - 10, 4, 4, 16, XRGB));
            assertThrows(IllegalArgumentException.class,
                    () -> r.last().scanoutMap(fd, 0, 16384, 16384, Integer.MAX_VALUE, XRGB));
        }
    }

    @Test
    void leasesOutliveSurfaceChangesAndClose() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r);
        long base = TestFds.memfdMappings();
        int fds = UnixFd.openCount();
        try (UnixFd fd = TestFds.memfd("unit-lease", mapContent(8, 4, 32, 0, 5), 128)) {
            r.last().scanoutMap(fd, 0, 8, 4, 32, XRGB);
        }
        r.last().updateMap(0, 0, 8, 4); // an answered ScanoutMap: QEMU follows it with UpdateMap
        Frame lease = s.acquireFrame().orElseThrow();
        r.last().scanout(4, 3, 16, XRGB, pixels(4, 3, 16, 1));
        PathChange last = s.pathChanges().get(s.pathChanges().size() - 1);
        assertChange(last, FramePath.MAP, FramePath.COPY);
        assertTrue(last.reason().startsWith("QEMU stopped using the shared map"), last.reason());
        s.close();
        assertEquals(base + 1, TestFds.memfdMappings(), "still mapped while leased");
        assertEquals(want(7, 3, 5), lease.toImage().getRGB(7, 3));
        lease.close();
        assertEquals(base, TestFds.memfdMappings());
        assertEquals(fds, UnixFd.openCount());
        assertThrows(IllegalStateException.class, lease::pixels);
    }

    @Test
    void aShrunkMemfdIsNeverRead() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r);
        UnixFd keep;
        try (UnixFd fd = TestFds.memfd("unit-shrink", mapContent(8, 4, 32, 0, 5), 128)) {
            keep = fd.duplicate();
            r.last().scanoutMap(fd, 0, 8, 4, 32, XRGB);
        }
        try (keep; Frame lease = s.acquireFrame().orElseThrow()) {
            TestFds.truncate(keep, 64);
            IllegalStateException e = assertThrows(IllegalStateException.class, lease::pixels);
            assertTrue(e.getMessage().contains("shrank to 64 bytes"), e.getMessage());
            assertThrows(IllegalStateException.class, lease::toImage);
            assertTrue(s.acquireFrame().isEmpty());
        }
    }

    static DmabufScanout.Plane plane(UnixFd fd, long offset, int stride) {
        return new DmabufScanout.Plane(fd, offset, stride);
    }

    @Test
    void dmabufVisibleRectangleAndBottomUpRows() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r);
        long base = TestFds.memfdMappings();
        // backing 8x6, visible 5x3 at 2,1; stored bottom-up
        try (UnixFd p0 = TestFds.memfd("unit-dmabuf", mapContent(8, 6, 32, 64, 11), 64 + 32 * 6);
                UnixFd p1 = TestFds.memfd("unit-aux", new byte[0], 4096)) {
            r.last().scanoutDmabuf(new DmabufScanout(List.of(plane(p0, 64, 32), plane(p1, 0, 64)), 2, 1, 5, 3,
                    8, 6, PixelFormat.XRGB8888.fourcc(), 0, false));
        }
        assertEquals(FramePath.DMABUF, s.activePath());
        assertEquals(base + 2, TestFds.memfdMappings(), "every plane mapped");
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(5, f.width());
            assertEquals(3, f.height());
            assertFalse(f.y0Top());
            BufferedImage img = f.toImage();
            // image row 0 = the last visible memory row (1 + 3 - 1 = 3)
            assertEquals(want(2, 3, 11), img.getRGB(0, 0));
            assertEquals(want(6, 1, 11), img.getRGB(4, 2));
        }
        r.last().updateDmabuf(0, 0, 5, 3);
        assertEquals(1, s.stats().updates());
        closeUnmapsAll(s, base);
    }

    /**
     * Issue 16: was tiledDmabufFallsBackToCopiesThroughANewRegistration. Under gl=on a second
     * registration without DMA-BUF gets nothing, so a tiled buffer now keeps the link, is answered
     * without error and puts the source into the no-CPU-frames state; a readable buffer ends it.
     */
    @Test
    void tiledDmabufKeepsTheLinkAndReportsNoCpuFrames() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r);
        ConsoleListener first = r.last();
        assertEquals(PathPolicy.features(EnumSet.allOf(FramePath.class)), r.features.get(0));
        try (UnixFd p0 = TestFds.memfd("unit-tiled", new byte[0], 4096)) {
            first.scanoutDmabuf(new DmabufScanout(List.of(plane(p0, 0, 64)), 0, 0, 16, 16, 16, 16,
                    PixelFormat.XRGB8888.fourcc(), 0x0100000000000001L, true));
        }
        first.updateDmabuf(0, 0, 16, 16); // answered at once: no surface, no consumer
        Thread.sleep(100);
        assertEquals(1, r.listeners.size(), "no re-registration");
        assertTrue(s.acquireFrame().isEmpty());
        assertEquals(FramePath.DMABUF, s.activePath());
        CpuFramesUnavailable u = s.cpuFramesUnavailable().orElseThrow();
        assertTrue(u.reason().contains("modifier 0x0100000000000001 is not linear"), u.reason());
        assertEquals(0x0100000000000001L, u.modifier());
        assertEquals(1, u.planes());
        assertTrue(u.fix().contains("gl=off") && u.fix().contains("virtio-vga") && u.fix().contains("gpuConsumer"),
                u.fix());
        List<PathChange> pc = s.pathChanges();
        assertEquals(2, pc.size(), pc.toString());
        assertChange(pc.get(1), FramePath.DMABUF, FramePath.DMABUF);
        assertEquals(u.describe() + ". The listener link is kept and every UpdateDMABUF is answered at once (QEMU "
                + "with gl=on sends only DMA-BUFs on Linux: a registration without them would get nothing)",
                pc.get(1).reason());
        // a linear buffer on the same listener brings CPU frames back
        try (UnixFd p0 = TestFds.memfd("unit-linear", new byte[0], 4096)) {
            first.scanoutDmabuf(new DmabufScanout(List.of(plane(p0, 0, 64)), 0, 0, 16, 16, 16, 16,
                    PixelFormat.XRGB8888.fourcc(), DmabufScanout.MODIFIER_INVALID, true));
        }
        assertTrue(s.cpuFramesUnavailable().isEmpty());
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(16, f.width());
        }
    }

    @Test
    void forcedDmabufWithAYuvBufferReportsNoCpuFrames() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = FrameSource.builder(r).path(FramePath.DMABUF).build();
        cleanup.add(s);
        try (UnixFd p0 = TestFds.memfd("unit-nv12", new byte[0], 4096)) {
            r.last().scanoutDmabuf(new DmabufScanout(List.of(plane(p0, 0, 64), plane(p0, 1024, 64)), 0, 0, 16, 16,
                    16, 16, 0x3231564e /* NV12 */, 0, true));
        }
        Thread.sleep(100);
        assertEquals(1, r.listeners.size());
        CpuFramesUnavailable u = s.cpuFramesUnavailable().orElseThrow();
        assertTrue(u.reason().contains("NV12") && u.reason().contains("2 planes"), u.reason());
        assertEquals(2, u.planes());
    }

    @Test
    void aMalformedDmabufIsAnErrorAndKeepsTheLink() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = FrameSource.builder(r).path(FramePath.DMABUF).build();
        cleanup.add(s);
        try (UnixFd p0 = TestFds.memfd("unit-short", new byte[0], 100)) {
            assertThrows(IllegalArgumentException.class, () -> r.last().scanoutDmabuf(new DmabufScanout(
                    List.of(plane(p0, 0, 64)), 0, 0, 16, 16, 16, 16, PixelFormat.XRGB8888.fourcc(), 0, true)));
        }
        assertEquals(1, r.listeners.size());
        assertTrue(s.cpuFramesUnavailable().isEmpty(), "a malformed call is not the gl=on state");
        assertTrue(s.pathChanges().get(s.pathChanges().size() - 1).reason().startsWith("ScanoutDMABUF refused"));
    }

    @Test
    void forcedMapOnACopySurfaceSaysWhy() {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = FrameSource.builder(r).path(FramePath.MAP).build();
        cleanup.add(s);
        assertEquals(Set.of(ListenerFeature.FD_PASSING, ListenerFeature.SHARED_MAP), r.features.get(0));
        r.last().scanout(4, 3, 16, XRGB, pixels(4, 3, 16, 1));
        String why = s.pathChanges().get(0).reason();
        assertTrue(why.contains("forced to map but QEMU sent Scanout") && why.contains("no memfd"), why);
        assertTrue(s.acquireFrame().isPresent(), "the copies are still shown");
    }

    @Test
    void damageIsMergedWhileAListenerIsBusyAndCursorIsTracked() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r, EnumSet.of(FramePath.COPY));
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Object> events = new CopyOnWriteArrayList<>();
        s.addListener(new FrameListener() {
            @Override
            public void onDamage(FrameSource src, Rect damage, boolean newSurface) {
                events.add(damage);
                if (!newSurface && blocked.getCount() > 0) {
                    blocked.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void onCursor(CursorState c) {
                events.add(c);
            }
        });
        ConsoleListener l = r.last();
        l.scanout(64, 64, 256, XRGB, pixels(64, 64, 256, 1));
        for (int i = 0; i < 500 && events.isEmpty(); i++) {
            Thread.sleep(10);
        }
        l.update(0, 0, 1, 1, 4, XRGB, pixels(1, 1, 4, 1));
        assertTrue(blocked.await(5, TimeUnit.SECONDS));
        ByteBuffer cur = ByteBuffer.allocate(4 * 4 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16; i++) {
            cur.putInt(0x80ff0000 + i);
        }
        // Guards a hang: the listener is blocked until release below, so QEMU's side waiting for it would
        // never return; any finite margin tells the two apart.
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
            l.update(10, 10, 2, 2, 8, XRGB, pixels(2, 2, 8, 1));
            l.update(30, 5, 4, 4, 16, XRGB, pixels(4, 4, 16, 1));
            l.update(20, 40, 1, 1, 4, XRGB, pixels(1, 1, 4, 1));
            l.cursorDefine(4, 4, 1, 2, cur.flip());
            l.mouseSet(7, 9, true);
        }, "QEMU side never waits");
        release.countDown();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.size() < 4 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        Thread.sleep(100);
        assertEquals(new Rect(0, 0, 64, 64), events.get(0));
        assertEquals(new Rect(0, 0, 1, 1), events.get(1));
        assertEquals(new Rect(10, 5, 24, 36), events.get(2), "merged while the listener was busy");
        CursorState c = (CursorState) events.get(3);
        assertEquals(4, events.size(), events.toString());
        assertEquals(4, c.width());
        assertEquals(1, c.hotX());
        assertEquals(2, c.hotY());
        assertEquals(0x80ff0005, c.argb()[5]);
        assertEquals(7, c.x());
        assertTrue(c.visible());
        assertEquals(c, s.cursor());
    }

    @Test
    void disableDropsTheSurfaceAndCloseNotifies() throws Exception {
        DirectRegistrar r = new DirectRegistrar();
        FrameSource s = open(r, EnumSet.of(FramePath.COPY));
        CountDownLatch disabled = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        s.addListener(new FrameListener() {
            @Override
            public void onDisabled() {
                disabled.countDown();
            }

            @Override
            public void onClosed(String reason) {
                closed.countDown();
            }
        });
        r.last().scanout(4, 3, 16, XRGB, pixels(4, 3, 16, 1));
        r.last().disable();
        assertTrue(disabled.await(5, TimeUnit.SECONDS));
        assertTrue(s.acquireFrame().isEmpty());
        r.last().disconnected("peer went away");
        assertTrue(closed.await(5, TimeUnit.SECONDS));
        assertTrue(s.isClosed());
        assertTrue(s.closeReason().contains("peer went away"));
        assertFalse(TestFds.threadAlive("frame-notifier-unit"));
    }
}
