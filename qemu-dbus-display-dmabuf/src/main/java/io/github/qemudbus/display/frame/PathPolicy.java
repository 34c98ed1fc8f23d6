package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.ListenerFeature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Path negotiation and fallback: which features to advertise, which path QEMU chose and why,
 * and what a failed path means (QEMU's own fallback to copies after a refused map; the
 * no-CPU-frames state after an unreadable DMA-BUF). Decides from its inputs only; the caller carries the decisions out. Records every
 * change, logs it and hands it to a sink (the notifier). Thread-safe.
 */
final class PathPolicy {
    // the frame source's logger: users (and the doctor command) configure path-change warnings by that name
    private static final Logger LOG = LoggerFactory.getLogger(FrameSource.class);

    private final String name;
    private final Set<FramePath> allowed;
    private final boolean forced;
    private final Consumer<PathChange> sink;
    private final Consumer<Optional<CpuFramesUnavailable>> cpuSink;
    private final EnumSet<FramePath> usable;
    private final List<PathChange> changes = new ArrayList<>();
    private volatile FramePath active;
    private volatile CpuFramesUnavailable cpuless;

    /**
     * A policy for one source.
     *
     * @param name the source's name, for the log
     * @param allowed the allowed paths (one path: forced)
     * @param sink receives every change, in order
     */
    PathPolicy(String name, Set<FramePath> allowed, Consumer<PathChange> sink) {
        this(name, allowed, sink, state -> { });
    }

    /**
     * A policy for one source that also reports the no-CPU-frames state.
     *
     * @param name the source's name, for the log
     * @param allowed the allowed paths (one path: forced)
     * @param sink receives every change, in order
     * @param cpuSink receives the no-CPU-frames state when it begins, changes or ends, after its change
     */
    PathPolicy(String name, Set<FramePath> allowed, Consumer<PathChange> sink,
            Consumer<Optional<CpuFramesUnavailable>> cpuSink) {
        this.cpuSink = cpuSink;
        this.name = name;
        this.allowed = Collections.unmodifiableSet(EnumSet.copyOf(allowed));
        this.forced = allowed.size() == 1;
        this.usable = EnumSet.copyOf(allowed);
        this.sink = sink;
    }

    /** The features advertised for a set of paths. */
    static EnumSet<ListenerFeature> features(Set<FramePath> paths) {
        EnumSet<ListenerFeature> f = EnumSet.noneOf(ListenerFeature.class);
        if (paths.contains(FramePath.DMABUF)) {
            f.add(ListenerFeature.FD_PASSING);
            f.add(ListenerFeature.DMABUF2);
        }
        if (paths.contains(FramePath.MAP)) {
            f.add(ListenerFeature.FD_PASSING);
            f.add(ListenerFeature.SHARED_MAP);
        }
        return f;
    }

    /** Advertised features in words, for path-change reasons and the log. */
    static String describe(Set<ListenerFeature> f) {
        if (f.isEmpty()) {
            return "no optional interface and no fd passing (copies only)";
        }
        List<String> parts = new ArrayList<>();
        if (f.contains(ListenerFeature.FD_PASSING)) {
            parts.add("fd passing (ScanoutDMABUF)");
        }
        if (f.contains(ListenerFeature.SHARED_MAP)) {
            parts.add("Listener.Unix.Map");
        }
        if (f.contains(ListenerFeature.DMABUF2)) {
            parts.add("Listener.Unix.ScanoutDMABUF2");
        }
        return String.join(" + ", parts);
    }

    /** The paths the source may use. */
    Set<FramePath> allowed() {
        return allowed;
    }

    /** The features of the paths still usable: what the next registration advertises. */
    synchronized EnumSet<ListenerFeature> advertise() {
        return features(usable);
    }

    /** The path of the current surface (or the one a fallback switched to); null before the first. */
    FramePath active() {
        return active;
    }

    /** Every change so far, oldest first. */
    synchronized List<PathChange> changes() {
        return List.copyOf(changes);
    }

    /**
     * A surface arrived on {@code path}: records the first negotiation or a switch QEMU made on its own.
     *
     * @param path the surface's path
     * @param call the call that brought it, for the reason
     * @param advertised what the listener it came on advertised
     */
    synchronized void surface(FramePath path, String call, Set<ListenerFeature> advertised) {
        FramePath prev = active;
        if (cpuless != null) {
            cpuless = null;
            change(prev, path, "CPU frames again: QEMU sent a CPU-readable " + call);
            cpuSink.accept(Optional.empty());
        } else if (prev == null) {
            change(null, path, negotiated(advertised, path, call));
        } else if (prev != path) {
            change(prev, path, switchReason(prev, path, call));
        }
    }

    /**
     * A ScanoutMap could not be used: QEMU's own fallback to copies is kept (permanent for that
     * listener and free); no new registration.
     *
     * @param reason why
     * @param advertised what the failing listener advertised
     */
    synchronized void mapRefused(String reason, Set<ListenerFeature> advertised) {
        if (active == null) {
            change(null, FramePath.MAP, negotiated(advertised, FramePath.MAP, "ScanoutMap"));
        }
        usable.remove(FramePath.MAP);
        String r = "ScanoutMap refused: " + reason + "; QEMU now sends Scanout/Update copies on this listener "
                + "for good";
        if (!allowed.contains(FramePath.COPY)) {
            r += " (copy is not among the allowed paths, but QEMU sends copies anyway: showing them)";
        }
        change(FramePath.MAP, FramePath.COPY, r);
    }

    /**
     * QEMU answered an accepted ScanoutMap with copies instead of UpdateMap: it did not get the
     * listener's reply within its timeout (1 s, {@code DBUS_DEFAULT_TIMEOUT} in QEMU's
     * ui/dbus-listener.c) and sends Scanout/Update copies on this listener for good. Map stays
     * usable for a later registration: the cause (a slow reply) is not a property of the surface.
     *
     * @param millis time from handling that ScanoutMap to handling the copy
     * @param call the copy that arrived (Scanout or Update)
     * @param advertised what the listener advertised
     */
    synchronized void mapAbandoned(long millis, String call, Set<ListenerFeature> advertised) {
        if (active == null) {
            change(null, FramePath.MAP, negotiated(advertised, FramePath.MAP, "ScanoutMap"));
        }
        change(active, FramePath.COPY, "ScanoutMap reply too late: QEMU sent " + call + " (handled " + millis
                + " ms after the ScanoutMap) instead of the UpdateMap that follows an answered one, so it gave up "
                + "waiting for this listener's reply (QEMU waits 1 s, blocking its main loop) and now sends "
                + "Scanout/Update copies on this listener for good; answer ScanoutMap quickly (a new "
                + "registration can use the map again)" + (allowed.contains(FramePath.COPY) ? ""
                : " (copy is not among the allowed paths, but QEMU sends copies anyway: showing them)"));
    }

    /**
     * A DMA-BUF the CPU cannot read arrived (QEMU runs with gl=on): the source enters the
     * no-CPU-frames state and keeps its link. QEMU with gl=on sends nothing but DMA-BUFs on
     * Linux (no read-back to copies, no shared map), so registering again advertising less would
     * get silence: the seed's black screen. Recorded once per distinct reason.
     *
     * @param reason why the CPU cannot read it
     * @param fourcc the buffer's fourcc
     * @param modifier its modifier
     * @param planes its number of planes
     * @param advertised what the listener advertised
     * @param call the call that brought it
     */
    synchronized void dmabufUnreadable(String reason, int fourcc, long modifier, int planes,
            Set<ListenerFeature> advertised, String call) {
        if (active == null) {
            change(null, FramePath.DMABUF, negotiated(advertised, FramePath.DMABUF, call));
        }
        if (cpuless != null && cpuless.reason().equals(reason)) {
            return;
        }
        cpuless = new CpuFramesUnavailable(reason, CpuFramesUnavailable.FIX, fourcc, modifier, planes, Instant.now());
        change(active, FramePath.DMABUF, cpuless.describe() + ". The listener link is kept and every UpdateDMABUF "
                + "is answered at once (QEMU with gl=on sends only DMA-BUFs on Linux: a registration without them "
                + "would get nothing)");
        cpuSink.accept(Optional.of(cpuless));
    }

    /**
     * A malformed DMA-BUF scanout (bad descriptor, sizes that do not fit): answered with an error;
     * no frames until QEMU sends a usable one. The link is kept.
     *
     * @param reason why
     * @param advertised what the listener advertised
     * @param call the call that brought it
     */
    synchronized void dmabufRefused(String reason, Set<ListenerFeature> advertised, String call) {
        if (active == null) {
            change(null, FramePath.DMABUF, negotiated(advertised, FramePath.DMABUF, call));
        }
        change(active, FramePath.DMABUF, call + " refused: " + reason + "; no frames until QEMU sends a "
                + "usable buffer (the listener link is kept)");
    }

    /** The no-CPU-frames state, or null while CPU frames are available (or none arrived yet). */
    CpuFramesUnavailable cpuFramesUnavailable() {
        return cpuless;
    }

    /** Records a change: the list, the log, the sink. */
    private void change(FramePath from, FramePath to, String reason) {
        PathChange c = new PathChange(from, to, reason, Instant.now());
        changes.add(c);
        active = to;
        if (from == null) {
            LOG.info("frame source {}: frame path {}: {}", name, to.id(), reason);
        } else {
            LOG.warn("frame source {}: frame path {} -> {}: {}", name, from.id(), to.id(), reason);
        }
        sink.accept(c);
    }

    private String negotiated(Set<ListenerFeature> advertised, FramePath chosen, String call) {
        return "negotiated: listener advertised " + describe(advertised) + "; QEMU chose " + chosen.id() + " ("
                + call + ")" + choiceHint(chosen);
    }

    /** Why QEMU's choice differs from the forced path / the faster allowed paths. */
    private String choiceHint(FramePath chosen) {
        StringBuilder sb = new StringBuilder();
        if (forced && !allowed.contains(chosen)) {
            FramePath want = allowed.iterator().next();
            sb.append("; the source was forced to ").append(want.id()).append(" but QEMU ");
            if (chosen == FramePath.COPY && want == FramePath.MAP) {
                sb.append("sent Scanout: this surface has no shared memory (std VGA/bochs graphics modes point "
                        + "straight into VRAM and have no memfd; virtio-vga or a VGA text mode gives ScanoutMap), "
                        + "or QEMU predates Listener.Unix.Map (9.2); showing the copies");
            } else if (chosen == FramePath.COPY && want == FramePath.DMABUF) {
                sb.append("sent Scanout: QEMU runs without GL (gl=off) or the surface is not a GL texture; "
                        + "showing the copies");
            } else {
                sb.append("used ").append(chosen.id());
            }
        } else if (chosen == FramePath.COPY && allowed.contains(FramePath.MAP)) {
            sb.append("; no shared map for this surface: std VGA/bochs graphics modes have no memfd "
                    + "(virtio-vga gives ScanoutMap), or QEMU predates Listener.Unix.Map");
        }
        return sb.toString();
    }

    private String switchReason(FramePath from, FramePath to, String call) {
        if (from == FramePath.MAP && to == FramePath.COPY) {
            return "QEMU stopped using the shared map: it sent " + call + " although the listener refused no "
                    + "ScanoutMap (the new surface has no memfd, as std VGA graphics modes, or QEMU gave up on "
                    + "the map, e.g. after a ScanoutMap reply came too late)" + choiceHint(to);
        }
        if (from == FramePath.COPY && to == FramePath.MAP) {
            return "QEMU sent ScanoutMap again: the new surface lives in shared memory (VGA text mode, virtio-gpu)";
        }
        if (from == FramePath.DMABUF) {
            return "QEMU stopped sending DMA-BUFs: it sent " + call + choiceHint(to);
        }
        if (to == FramePath.DMABUF) {
            return "QEMU started sending DMA-BUFs (" + call + ")";
        }
        return "QEMU sent " + call;
    }
}
