package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The input lane: one thread, work in the order it came, overflow counted. */
class InputLaneTest {

    @Test
    void runsWorkInOrderOnOneThread() throws Exception {
        List<Integer> seen = new ArrayList<>(); // only the lane's thread touches it
        List<String> threads = new ArrayList<>();
        try (InputLane lane = new InputLane("lane-order")) {
            for (int i = 0; i < 1000; i++) {
                int n = i;
                lane.submit(() -> {
                    seen.add(n);
                    threads.add(Thread.currentThread().getName());
                });
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            lane.submit(() -> done.complete(null));
            done.get(5, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, seen.get(i));
        }
        assertEquals(1, threads.stream().distinct().count());
        assertEquals("lane-order", threads.get(0));
    }

    @Test
    void workBeyondTheQueueIsDroppedAndCounted() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (InputLane lane = new InputLane("lane-full")) {
            lane.submit(() -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            running.await(5, TimeUnit.SECONDS);
            for (int i = 0; i < InputLane.CAPACITY + 7; i++) {
                lane.submit(() -> { });
            }
            assertEquals(7, lane.dropped());
            release.countDown();
        }
    }

    @Test
    void closeRunsWhatIsQueuedThenDropsLateWork() {
        List<Integer> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        InputLane lane = new InputLane("lane-close");
        for (int i = 0; i < 10; i++) {
            int n = i;
            lane.submit(() -> seen.add(n));
        }
        lane.close();
        assertEquals(10, seen.size(), "queued work (a viewer's key release) still runs");
        lane.submit(() -> seen.add(99));
        assertEquals(1, lane.dropped());
        assertEquals(10, seen.size());
    }
}
