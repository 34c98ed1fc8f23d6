package io.github.qemudbus.webrtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One served console, put together from parts that each do one job: its {@link ConsoleState}
 * (what viewers are told), its {@link Audience} (who watches), its {@link VideoPump} (frames to
 * the shared video track), its {@link CursorMessages}, its {@link InputLane} (input in order),
 * its {@link ResizeDebouncer} and its {@link ConsoleStats}. The frame source's events go
 * straight to the parts that want them, as {@code FrameListener}s.
 */
final class ConsoleStream implements AutoCloseable {
    private final ConsoleBackend backend;
    private final Audience audience = new Audience();
    private final ConsoleState state;
    private final ConsoleStats stats = new ConsoleStats(System.nanoTime());
    private final CursorMessages cursor = new CursorMessages(audience::broadcast);
    private final VideoPump pump;
    private final InputLane lane;
    private final ResizeDebouncer resize;

    /** A console stream with the bridge's frame rate, refresh period, factory and timer. */
    static ConsoleStream of(ConsoleBackend backend, BridgeContext ctx) {
        return new ConsoleStream(backend, ctx.factory(), ctx.config().maxFrameRate(), ctx.config().refresh().toMillis(),
                ctx.scheduler());
    }

    ConsoleStream(ConsoleBackend backend, PeerConnectionFactory factory, int maxFps, long refreshMillis,
            ScheduledExecutorService scheduler) {
        this.backend = backend;
        this.state = new ConsoleState(backend, audience);
        this.pump = new VideoPump(backend, state, audience, stats, factory, maxFps, refreshMillis);
        this.lane = new InputLane("qemu-webrtc-input-" + backend.id());
        this.resize = new ResizeDebouncer(backend.id(), backend, state, lane,
                (task, ms) -> scheduler.schedule(task, ms, TimeUnit.MILLISECONDS));
    }

    /** Starts the backend's events and the pump. */
    void start() {
        backend.start(List.of(state, cursor, pump), state::absolute);
        pump.start();
    }

    int id() {
        return backend.id();
    }

    /** Where input for this console goes (from its input lane only). */
    ConsoleInput input() {
        return backend;
    }

    /** The console's pixels and events (tests, diagnostics). */
    ConsoleBackend backend() {
        return backend;
    }

    ConsoleState state() {
        return state;
    }

    Audience audience() {
        return audience;
    }

    VideoPump pump() {
        return pump;
    }

    CursorMessages cursor() {
        return cursor;
    }

    InputLane lane() {
        return lane;
    }

    ResizeDebouncer resize() {
        return resize;
    }

    ConsoleStats stats() {
        return stats;
    }

    /** Stops the pump, the backend's events and the input lane (running what is queued). */
    @Override
    public void close() {
        pump.stop();
        backend.close();
        pump.close();
        lane.close();
    }

    /** Frees the native track and source; only after every peer connection using them is closed. */
    void disposeNative() {
        pump.disposeNative();
    }
}
