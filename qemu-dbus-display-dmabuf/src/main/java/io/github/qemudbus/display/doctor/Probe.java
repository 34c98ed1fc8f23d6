package io.github.qemudbus.display.doctor;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.DmabufScanout;
import io.github.qemudbus.display.ListenerFeature;
import io.github.qemudbus.display.UnixFd;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sits between QEMU's listener calls and the frame source: counts the calls, times the
 * replies, notes whether an fd arrived and what DMA-BUF layout QEMU chose, and records the
 * refusals (error replies). Shared by every registration the frame source makes.
 */
final class Probe {
    static final List<String> MEMBERS = List.of("Scanout", "Update", "ScanoutMap", "UpdateMap", "ScanoutDMABUF",
            "UpdateDMABUF", "Disable", "MouseSet", "CursorDefine");

    private final Map<String, AtomicLong> calls = new LinkedHashMap<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final AtomicInteger registrations = new AtomicInteger();
    private final AtomicLong slowestNanos = new AtomicLong();
    private volatile String slowestCall;
    private volatile boolean fdReceived;
    private volatile Integer dmabufFourcc;
    private volatile Long dmabufModifier;
    private volatile Boolean dmabufLinear;
    private volatile List<String> advertised = List.of();
    private volatile Set<ListenerFeature> features = Set.of();

    Probe() {
        for (String m : MEMBERS) {
            calls.put(m, new AtomicLong());
        }
    }

    /** Wraps one registration's listener. */
    ConsoleListener wrap(ConsoleListener target, Set<ListenerFeature> advertisedFeatures) {
        registrations.incrementAndGet();
        features = Set.copyOf(advertisedFeatures);
        return new Tap(target);
    }

    void advertised(List<String> interfaces) {
        advertised = List.copyOf(interfaces);
    }

    int registrations() {
        return registrations.get();
    }

    List<String> advertised() {
        return advertised;
    }

    Set<ListenerFeature> features() {
        return features;
    }

    boolean fdReceived() {
        return fdReceived;
    }

    Map<String, Long> calls() {
        Map<String, Long> out = new LinkedHashMap<>();
        calls.forEach((k, v) -> {
            if (v.get() > 0) {
                out.put(k, v.get());
            }
        });
        return out;
    }

    List<String> refusals() {
        return List.copyOf(refusals);
    }

    long slowestMillis() {
        return slowestNanos.get() / 1_000_000;
    }

    String slowestCall() {
        return slowestCall;
    }

    String dmabufFourcc() {
        Integer f = dmabufFourcc;
        if (f == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            char c = (char) ((f >>> (8 * i)) & 0xff);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString().trim() + String.format(Locale.ROOT, " (0x%08x)", f);
    }

    Long dmabufModifier() {
        return dmabufModifier;
    }

    Boolean dmabufLinear() {
        return dmabufLinear;
    }

    private void timed(String member, long t0, RuntimeException error) {
        long ns = System.nanoTime() - t0;
        calls.get(member).incrementAndGet();
        long prev;
        do {
            prev = slowestNanos.get();
            if (ns <= prev) {
                break;
            }
        } while (!slowestNanos.compareAndSet(prev, ns));
        if (ns > prev) {
            slowestCall = member;
        }
        if (error != null) {
            refusals.add(member + ": " + error.getMessage());
        }
    }

    /** The decorator handed to QEMU's link. */
    private final class Tap implements ConsoleListener {
        private final ConsoleListener t;

        Tap(ConsoleListener target) {
            this.t = target;
        }

        private void call(String member, Runnable r) {
            long t0 = System.nanoTime();
            try {
                r.run();
                timed(member, t0, null);
            } catch (RuntimeException e) {
                timed(member, t0, e);
                throw e;
            }
        }

        @Override
        public void scanout(int width, int height, int stride, int pixmanFormat, ByteBuffer data) {
            call("Scanout", () -> t.scanout(width, height, stride, pixmanFormat, data));
        }

        @Override
        public void update(int x, int y, int width, int height, int stride, int pixmanFormat, ByteBuffer data) {
            call("Update", () -> t.update(x, y, width, height, stride, pixmanFormat, data));
        }

        @Override
        public void scanoutMap(UnixFd memfd, long offset, int width, int height, int stride, int pixmanFormat) {
            fdReceived = true;
            call("ScanoutMap", () -> t.scanoutMap(memfd, offset, width, height, stride, pixmanFormat));
        }

        @Override
        public void updateMap(int x, int y, int width, int height) {
            call("UpdateMap", () -> t.updateMap(x, y, width, height));
        }

        @Override
        public void scanoutDmabuf(DmabufScanout scanout) {
            fdReceived = true;
            dmabufFourcc = scanout.fourcc();
            dmabufModifier = scanout.modifier();
            dmabufLinear = scanout.isLinear();
            call("ScanoutDMABUF", () -> t.scanoutDmabuf(scanout));
        }

        @Override
        public void updateDmabuf(int x, int y, int width, int height) {
            call("UpdateDMABUF", () -> t.updateDmabuf(x, y, width, height));
        }

        @Override
        public void disable() {
            call("Disable", t::disable);
        }

        @Override
        public void mouseSet(int x, int y, boolean visible) {
            call("MouseSet", () -> t.mouseSet(x, y, visible));
        }

        @Override
        public void cursorDefine(int width, int height, int hotX, int hotY, ByteBuffer argb) {
            call("CursorDefine", () -> t.cursorDefine(width, height, hotX, hotY, argb));
        }

        @Override
        public void disconnected(String reason) {
            t.disconnected(reason);
        }
    }
}
