package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.DmabufScanout;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands DMA-BUF scanouts and their damage to a {@link GpuConsumer} on a thread of its own, and
 * lets the link thread wait for the consumer's {@link GpuUpdate#done()} at most a bound, so
 * QEMU's {@code UpdateDMABUF} is answered soon whatever the consumer does. Memory stays bounded:
 * damage waiting in the queue is merged, and when scanouts pile up behind a stuck consumer the
 * oldest waiting one is closed unseen.
 */
final class GpuHandoff implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FrameSource.class);
    /** Scanouts waiting for a stuck consumer beyond this are closed unseen (each holds descriptors). */
    static final int MAX_WAITING_SCANOUTS = 4;

    private final GpuConsumer consumer;
    private final long boundNanos;
    private final String name;
    private final ArrayDeque<Object> queue = new ArrayDeque<>(); // GpuScanout | GpuUpdate; guarded by itself
    private final Thread thread;
    private long serial; // link thread only
    private volatile boolean closed;

    GpuHandoff(String name, GpuConsumer consumer, long boundNanos) {
        this.name = name;
        this.consumer = consumer;
        this.boundNanos = boundNanos;
        this.thread = new Thread(this::run, "frame-gpu-" + name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Queues a scanout with duplicates of its descriptors. Called on the link thread.
     *
     * @param d the scanout (its descriptors stay the caller's)
     * @param cpuReadable whether the source also maps it
     */
    void scanout(DmabufScanout d, boolean cpuReadable) {
        List<GpuScanout.Plane> planes = new ArrayList<>();
        try {
            for (DmabufScanout.Plane p : d.planes()) {
                planes.add(new GpuScanout.Plane(p.fd().duplicate(), p.offset(), p.stride()));
            }
        } catch (IOException e) {
            LOG.warn("frame source {}: cannot duplicate a DMA-BUF for the GPU consumer: {}", name, e.getMessage());
            for (GpuScanout.Plane p : planes) {
                p.fd().close();
            }
            return;
        }
        GpuScanout s = new GpuScanout(++serial, planes, d.x(), d.y(), d.width(), d.height(), d.backingWidth(),
                d.backingHeight(), d.fourcc(), d.modifier(), d.y0Top(), cpuReadable);
        GpuScanout dropped = null;
        synchronized (queue) {
            if (closed) {
                dropped = s;
            } else {
                queue.add(s);
                int waiting = 0;
                for (Object o : queue) {
                    waiting += o instanceof GpuScanout ? 1 : 0;
                }
                if (waiting > MAX_WAITING_SCANOUTS) {
                    dropped = dropOldest();
                }
                queue.notifyAll();
            }
        }
        if (dropped != null) {
            dropped.close();
        }
    }

    /** Removes the oldest waiting scanout and the damage queued after it (it was on that scanout). */
    private GpuScanout dropOldest() {
        GpuScanout oldest = null;
        for (Iterator<Object> it = queue.iterator(); it.hasNext();) {
            Object o = it.next();
            if (oldest == null && o instanceof GpuScanout g) {
                oldest = g;
                it.remove();
            } else if (oldest != null && o instanceof GpuUpdate u) {
                u.done();
                it.remove();
            } else if (oldest != null) {
                break;
            }
        }
        LOG.debug("frame source {}: GPU consumer is behind: closed {} unseen", name, oldest);
        return oldest;
    }

    /**
     * Queues damage (merged into damage still waiting) and waits for the consumer's done, at most
     * the bound. Called on the link thread, which answers QEMU when this returns.
     *
     * @param r the damage
     * @return nanoseconds waited
     */
    long update(Rect r) {
        long t0 = System.nanoTime();
        GpuUpdate u;
        synchronized (queue) {
            if (closed || serial == 0) {
                return 0;
            }
            Object last = queue.peekLast();
            if (last instanceof GpuUpdate waiting) {
                waiting.merge(r);
                u = waiting;
            } else {
                u = new GpuUpdate(serial, r);
                queue.add(u);
                queue.notifyAll();
            }
        }
        try {
            u.await(boundNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return System.nanoTime() - t0;
    }

    private void run() {
        while (true) {
            Object next;
            synchronized (queue) {
                while (queue.isEmpty() && !closed) {
                    try {
                        queue.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                next = queue.poll();
            }
            try {
                if (next instanceof GpuScanout s) {
                    consumer.onScanout(s);
                } else {
                    consumer.onUpdate((GpuUpdate) next);
                }
            } catch (RuntimeException e) {
                LOG.warn("frame source {}: GPU consumer failed", name, e);
                if (next instanceof GpuUpdate u) {
                    u.done();
                }
            }
        }
    }

    /** Stops the thread; scanouts still queued are closed, waiting damage is released. Idempotent. */
    @Override
    public void close() {
        List<Object> left;
        synchronized (queue) {
            closed = true;
            left = new ArrayList<>(queue);
            queue.clear();
            queue.notifyAll();
        }
        for (Object o : left) {
            if (o instanceof GpuScanout s) {
                s.close();
            } else if (o instanceof GpuUpdate u) {
                u.done();
            }
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
