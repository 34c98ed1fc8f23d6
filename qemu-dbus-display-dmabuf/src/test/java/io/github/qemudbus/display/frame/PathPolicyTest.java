package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.ListenerFeature;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The path policy alone: from what happened to the change it records and what to advertise next. */
class PathPolicyTest {
    private static final Set<ListenerFeature> ALL = PathPolicy.features(EnumSet.allOf(FramePath.class));

    private final List<PathChange> sunk = new ArrayList<>();

    private PathPolicy policy(Set<FramePath> allowed) {
        return new PathPolicy("policy-test", allowed, sunk::add);
    }

    private static PathChange last(PathPolicy p) {
        List<PathChange> c = p.changes();
        return c.get(c.size() - 1);
    }

    @Test
    void describesTheAdvertisedFeatures() {
        assertEquals("no optional interface and no fd passing (copies only)", PathPolicy.describe(Set.of()));
        assertEquals("fd passing (ScanoutDMABUF) + Listener.Unix.Map", PathPolicy.describe(
                PathPolicy.features(EnumSet.of(FramePath.MAP, FramePath.COPY))));
        assertEquals("fd passing (ScanoutDMABUF) + Listener.Unix.Map + Listener.Unix.ScanoutDMABUF2",
                PathPolicy.describe(ALL));
    }

    @Test
    void theFirstSurfaceIsTheNegotiationAndTheSameStaysSilent() {
        PathPolicy p = policy(EnumSet.allOf(FramePath.class));
        assertNull(p.active());
        assertEquals(ALL, p.advertise());
        p.surface(FramePath.MAP, "ScanoutMap", ALL);
        assertEquals(FramePath.MAP, p.active());
        PathChange c = p.changes().get(0);
        assertNull(c.from());
        assertEquals(FramePath.MAP, c.to());
        assertEquals("negotiated: listener advertised " + PathPolicy.describe(ALL) + "; QEMU chose map (ScanoutMap)",
                c.reason());
        p.surface(FramePath.MAP, "ScanoutMap", ALL);
        assertEquals(1, p.changes().size(), "same path again is no change");
        assertEquals(p.changes(), sunk, "every change reaches the sink, in order");
    }

    @Test
    void copiesWhereAMapWasPossibleSayWhy() {
        PathPolicy p = policy(EnumSet.allOf(FramePath.class));
        p.surface(FramePath.COPY, "Scanout", ALL);
        assertTrue(last(p).reason().contains("no shared map for this surface: std VGA"), last(p).reason());
    }

    @Test
    void switchesQemuMakesOnItsOwnHaveTheirReasons() {
        PathPolicy p = policy(EnumSet.allOf(FramePath.class));
        p.surface(FramePath.MAP, "ScanoutMap", ALL);
        p.surface(FramePath.COPY, "Scanout", ALL);
        assertTrue(last(p).reason().startsWith("QEMU stopped using the shared map: it sent Scanout"), last(p).reason());
        p.surface(FramePath.MAP, "ScanoutMap", ALL);
        assertTrue(last(p).reason().startsWith("QEMU sent ScanoutMap again"), last(p).reason());
        p.surface(FramePath.DMABUF, "ScanoutDMABUF", ALL);
        assertEquals("QEMU started sending DMA-BUFs (ScanoutDMABUF)", last(p).reason());
        p.surface(FramePath.COPY, "Scanout", ALL);
        assertTrue(last(p).reason().startsWith("QEMU stopped sending DMA-BUFs: it sent Scanout"), last(p).reason());
        assertEquals(5, p.changes().size());
        assertEquals(FramePath.COPY, p.active());
    }

    @Test
    void aForcedPathQemuDidNotUseIsExplained() {
        PathPolicy map = policy(EnumSet.of(FramePath.MAP));
        map.surface(FramePath.COPY, "Scanout", PathPolicy.features(EnumSet.of(FramePath.MAP)));
        assertTrue(last(map).reason().contains("forced to map but QEMU sent Scanout: this surface has no shared "
                + "memory"), last(map).reason());
        PathPolicy dmabuf = policy(EnumSet.of(FramePath.DMABUF));
        dmabuf.surface(FramePath.COPY, "Scanout", PathPolicy.features(EnumSet.of(FramePath.DMABUF)));
        assertTrue(last(dmabuf).reason().contains("forced to dmabuf but QEMU sent Scanout: QEMU runs without GL"),
                last(dmabuf).reason());
    }

    @Test
    void aRefusedMapKeepsQemusOwnFallbackWithoutRegisteringAgain() {
        PathPolicy p = policy(EnumSet.allOf(FramePath.class));
        p.mapRefused("memfd holds 100 bytes", ALL);
        List<PathChange> c = p.changes();
        assertEquals(2, c.size(), c.toString());
        assertNull(c.get(0).from());
        assertEquals(FramePath.MAP, c.get(0).to());
        assertTrue(c.get(0).reason().contains("QEMU chose map (ScanoutMap)"), c.get(0).reason());
        assertEquals(FramePath.MAP, c.get(1).from());
        assertEquals(FramePath.COPY, c.get(1).to());
        assertEquals("ScanoutMap refused: memfd holds 100 bytes; QEMU now sends Scanout/Update copies on this "
                + "listener for good", c.get(1).reason());
        assertEquals(FramePath.COPY, p.active());
        assertEquals(PathPolicy.features(EnumSet.of(FramePath.DMABUF, FramePath.COPY)), p.advertise(),
                "a later registration would not advertise the map");
    }

    @Test
    void aRefusedForcedMapSaysCopiesAreShownAnyway() {
        PathPolicy p = policy(EnumSet.of(FramePath.MAP));
        p.mapRefused("not a memfd", PathPolicy.features(EnumSet.of(FramePath.MAP)));
        assertTrue(last(p).reason().endsWith("(copy is not among the allowed paths, but QEMU sends copies anyway: "
                + "showing them)"), last(p).reason());
    }

    @Test
    void anUnreadableDmabufKeepsTheLinkAndReportsNoCpuFramesOnce() {
        // was: anUnreadableDmabufRegistersAgainForCopiesOnce (issue 16: under gl=on a registration
        // without DMA-BUF gets nothing, so the policy no longer asks for one)
        PathPolicy p = policy(EnumSet.allOf(FramePath.class));
        assertNull(p.cpuFramesUnavailable());
        p.surface(FramePath.DMABUF, "ScanoutDMABUF", ALL);
        p.dmabufUnreadable("modifier 0x1 is not linear", 0x34325258, 1L, 1, ALL, "ScanoutDMABUF");
        PathChange c = last(p);
        assertEquals(FramePath.DMABUF, c.from());
        assertEquals(FramePath.DMABUF, c.to());
        assertTrue(c.reason().startsWith("no CPU frames: QEMU runs with gl=on and its DMA-BUF is not CPU-readable "
                + "(modifier 0x1 is not linear); fix: run QEMU with gl=off and -device virtio-vga"), c.reason());
        assertTrue(c.reason().contains("The listener link is kept"), c.reason());
        CpuFramesUnavailable u = p.cpuFramesUnavailable();
        assertEquals("modifier 0x1 is not linear", u.reason());
        assertEquals(1L, u.modifier());
        assertEquals(0x34325258, u.fourcc());
        assertEquals(ALL, p.advertise(), "nothing is taken away: no registration advertises less");
        p.dmabufUnreadable("modifier 0x1 is not linear", 0x34325258, 1L, 1, ALL, "ScanoutDMABUF");
        assertEquals(2, p.changes().size(), "the same reason is recorded once");
        p.dmabufUnreadable("fourcc NV12 (0x3231564e) is not an RGB format the SDK reads (2 planes)", 0x3231564e, 0,
                2, ALL, "ScanoutDMABUF2");
        assertEquals(3, p.changes().size(), "a new reason is recorded");
        assertEquals(2, p.cpuFramesUnavailable().planes());
        p.surface(FramePath.DMABUF, "ScanoutDMABUF", ALL);
        assertNull(p.cpuFramesUnavailable(), "a readable buffer ends the state");
        assertEquals("CPU frames again: QEMU sent a CPU-readable ScanoutDMABUF", last(p).reason());
    }

    @Test
    void anUnreadableFirstDmabufIsTheNegotiationToo() {
        PathPolicy p = policy(EnumSet.of(FramePath.DMABUF, FramePath.MAP));
        p.dmabufUnreadable("modifier 0x1 is not linear", 0x34325258, 1L, 1, ALL, "ScanoutDMABUF2");
        assertEquals(2, p.changes().size());
        assertNull(p.changes().get(0).from());
        assertTrue(p.changes().get(0).reason().contains("QEMU chose dmabuf (ScanoutDMABUF2)"),
                p.changes().get(0).reason());
        assertEquals(FramePath.DMABUF, p.active());
    }

    @Test
    void aMalformedDmabufIsRefusedWithoutTheGpuOnlyState() {
        PathPolicy p = policy(EnumSet.of(FramePath.DMABUF));
        p.surface(FramePath.DMABUF, "ScanoutDMABUF", ALL);
        p.dmabufRefused("plane 0: buffer holds 10 bytes", ALL, "ScanoutDMABUF");
        assertNull(p.cpuFramesUnavailable());
        assertEquals("ScanoutDMABUF refused: plane 0: buffer holds 10 bytes; no frames until QEMU sends a usable "
                + "buffer (the listener link is kept)", last(p).reason());
    }
}
