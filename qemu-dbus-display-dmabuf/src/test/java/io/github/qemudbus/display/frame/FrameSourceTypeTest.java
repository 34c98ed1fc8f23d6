package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.PixelFormat;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * One frame-source type: a plain and a re-attaching source are both {@link FrameSource}s, built
 * from the same builder options.
 */
class FrameSourceTypeTest {
    private static final int XRGB = PixelFormat.XRGB8888.pixmanCode();

    /** What code that takes a {@code FrameSource} (the bridge, the examples) does with it. */
    private static String describe(FrameSource s) {
        return s.name() + " " + (s.activePath() == null ? "none" : s.activePath().id()) + " "
                + s.stats().surfaces() + " " + s.pathChanges().size() + " " + s.allowedPaths();
    }

    @Test
    void aPlainBuildIsAnAttachedSourceWithTheBuildersOptions() {
        FrameSourceUnitTest.DirectRegistrar r = new FrameSourceUnitTest.DirectRegistrar();
        try (FrameSource s = FrameSource.builder(r).paths(EnumSet.of(FramePath.MAP, FramePath.COPY)).name("plain")
                .build()) {
            assertInstanceOf(AttachedFrameSource.class, s);
            assertEquals(Set.of(FramePath.MAP, FramePath.COPY), s.allowedPaths());
            assertEquals(PathPolicy.features(EnumSet.of(FramePath.MAP)), r.features.get(0));
            assertEquals("plain none 0 0 [MAP, COPY]", describe(s));
            assertThrows(UnsupportedOperationException.class, () -> s.allowedPaths().add(FramePath.DMABUF));
        }
        assertThrows(IllegalArgumentException.class, () -> FrameSource.builder(r).paths(Set.of()));
        assertThrows(NullPointerException.class, () -> FrameSource.builder(null));
    }

    @Test
    void reattachKeepsTheOptionsAndReAttachesAfterTheLinkEnds() throws Exception {
        FrameSourceUnitTest.DirectRegistrar r = new FrameSourceUnitTest.DirectRegistrar();
        List<String> events = new CopyOnWriteArrayList<>();
        FrameListener early = new FrameListener() {
            @Override
            public void onDamage(FrameSource source, Rect damage, boolean newSurface) {
                events.add("damage from " + source.name());
            }

            @Override
            public void onClosed(String reason) {
                events.add("closed: " + reason);
            }
        };
        ReconnectingFrameSource.Builder b = FrameSource.builder(r).path(FramePath.COPY).name("re").listener(early)
                .reattach().retryInterval(Duration.ofMillis(20));
        try (FrameSource s = b.build()) {
            ReconnectingFrameSource rec = assertInstanceOf(ReconnectingFrameSource.class, s);
            assertEquals(1, r.listeners.size());
            assertEquals(Set.of(), r.features.get(0), "forced copy advertises nothing");
            assertEquals("re#1", rec.current().orElseThrow().name());
            r.last().scanout(4, 3, 16, XRGB, FrameSourceUnitTest.pixels(4, 3, 16, 1));
            assertTrue(s.awaitFrame(Duration.ofSeconds(5)));
            assertEquals("re copy 1 1 [COPY]", describe(s));
            FrameSourceTck.await("damage", Duration.ofSeconds(5), () -> !events.isEmpty());
            assertEquals("damage from re#1", events.get(0), "onDamage names the attachment's source");
            r.last().mouseSet(3, 4, true);
            assertEquals(3, s.cursor().x());

            r.last().disconnected("QEMU went away");
            ConsoleListener second = r.awaitRegistration(2);
            FrameSourceTck.await("attachment 2", Duration.ofSeconds(5), () -> rec.attachments() == 2);
            assertEquals(1, rec.detachments());
            assertEquals("listener link ended: QEMU went away", rec.lastDetachReason());
            assertEquals("re none 0 0 [COPY]", describe(s), "the new attachment negotiates afresh");
            assertSame(ScreenState.NO_CURSOR, s.cursor());
            second.scanout(8, 6, 32, XRGB, FrameSourceUnitTest.pixels(8, 6, 32, 2));
            try (Frame f = s.acquireFrame().orElseThrow()) {
                assertEquals(8, f.width());
            }
            assertFalse(events.stream().anyMatch(e -> e.startsWith("closed")), "no onClosed between attachments");
        }
        assertEquals("closed: closed by the application", events.get(events.size() - 1));
    }

    @Test
    void beforeAnyAttachmentTheSourceAnswersEmpty() {
        ListenerRegistrar refusing = (ConsoleListener l, Set<io.github.qemudbus.display.ListenerFeature> f) -> {
            throw new IllegalStateException("ServiceUnknown");
        };
        try (FrameSource s = ReconnectingFrameSource.builder(refusing).retryInterval(Duration.ofMillis(50))
                .build()) {
            assertFalse(s.isClosed());
            assertNull(s.activePath());
            assertTrue(s.acquireFrame().isEmpty());
            assertTrue(s.pathChanges().isEmpty());
            assertEquals(new FrameStats(null, 0, 0, 0, 0, 0), s.stats());
            assertSame(ScreenState.NO_CURSOR, s.cursor());
            assertEquals(EnumSet.allOf(FramePath.class), s.allowedPaths());
            assertTrue(s.name().startsWith("reconnecting-"), s.name());
            assertEquals("ServiceUnknown", ((ReconnectingFrameSource) s).lastFailure());
        }
    }
}
