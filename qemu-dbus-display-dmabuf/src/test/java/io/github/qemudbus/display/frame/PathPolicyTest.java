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
        assertNull(p.failed(FramePath.MAP, "memfd holds 100 bytes", ALL, false), "no new registration");
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
        p.failed(FramePath.MAP, "not a memfd", PathPolicy.features(EnumSet.of(FramePath.MAP)), false);
        assertTrue(last(p).reason().endsWith("(copy is not among the allowed paths, but QEMU sends copies anyway: "
                + "showing them)"), last(p).reason());
    }

    @Test
    void anUnreadableDmabufRegistersAgainForCopiesOnce() {
        PathPolicy p = policy(EnumSet.allOf(FramePath.class));
        p.surface(FramePath.DMABUF, "ScanoutDMABUF", ALL);
        Set<ListenerFeature> again = p.failed(FramePath.DMABUF, "modifier 0x1 is not linear", ALL, false);
        assertEquals(Set.of(), again, "copies only: GL QEMU never uses ScanoutMap");
        PathChange c = last(p);
        assertEquals(FramePath.DMABUF, c.from());
        assertEquals(FramePath.COPY, c.to());
        assertEquals("DMA-BUF unusable: modifier 0x1 is not linear; registering again advertising no optional "
                + "interface and no fd passing (copies only)", c.reason());
        assertEquals(Set.of(), p.advertise());
        assertNull(p.failed(FramePath.DMABUF, "again", ALL, true), "a re-registration is already under way");
        assertEquals(2, p.changes().size());
    }

    @Test
    void anUnreadableDmabufWithoutCopiesFallsBackToTheMap() {
        Set<FramePath> allowed = EnumSet.of(FramePath.DMABUF, FramePath.MAP);
        PathPolicy p = policy(allowed);
        Set<ListenerFeature> again = p.failed(FramePath.DMABUF, "unknown fourcc", PathPolicy.features(allowed), false);
        assertEquals(EnumSet.of(ListenerFeature.FD_PASSING, ListenerFeature.SHARED_MAP), again);
        assertEquals(FramePath.MAP, last(p).to());
        assertTrue(last(p).reason().endsWith("registering again advertising fd passing (ScanoutDMABUF) + "
                + "Listener.Unix.Map"), last(p).reason());
    }

    @Test
    void aForcedDmabufHasNowhereToGo() {
        PathPolicy p = policy(EnumSet.of(FramePath.DMABUF));
        assertNull(p.failed(FramePath.DMABUF, "fourcc NV12", PathPolicy.features(EnumSet.of(FramePath.DMABUF)),
                false));
        PathChange c = last(p);
        assertEquals(FramePath.DMABUF, c.from());
        assertEquals(FramePath.DMABUF, c.to());
        assertTrue(c.reason().contains("no other path is allowed (forced dmabuf)"), c.reason());
    }
}
