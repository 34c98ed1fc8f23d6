package io.github.qemudbus.display.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.ListenerFeature;
import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.ListenerRegistration;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.Snapshots;
import io.github.qemudbus.testkit.FakeQemuPeer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The fake QEMU peer as the suite uses it, and the peer's pixel patterns computed in Java. */
final class Peers {
    static final String ERR_INVALID = "org.qemu.Display1.Error.Invalid";

    private Peers() {
    }

    /** A registrar that connects to one peer's socket. */
    static ListenerRegistrar registrar(FakeQemuPeer peer) {
        return (l, f) -> ListenerRegistration.connect(peer.socketPath(), l, f, 10_000);
    }

    /** Hands out a fresh peer per registration (what a restarted QEMU or a second RegisterListener gives). */
    static final class Chain implements ListenerRegistrar, AutoCloseable {
        final List<FakeQemuPeer> peers = new CopyOnWriteArrayList<>();
        final AtomicInteger registrations = new AtomicInteger();
        volatile boolean refuse;

        @Override
        public ListenerRegistration register(ConsoleListener l, Set<ListenerFeature> f) {
            if (refuse) {
                throw new IllegalStateException("no QEMU (test: registrations refused)");
            }
            FakeQemuPeer p;
            try {
                p = FakeQemuPeer.start();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            peers.add(p);
            registrations.incrementAndGet();
            return registrar(p).register(l, f);
        }

        FakeQemuPeer last() {
            return peers.get(peers.size() - 1);
        }

        @Override
        public void close() {
            for (FakeQemuPeer p : peers) {
                p.close();
            }
        }
    }

    static FakeQemuPeer.Reply ok(FakeQemuPeer p, String cmd) throws IOException {
        FakeQemuPeer.Reply r = p.call(cmd);
        assertTrue(r.ok(), cmd + " -> " + r);
        return r;
    }

    static long splitmix64(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** RGB (no alpha) of a peer pattern at absolute coordinates. */
    static int rgb(String pattern, int x, int y) {
        if (pattern.equals("gradient")) {
            return (x & 255) << 16 | (y & 255) << 8 | (((x >> 8) & 15) | ((y >> 8) & 15) << 4);
        }
        if (pattern.startsWith("noise:")) {
            long seed = Long.parseLong(pattern.substring(6));
            return (int) (splitmix64(seed ^ ((long) y << 32 | (x & 0xffffffffL))) & 0xffffff);
        }
        if (pattern.startsWith("solid:")) {
            return (int) Long.parseLong(pattern.substring(6), 16) & 0xffffff;
        }
        throw new IllegalArgumentException(pattern);
    }

    /**
     * Whether the source's current frame is {@code w x h} and shows {@code pattern} everywhere
     * (pattern coordinates offset by ox, oy); returns a description of the first difference or null.
     */
    static String differs(FrameSource s, int w, int h, String pattern, int ox, int oy) {
        try (Frame f = s.acquireFrame().orElse(null)) {
            if (f == null) {
                return "no frame";
            }
            if (f.width() != w || f.height() != h) {
                return "frame is " + f.width() + "x" + f.height() + ", expected " + w + "x" + h;
            }
            BufferedImage img = Snapshots.toImage(f);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int got = img.getRGB(x, y) & 0xffffff;
                    int want = rgb(pattern, x + ox, y + oy);
                    if (got != want) {
                        return String.format("pixel %d,%d is %06x, expected %06x (%s)", x, y, got, want, pattern);
                    }
                }
            }
            return null;
        }
    }
}
