package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SetUIInfo debouncing, with the delay in the test's hands (tasks run when the test says). */
class ResizeDebouncerTest {
    private final SyntheticConsole console = new SyntheticConsole(0, 320, 240, 0);
    private final Audience audience = new Audience();
    private final ConsoleState state = new ConsoleState(console, audience);
    private final InputLane lane = new InputLane("test-lane");
    private final List<Runnable> scheduled = new ArrayList<>();
    private final List<Long> delays = new ArrayList<>();
    private final List<String> replies = new ArrayList<>();
    private final List<String> broadcasts = new ArrayList<>();
    private final ResizeDebouncer resize = new ResizeDebouncer(0, console, state, lane, this::schedule);
    private final Replies from = new Replies() {
        @Override
        public void error(String code, String message, String ref) {
            replies.add(code + " " + ref);
        }

        @Override
        public void errorOnce(String code, String message, String ref) {
            replies.add("once " + code + " " + ref);
        }
    };

    ResizeDebouncerTest() {
        audience.addRelay(m -> broadcasts.add(new String(m, java.nio.charset.StandardCharsets.UTF_8)));
    }

    private Future<?> schedule(Runnable task, long ms) {
        CompletableFuture<Void> done = new CompletableFuture<>(); // done once the test has run it
        scheduled.add(() -> {
            task.run();
            done.complete(null);
        });
        delays.add(ms);
        return done;
    }

    /** Runs the scheduled tasks, then waits until the lane has run what they queued. */
    private void elapse() throws Exception {
        List<Runnable> now = List.copyOf(scheduled);
        scheduled.clear();
        now.forEach(Runnable::run);
        CompletableFuture<Void> drained = new CompletableFuture<>();
        lane.submit(() -> drained.complete(null));
        drained.get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        lane.close();
    }

    @Test
    void aBurstBecomesOneCallWithTheLastSize() throws Exception {
        console.resizable = true;
        resize.request(new Protocol.Resize(800, 600, 0, 0), from);
        resize.request(new Protocol.Resize(900, 700, 0, 0), from);
        resize.request(new Protocol.Resize(1000, 750, 0, 0), from);
        assertEquals(List.of(ResizeDebouncer.DELAY_MS), delays, "one timer for the burst");
        assertTrue(console.input.isEmpty(), "nothing before the delay");
        elapse();
        assertEquals(List.of("resize 1000x750"), console.input);
        assertEquals(Boolean.TRUE, state.resizable());
        assertEquals(1, broadcasts.size(), "the first success is announced once");
        assertTrue(broadcasts.get(0).contains("\"resizable\":true"), broadcasts.get(0));

        resize.request(new Protocol.Resize(640, 480, 0, 0), from); // after the delay: a new timer
        assertEquals(2, delays.size());
        elapse();
        assertEquals(List.of("resize 1000x750", "resize 640x480"), console.input);
        assertEquals(1, broadcasts.size(), "nothing new to announce");
        assertTrue(replies.isEmpty(), replies.toString());
    }

    @Test
    void aDeviceThatCannotFollowIsRememberedAndRefusedAtOnce() throws Exception {
        console.resizable = false;
        resize.request(new Protocol.Resize(800, 600, 0, 0), from);
        elapse();
        assertEquals(Boolean.FALSE, state.resizable());
        assertEquals(List.of("once unsupported resize"), replies);
        assertTrue(broadcasts.get(0).contains("\"resizable\":false"), broadcasts.get(0));

        delays.clear();
        resize.request(new Protocol.Resize(801, 600, 0, 0), from);
        assertTrue(delays.isEmpty(), "refused without a timer");
        assertEquals(List.of("once unsupported resize", "once unsupported resize"), replies);
        assertTrue(console.input.isEmpty());
    }
}
