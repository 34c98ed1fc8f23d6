package io.github.qemudbus.display.reliability;

import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.Rect;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Records what a frame source reports: damage events counted, close reasons kept. */
final class Events implements FrameListener {
    final List<String> closed = new CopyOnWriteArrayList<>();
    final AtomicInteger damage = new AtomicInteger();

    @Override
    public void onDamage(FrameSource source, Rect r, boolean newSurface) {
        damage.incrementAndGet();
    }

    @Override
    public void onClosed(String reason) {
        closed.add(reason);
    }
}
