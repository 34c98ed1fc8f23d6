package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.ListenerRegistration;
import io.github.qemudbus.testkit.FakeQemuPeer;
import io.github.qemudbus.testkit.QemuTests;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/** {@link FrameSourceTck.Harness} over the fake QEMU peer, for one kind of surface. */
final class FakePeerHarness implements FrameSourceTck.Harness {

    /** The kinds of surface the peer can send. */
    enum Kind {
        COPY(FramePath.COPY, ""),
        MAP(FramePath.MAP, "org.qemu.Display1.Listener.Unix.Map"),
        DMABUF(FramePath.DMABUF, "org.qemu.Display1.Listener.Unix.ScanoutDMABUF2"),
        DMABUF2(FramePath.DMABUF, "org.qemu.Display1.Listener.Unix.ScanoutDMABUF2");

        final FramePath path;
        final String interfaces;

        Kind(FramePath path, String interfaces) {
            this.path = path;
            this.interfaces = interfaces;
        }
    }

    /** Skips unless fake-peer tests are enabled (they need gcc and the GLib headers). */
    static void assumeEnabled() {
        Assumptions.assumeTrue(QemuTests.requested(), "fake QEMU peer tests need -Dqemu.tests=true");
    }

    /** A registrar that connects to the peer's socket. */
    static ListenerRegistrar registrar(FakeQemuPeer peer) {
        return (l, f) -> ListenerRegistration.connect(peer.socketPath(), l, f, 10_000);
    }

    /** Backing offset of the visible rectangle on the DMABUF2 kind. */
    static final int DX = 8;
    static final int DY = 4;

    final Kind kind;
    FakeQemuPeer peer;
    FrameSource source;
    Patterns.Model model;
    int width;
    int height;

    final boolean gl;

    FakePeerHarness(Kind kind) {
        this(kind, false);
    }

    /** A harness whose peer runs in gl=on mode ({@link FakeQemuPeer#startGl()}) when {@code gl}. */
    FakePeerHarness(Kind kind, boolean gl) {
        assumeEnabled();
        this.kind = kind;
        this.gl = gl;
    }

    @Override
    public FramePath expectedPath() {
        return kind.path;
    }

    @Override
    public FrameSource open() throws Exception {
        peer = gl ? FakeQemuPeer.startGl() : FakeQemuPeer.start();
        source = FrameSource.builder(registrar(peer)).path(kind.path).name("tck-" + kind.name().toLowerCase()).build();
        String props = peer.awaitReady(Duration.ofSeconds(10));
        assertTrue(props.startsWith("props Interfaces=" + kind.interfaces), props);
        if (gl) {
            assertEquals("gl fd-passing=yes dmabuf2=yes", peer.glLine());
        }
        return source;
    }

    private void ok(String cmd) throws IOException {
        FakeQemuPeer.Reply r = peer.call(cmd);
        assertTrue(r.ok(), cmd + " -> " + r);
    }

    void surface(int w, int h, String pattern) throws IOException {
        width = w;
        height = h;
        model = new Patterns.Model(w, h);
        switch (kind) {
            case COPY -> {
                ok("scanout " + w + " " + h + " " + (w * 4) + " x8r8g8b8 " + pattern);
                model.paint(0, 0, w, h, pattern, 0, 0);
            }
            case MAP -> {
                // padded stride and an offset that is not page aligned
                ok("scanout-map " + w + " " + h + " " + (w * 4 + 64) + " x8r8g8b8 " + (4096 + 128) + " " + pattern);
                model.paint(0, 0, w, h, pattern, 0, 0);
            }
            case DMABUF -> {
                ok("scanout-dmabuf " + w + " " + h + " " + (w * 4) + " XR24 0 true " + pattern);
                model.paint(0, 0, w, h, pattern, 0, 0);
            }
            case DMABUF2 -> {
                int bw = w + 2 * DX;
                int bh = h + 2 * DY;
                int stride = bw * 4;
                ok("scanout-dmabuf2 " + DX + " " + DY + " " + w + " " + h + " " + bw + " " + bh + " XR24 0 true 2 0,"
                        + (stride * bh) + " " + stride + ",64 " + pattern);
                model.paint(0, 0, w, h, pattern, DX, DY);
            }
            default -> throw new AssertionError(kind);
        }
    }

    @Override
    public void firstSurface() throws Exception {
        surface(64, 48, "gradient");
    }

    @Override
    public Rect change(int i) throws Exception {
        Rect r = new Rect((i * 13) % (width - 8), (i * 7) % (height - 8), 8, 8);
        String p = "noise:" + (100 + i);
        String xywh = r.x() + " " + r.y() + " " + r.width() + " " + r.height();
        switch (kind) {
            case COPY -> {
                ok("update " + xywh + " " + r.width() * 4 + " x8r8g8b8 " + p);
                model.paint(r.x(), r.y(), r.width(), r.height(), p, 0, 0);
            }
            case MAP -> {
                ok("draw " + xywh + " " + p);
                ok("update-map " + xywh);
                model.paint(r.x(), r.y(), r.width(), r.height(), p, 0, 0);
            }
            case DMABUF -> {
                ok("draw " + xywh + " " + p);
                ok("update-dmabuf " + xywh);
                model.paint(r.x(), r.y(), r.width(), r.height(), p, 0, 0);
            }
            case DMABUF2 -> {
                ok("draw " + (r.x() + DX) + " " + (r.y() + DY) + " " + r.width() + " " + r.height() + " " + p);
                ok("update-dmabuf " + xywh);
                model.paint(r.x(), r.y(), r.width(), r.height(), p, DX, DY);
            }
            default -> throw new AssertionError(kind);
        }
        return r;
    }

    @Override
    public boolean exactDamage() {
        return true;
    }

    @Override
    public BufferedImage oracle() {
        return model.image();
    }

    @Override
    public Rect resize() throws Exception {
        surface(100, 60, "noise:5");
        return new Rect(0, 0, 100, 60);
    }

    @Override
    public FrameSourceTck.CursorSpec cursor() throws Exception {
        ok("cursor-define 4 4 1 2 solid:80ff0000");
        ok("mouse-set 10 20 1");
        return new FrameSourceTck.CursorSpec(4, 4, 1, 2, 0x80ff0000, 10, 20);
    }

    @Override
    public void disable() throws Exception {
        ok("disable");
    }

    @Override
    public void assertListenerGone() throws Exception {
        FakeQemuPeer.Reply r = peer.call("ping");
        assertFalse(r.ok(), "peer still talks to a closed listener: " + r);
    }

    @Override
    public void close() {
        FrameSourceTck.closeQuietly(source);
        FrameSourceTck.closeQuietly(peer);
    }

    static void assertOk(FakeQemuPeer.Reply r) {
        assertEquals(true, r.ok(), r.toString());
    }
}
