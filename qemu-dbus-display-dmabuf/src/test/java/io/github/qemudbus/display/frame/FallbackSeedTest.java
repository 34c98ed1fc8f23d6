package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.ListenerRegistration;
import io.github.qemudbus.display.UnixFd;
import io.github.qemudbus.testkit.FakeQemuPeer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's failure, reproduced: a listener whose fast path fails must end up streaming on
 * copies, and the path change must say why. Runs against the fake QEMU peer, which passes
 * real descriptors exactly as QEMU does.
 */
class FallbackSeedTest {
    private final Closer cleanup = new Closer();

    @BeforeEach
    void enabled() {
        FakePeerHarness.assumeEnabled();
    }

    @AfterEach
    void tearDown() {
        cleanup.closeQuietly();
    }

    private FakeQemuPeer peer() throws Exception {
        FakeQemuPeer p = FakeQemuPeer.start();
        cleanup.add(p);
        return p;
    }

    private static void ok(FakeQemuPeer p, String cmd) throws Exception {
        FakeQemuPeer.Reply r = p.call(cmd);
        assertTrue(r.ok(), cmd + " -> " + r);
    }

    /** A source forced to the map path, registered with {@code p} and ready. */
    private FrameSource forcedMap(FakeQemuPeer p) throws Exception {
        FrameSource s = FrameSource.builder(FakePeerHarness.registrar(p)).path(FramePath.MAP).build();
        cleanup.add(s);
        p.awaitReady(Duration.ofSeconds(10));
        return s;
    }

    /** The current frame's pixel at x,y must be argb. */
    private static void assertPixel(FrameSource s, int x, int y, int argb) {
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(argb, f.toImage().getRGB(x, y));
        }
    }

    /** Hands out one peer per registration, in order, and counts registrations. */
    static final class PeerChain implements ListenerRegistrar {
        final List<FakeQemuPeer> peers;
        final AtomicInteger used = new AtomicInteger();

        PeerChain(List<FakeQemuPeer> peers) {
            this.peers = peers;
        }

        @Override
        public ListenerRegistration register(io.github.qemudbus.display.ConsoleListener l,
                java.util.Set<io.github.qemudbus.display.ListenerFeature> f) {
            return FakePeerHarness.registrar(peers.get(used.getAndIncrement())).register(l, f);
        }
    }

    @Test
    void shortMemfdOnTheMapPathEndsOnCopiesAndSaysWhy() throws Exception {
        FakeQemuPeer p = peer();
        PeerChain chain = new PeerChain(List.of(p));
        FrameSource s = FrameSource.builder(chain).name("seed-map").build();
        cleanup.add(s);
        List<PathChange> events = new CopyOnWriteArrayList<>();
        s.addListener(new FrameListener() {
            @Override
            public void onPathChange(PathChange c) {
                events.add(c);
            }
        });
        String props = p.awaitReady(Duration.ofSeconds(10));
        assertTrue(props.contains("org.qemu.Display1.Listener.Unix.Map"), props);

        FakeQemuPeer.Reply r = p.call("scanout-map 64 48 256 x8r8g8b8 0 gradient fd=short");
        assertFalse(r.ok(), r.toString());
        assertEquals("org.qemu.Display1.Error.Invalid", r.errorName(), r.toString());
        // QEMU's reaction: Scanout/Update copies on the same listener
        ok(p, "scanout 64 48 256 x8r8g8b8 gradient");
        ok(p, "update 8 8 8 8 32 x8r8g8b8 noise:3");

        assertEquals(FramePath.COPY, s.activePath());
        Patterns.Model m = new Patterns.Model(64, 48);
        m.paint(0, 0, 64, 48, "gradient", 0, 0);
        m.paint(8, 8, 8, 8, "noise:3", 0, 0);
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(FramePath.COPY, f.path());
            assertNull(FrameSourceTck.difference(f.toImage(), m.image()));
        }
        List<PathChange> pc = s.pathChanges();
        assertEquals(2, pc.size(), pc.toString());
        assertNull(pc.get(0).from());
        assertEquals(FramePath.MAP, pc.get(0).to());
        FrameSourceUnitTest.assertChange(pc.get(1), FramePath.MAP, FramePath.COPY);
        assertTrue(pc.get(1).reason().startsWith("ScanoutMap refused: memfd holds 6144 bytes, frame needs 12288"),
                pc.get(1).reason());
        FrameSourceTck.await("path change events", Duration.ofSeconds(5), () -> events.size() == 2);
        assertEquals(pc, events);
        assertEquals(1, chain.used.get(), "no re-registration: QEMU's fallback is kept");
        assertTrue(p.call("ping").ok(), "the same listener keeps streaming");
        assertEquals(1, s.stats().errorReplies());
        assertEquals(1, s.stats().updates());
    }

    /**
     * Issue 16: was tiledDmabufEndsOnCopiesAfterRegisteringAgain, which asserted a second
     * registration advertising copies only. Against QEMU with gl=on (the peer's gl mode) that
     * registration receives nothing: the seed's black screen again. Now the link is kept, the
     * source says why it has no CPU frames, and the peer is not asked for a second listener.
     */
    @Test
    void tiledDmabufUnderGlOnKeepsTheLinkAndSaysWhy() throws Exception {
        FakeQemuPeer first = FakeQemuPeer.startGl();
        cleanup.add(first);
        PeerChain chain = new PeerChain(List.of(first));
        int fds = UnixFd.openCount();
        FrameSource s = FrameSource.builder(chain).name("seed-dmabuf").build();
        cleanup.add(s);
        String props = first.awaitReady(Duration.ofSeconds(10));
        assertTrue(props.contains("org.qemu.Display1.Listener.Unix.ScanoutDMABUF2"), props);

        // I915_FORMAT_MOD_X_TILED; a valid buffer, so no error reply
        ok(first, "scanout-dmabuf 64 48 256 XR24 0x0100000000000001 true gradient");
        ok(first, "update-dmabuf 0 0 64 48");
        assertEquals(FramePath.DMABUF, s.activePath());
        assertTrue(s.acquireFrame().isEmpty());
        CpuFramesUnavailable u = s.cpuFramesUnavailable().orElseThrow();
        assertTrue(u.reason().contains("modifier 0x0100000000000001 is not linear"), u.reason());
        List<PathChange> pc = s.pathChanges();
        assertEquals(2, pc.size(), pc.toString());
        assertEquals(FramePath.DMABUF, pc.get(0).to());
        FrameSourceUnitTest.assertChange(pc.get(1), FramePath.DMABUF, FramePath.DMABUF);
        assertTrue(pc.get(1).reason().contains("gl=off") && pc.get(1).reason().contains("link is kept"),
                pc.get(1).reason());
        assertEquals(1, chain.used.get(), "no second registration");
        assertTrue(first.call("ping").ok(), "the link is kept");
        // QEMU with gl=on sends copies never; a readable buffer brings the frames back
        ok(first, "scanout-dmabuf 64 48 256 XR24 0 true gradient");
        Patterns.Model m = new Patterns.Model(64, 48);
        m.paint(0, 0, 64, 48, "gradient", 0, 0);
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertNull(FrameSourceTck.difference(f.toImage(), m.image()));
        }
        assertTrue(s.cpuFramesUnavailable().isEmpty());
        s.close();
        assertEquals(fds, UnixFd.openCount(), "no descriptor leaked");
    }

    @Test
    void aPeerThatShrinksItsMemfdCannotCrashTheReader() throws Exception {
        FakeQemuPeer p = peer();
        FrameSource s = forcedMap(p);
        ok(p, "scanout-map 64 48 256 x8r8g8b8 0 gradient");
        try (Frame lease = s.acquireFrame().orElseThrow()) {
            ok(p, "truncate 0");
            IllegalStateException e = assertThrows(IllegalStateException.class, lease::pixels);
            assertTrue(e.getMessage().contains("shrank to 0 bytes"), e.getMessage());
            assertThrows(IllegalStateException.class, lease::toImage);
            assertTrue(s.acquireFrame().isEmpty());
        }
        // a fresh surface brings the source back
        ok(p, "scanout-map 64 48 256 x8r8g8b8 0 solid:00ff00");
        assertPixel(s, 63, 47, 0xff00ff00);
    }

    @Test
    void hostileDescriptorsAreRefusedWithReasons() throws Exception {
        FakeQemuPeer p = peer();
        FrameSource s = forcedMap(p);
        assertEquals("org.qemu.Display1.Error.Invalid", p.call("scanout-map 64 48 256 x8r8g8b8 0 gradient fd=pipe")
                .errorName());
        String why = s.pathChanges().get(s.pathChanges().size() - 1).reason();
        assertTrue(why.contains("not a memfd"), why);
        assertTrue(why.contains("copy is not among the allowed paths"), why);
        // QEMU sends copies anyway; they are shown
        ok(p, "scanout 16 16 64 x8r8g8b8 solid:ff0000");
        assertPixel(s, 3, 3, 0xffff0000);
    }

    @Test
    void forcedMapWithCopiesFromThePeerSaysWhy() throws Exception {
        FakeQemuPeer p = peer();
        FrameSource s = forcedMap(p);
        ok(p, "scanout 16 16 64 x8r8g8b8 solid:ff0000");
        PathChange c = s.pathChanges().get(0);
        assertEquals(FramePath.COPY, c.to());
        assertTrue(c.reason().contains("forced to map but QEMU sent Scanout"), c.reason());
        assertTrue(c.reason().contains("std VGA"), c.reason());
    }

    @Test
    void qemuGoingAwayClosesTheSource() throws Exception {
        FakeQemuPeer p = peer();
        FrameSource s = FrameSource.builder(FakePeerHarness.registrar(p)).build();
        cleanup.add(s);
        List<String> closed = new CopyOnWriteArrayList<>();
        s.addListener(new FrameListener() {
            @Override
            public void onClosed(String reason) {
                closed.add(reason);
            }
        });
        p.awaitReady(Duration.ofSeconds(10));
        ok(p, "scanout-map 64 48 256 x8r8g8b8 0 gradient");
        long maps = TestFds.memfdMappings();
        p.call("hangup");
        FrameSourceTck.await("onClosed", Duration.ofSeconds(10), () -> closed.size() == 1);
        assertTrue(s.isClosed());
        assertTrue(closed.get(0).contains("QEMU closed the listener connection"), closed.get(0));
        assertEquals(maps - 1, TestFds.memfdMappings(), "surface unmapped");
    }
}
