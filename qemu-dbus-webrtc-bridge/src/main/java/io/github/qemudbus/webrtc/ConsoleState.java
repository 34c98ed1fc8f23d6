package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qemudbus.display.frame.CpuFramesUnavailable;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.PathChange;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What viewers are told about one console: its size, mouse mode, frame path, whether the guest
 * turned it off, whether it follows the window size, and why it has no picture when QEMU's
 * DMA-BUFs cannot be read ({@code noCpuFrames}, QEMU with gl=on). Every change is broadcast to the
 * console's {@link Audience} as a {@code state} message; a viewer's {@code hello} starts from
 * {@link #message(String)}. Listens to the frame source for path changes, disable and close.
 */
final class ConsoleState implements FrameListener {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleState.class);

    private final int id;
    private final String label;
    private final int maxTouchSlots;
    private final Audience audience;
    private volatile int width;
    private volatile int height;
    private volatile boolean absolute;
    private volatile String path;
    private volatile boolean disabled;
    private volatile Boolean resizable;
    private volatile boolean vmRunning = true;
    private volatile String noCpuFrames;

    ConsoleState(ConsoleBackend backend, Audience audience) {
        this.id = backend.id();
        this.label = backend.label();
        this.maxTouchSlots = backend.maxTouchSlots();
        this.audience = audience;
        this.width = backend.width();
        this.height = backend.height();
        this.absolute = backend.isAbsolute();
        this.path = backend.activePath();
    }

    int id() {
        return id;
    }

    String label() {
        return label;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    boolean absolute() {
        return absolute;
    }

    String path() {
        return path;
    }

    /** Whether SetUIInfo works: null until the first try. */
    Boolean resizable() {
        return resizable;
    }

    /** What the message parser needs to clamp positions. */
    Protocol.Bounds bounds() {
        return new Protocol.Bounds(Math.max(1, width), Math.max(1, height), maxTouchSlots);
    }

    /** A new picture arrived: the display is on again. */
    void enabled() {
        disabled = false;
    }

    /** The surface has this size now (broadcast when it changed). */
    void size(int w, int h) {
        if (w > 0 && h > 0 && (w != width || h != height)) {
            width = w;
            height = h;
            broadcast();
        }
    }

    /** The mouse switched between absolute and relative. */
    void absolute(boolean abs) {
        if (abs != absolute) {
            absolute = abs;
            LOG.debug("console {}: mouse {}", id, abs ? "absolute" : "relative");
            broadcast();
        }
    }

    /** SetUIInfo was tried: whether it worked (broadcast the first time it is known). */
    void resizable(boolean r) {
        resizable = r;
        broadcast();
    }

    /**
     * The VM's QEMU went away ({@code false}) or came back ({@code true}): viewers show that the
     * VM is stopped and wait, rather than a frozen picture.
     */
    void vm(boolean running) {
        if (running != vmRunning) {
            vmRunning = running;
            LOG.info("console {}: VM {}", id, running ? "running again" : "stopped");
            broadcast();
        }
    }

    boolean vmRunning() {
        return vmRunning;
    }

    @Override
    public void onPathChange(PathChange change) {
        LOG.info("console {}: frame path {} ({})", id, change.to().id(), change.reason());
        path = change.to().id();
        broadcast();
    }

    /**
     * QEMU with gl=on sends DMA-BUFs the CPU cannot read, or readable ones again: viewers are
     * told why there is no picture (instead of a black screen) and what to change.
     */
    @Override
    public void onCpuFrames(Optional<CpuFramesUnavailable> unavailable) {
        noCpuFrames = unavailable.map(CpuFramesUnavailable::describe).orElse(null);
        if (noCpuFrames != null) {
            LOG.warn("console {}: {}", id, noCpuFrames);
        }
        broadcast();
    }

    /** Why the console has no CPU frames (QEMU gl=on, an unreadable DMA-BUF), or null. */
    String noCpuFrames() {
        return noCpuFrames;
    }

    @Override
    public void onDisabled() {
        disabled = true;
        broadcast();
    }

    @Override
    public void onClosed(String reason) {
        LOG.warn("console {} stopped: {}", id, reason);
        audience.broadcast(Protocol.bytes(Protocol.error("console-closed", "the console stopped: " + reason, null)));
    }

    /** The console's state as a message of type {@code type} ("state", "hello"). */
    ObjectNode message(String type) {
        ObjectNode m = Protocol.out(type);
        m.put("console", id);
        m.put("label", label);
        m.put("width", width);
        m.put("height", height);
        m.put("absolute", absolute);
        m.put("path", path);
        m.put("disabled", disabled);
        m.put("vm", vmRunning ? "running" : "stopped");
        if (resizable != null) {
            m.put("resizable", resizable);
        }
        if (noCpuFrames != null) {
            m.put("noCpuFrames", noCpuFrames);
        }
        return m;
    }

    private void broadcast() {
        audience.broadcast(Protocol.bytes(message("state")));
    }
}
