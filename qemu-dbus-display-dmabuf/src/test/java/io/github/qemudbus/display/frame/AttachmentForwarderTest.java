package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The forwarder alone: every event to every listener, onClosed ends the attachment instead. */
class AttachmentForwarderTest {

    /** Writes each event it gets into a shared log, under its own name. */
    private static FrameListener recorder(String name, List<String> log) {
        return new FrameListener() {
            @Override
            public void onDamage(FrameSource source, Rect damage, boolean newSurface) {
                log.add(name + " damage " + damage.width() + "x" + damage.height() + " " + newSurface);
            }

            @Override
            public void onCursor(CursorState cursor) {
                log.add(name + " cursor " + cursor.serial());
            }

            @Override
            public void onDisabled() {
                log.add(name + " disabled");
            }

            @Override
            public void onPathChange(PathChange change) {
                log.add(name + " path " + change.to().id());
            }

            @Override
            public void onClosed(String reason) {
                log.add(name + " closed");
            }
        };
    }

    @Test
    void everyEventReachesEveryListenerButOnClosedEndsTheAttachment() {
        List<String> log = new CopyOnWriteArrayList<>();
        List<FrameListener> targets = new CopyOnWriteArrayList<>();
        targets.add(new FrameListener() {
            @Override
            public void onDamage(FrameSource source, Rect damage, boolean newSurface) {
                throw new IllegalStateException("a broken listener");
            }
        });
        targets.add(recorder("a", log));
        targets.add(recorder("b", log));
        AtomicInteger ended = new AtomicInteger();
        AttachmentForwarder f = new AttachmentForwarder(targets, ended::incrementAndGet);
        f.onDamage(null, new Rect(0, 0, 4, 3), true);
        f.onCursor(new CursorState(0, 0, 0, 0, new int[0], 1, 2, true, 7));
        f.onDisabled();
        f.onPathChange(new PathChange(null, FramePath.MAP, "negotiated", Instant.EPOCH));
        targets.remove(2);
        f.onClosed("link ended");
        assertEquals(List.of("a damage 4x3 true", "b damage 4x3 true", "a cursor 7", "b cursor 7", "a disabled",
                "b disabled", "a path map", "b path map"), log, "listeners are read at each event; no onClosed");
        assertEquals(1, ended.get());
    }
}
