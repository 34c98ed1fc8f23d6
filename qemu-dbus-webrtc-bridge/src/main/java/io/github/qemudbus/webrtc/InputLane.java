package io.github.qemudbus.webrtc;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One console's input lane: a single thread that applies the input of all its viewers and
 * relays in the order it arrived, so that a slow QEMU call never blocks a WebRTC or HTTP
 * thread. Work beyond {@link #CAPACITY} queued items is dropped and counted.
 */
final class InputLane implements AutoCloseable {
    static final int CAPACITY = 2048;

    private final ThreadPoolExecutor executor;
    private final AtomicLong dropped = new AtomicLong();

    InputLane(String name) {
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(CAPACITY),
                r -> Threads.daemon(r, name), (r, ex) -> dropped.incrementAndGet());
    }

    /** Runs {@code work} after everything submitted before; counts it as dropped when the lane is full or closed. */
    void submit(Runnable work) {
        executor.execute(work);
    }

    /** Work dropped so far. */
    long dropped() {
        return dropped.get();
    }

    /** Runs what is queued (for up to 2 s), then stops. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }
}
