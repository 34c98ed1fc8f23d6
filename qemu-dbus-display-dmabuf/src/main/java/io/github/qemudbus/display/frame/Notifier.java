package io.github.qemudbus.display.frame;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a source's events to its {@link FrameListener}s on one daemon thread. Posting
 * never blocks (beyond a short lock): damage and cursor changes are coalesced while the
 * thread is busy, so a slow listener sees fewer, larger damage rectangles. Rare events
 * (path changes, disable, close) are queued in order; pending damage and cursor are flushed
 * into the queue ahead of them so the order is kept.
 */
final class Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    private final FrameSource source;
    private final List<FrameListener> listeners = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private final Thread thread;
    private Rect damage;
    private boolean damageNewSurface;
    private CursorState cursor;
    private boolean stopped;

    private record Damage(Rect rect, boolean newSurface) {
    }

    private record CpuFrames(Optional<CpuFramesUnavailable> state) {
    }

    private record Disabled() {
    }

    private record Closed(String reason) {
    }

    /** The current picture (and cursor), for one listener that joined late. */
    private record Replay(FrameListener target, Rect rect, CursorState cursor) {
    }

    Notifier(FrameSource source, String name) {
        this.source = source;
        this.thread = new Thread(this::run, "frame-notifier-" + name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    AutoCloseable add(FrameListener l) {
        listeners.add(l);
        return () -> listeners.remove(l);
    }

    /** Gives a late listener the whole current surface (and cursor) as its first events. */
    synchronized void replay(FrameListener target, Rect rect, CursorState cursor) {
        if (stopped) {
            return;
        }
        queue.add(new Replay(target, rect, cursor));
        notifyAll();
    }

    boolean isNotifierThread() {
        return Thread.currentThread() == thread;
    }

    synchronized void damage(Rect r, boolean newSurface) {
        if (stopped) {
            return;
        }
        damage = damage == null ? r : damage.union(r);
        damageNewSurface |= newSurface;
        notifyAll();
    }

    synchronized void cursor(CursorState c) {
        if (stopped) {
            return;
        }
        cursor = c;
        notifyAll();
    }

    synchronized void pathChange(PathChange c) {
        enqueue(c);
    }

    synchronized void cpuFrames(Optional<CpuFramesUnavailable> state) {
        enqueue(new CpuFrames(state));
    }

    synchronized void disabled() {
        enqueue(new Disabled());
    }

    /** Queues onClosed as the last event; the thread ends after delivering it. */
    synchronized void closed(String reason) {
        enqueue(new Closed(reason));
        stopped = true;
    }

    private void enqueue(Object event) {
        if (stopped) {
            return;
        }
        flushSlots();
        queue.add(event);
        notifyAll();
    }

    private void flushSlots() {
        if (damage != null) {
            queue.add(new Damage(damage, damageNewSurface));
            damage = null;
            damageNewSurface = false;
        }
        if (cursor != null) {
            queue.add(cursor);
            cursor = null;
        }
    }

    /** Waits until the thread delivered everything and ended (not from the notifier thread itself). */
    void join(long millis) {
        if (isNotifierThread()) {
            return;
        }
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Object next() throws InterruptedException {
        synchronized (this) {
            while (true) {
                Object e = queue.poll();
                if (e != null) {
                    return e;
                }
                if (damage != null) {
                    Damage d = new Damage(damage, damageNewSurface);
                    damage = null;
                    damageNewSurface = false;
                    return d;
                }
                if (cursor != null) {
                    CursorState c = cursor;
                    cursor = null;
                    return c;
                }
                wait();
            }
        }
    }

    private void replayTo(Replay r) {
        if (!listeners.contains(r.target())) {
            return;
        }
        try {
            if (r.rect() != null) {
                r.target().onDamage(source, r.rect(), true);
            }
            if (r.cursor() != null) {
                r.target().onCursor(r.cursor());
            }
        } catch (RuntimeException ex) {
            LOG.warn("frame listener {} threw", r.target(), ex);
        }
    }

    private void run() {
        try {
            while (true) {
                Object e = next();
                if (e instanceof Replay r) {
                    replayTo(r);
                    continue;
                }
                for (FrameListener l : listeners) {
                    try {
                        if (e instanceof Damage d) {
                            l.onDamage(source, d.rect(), d.newSurface());
                        } else if (e instanceof CursorState c) {
                            l.onCursor(c);
                        } else if (e instanceof PathChange p) {
                            l.onPathChange(p);
                        } else if (e instanceof CpuFrames c) {
                            l.onCpuFrames(c.state());
                        } else if (e instanceof Disabled) {
                            l.onDisabled();
                        } else if (e instanceof Closed c) {
                            l.onClosed(c.reason());
                        }
                    } catch (RuntimeException ex) {
                        LOG.warn("frame listener {} threw", l, ex);
                    }
                }
                if (e instanceof Closed) {
                    return;
                }
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
