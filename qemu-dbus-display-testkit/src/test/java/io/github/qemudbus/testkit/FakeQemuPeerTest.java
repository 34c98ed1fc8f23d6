package io.github.qemudbus.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.qemudbus.testkit.FakeQemuPeer.Reply;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tests {@link FakeQemuPeer} against {@code src/test/c/mini-listener.c}, a GDBus reference
 * listener that prints what it received (sizes, fd kinds, first pixels). Needs gcc and the GLib
 * headers, so it only runs with {@code -Dqemu.tests=true} (except the pure parsing test).
 */
class FakeQemuPeerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String MAP = "org.qemu.Display1.Listener.Unix.Map";
    private static final String DMABUF2 = "org.qemu.Display1.Listener.Unix.ScanoutDMABUF2";
    private static final String INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs";

    @Test
    void replyParsing() {
        FakeQemuPeer.Reply ok = FakeQemuPeer.Reply.parse("ok ns=123 size=4096");
        assertTrue(ok.ok());
        assertEquals(123, ok.number("ns").orElseThrow());
        assertEquals("4096", ok.detail("size"));
        FakeQemuPeer.Reply err = FakeQemuPeer.Reply.parse("err org.x.Error.Bad it went wrong");
        assertFalse(err.ok());
        assertEquals("org.x.Error.Bad", err.errorName());
        assertEquals("it went wrong", err.message());
        FakeQemuPeer.Reply closed = FakeQemuPeer.Reply.parse("closed remote-peer-vanished");
        assertTrue(closed.closed());
        assertEquals("peer.Closed", closed.errorName());
        assertNull(FakeQemuPeer.Reply.parse("ok").detail("ns"));
    }

    @Test
    void peerDrivesTheReferenceListener() throws Exception {
        assumeTrue(Boolean.getBoolean("qemu.tests"), "needs -Dqemu.tests=true (gcc, GLib headers)");
        Path miniBin = GioProgramBuilder.compile(Path.of("src/test/c/mini-listener.c"), "mini-listener");
        try (FakeQemuPeer peer = FakeQemuPeer.start();
             Mini mini = Mini.start(miniBin, peer.socketPath())) {
            String props = peer.awaitReady(WAIT);
            assertEquals("props Interfaces=" + MAP + "," + DMABUF2, props);
            mini.await("connected");
            long fdsAtStart = peer.callOk("fds").number("open-fds").orElseThrow();

            // copy path
            peer.callOk("scanout 64 48 256 x8r8g8b8 solid:ff0000");
            Map<String, String> f = mini.fields("Scanout ");
            assertFields(f, "w", "64", "h", "48", "stride", "256", "fmt", "0x20020888", "len", "12288",
                    "px0", "0xffff0000", "noreply", "0");

            peer.callOk("update 8 8 16 16 64 x8r8g8b8 solid:00ff00");
            f = mini.fields("Update ");
            assertEquals("1024", f.get("len"));
            assertEquals("0xff00ff00", f.get("px"));

            // an Update beyond the last Scanout (QEMU does that after a mode switch)
            peer.callOk("update 300 2 4 4 16 x8r8g8b8 gradient");
            f = mini.fields("Update ");
            assertEquals(hex(gradient(300, 2)), f.get("px"));
            assertEquals("1", f.get("grew"));

            // shared-map path: memfd sealed like QEMU's (F_SEAL_SEAL only), drawn on afterwards
            Reply r = peer.callOk("scanout-map 64 48 256 x8r8g8b8 4096 gradient");
            assertEquals("16384", r.detail("size"));
            f = mini.fields("ScanoutMap ");
            assertFields(f, "kind", "memfd", "size", "16384", "seals", "0x1", "offset", "4096",
                    "px0", hex(gradient(0, 0)));
            peer.callOk("draw 0 0 4 4 solid:0000ff");
            peer.callOk("update-map 0 0 4 4");
            assertEquals("0xff0000ff", mini.fields("UpdateMap ").get("px"));
            peer.callOk("draw 10 11 2 2 noise:42");
            peer.callOk("update-map 10 11 2 2");
            assertEquals(hex(noise(10, 11, 42)), mini.fields("UpdateMap ").get("px"));

            // dmabuf path, single plane
            r = peer.callOk("scanout-dmabuf 32 32 128 XR24 0 true solid:123456");
            f = mini.fields("ScanoutDMABUF ");
            assertFields(f, "kind", "memfd", "size", "4096", "fourcc", "XR24", "y0top", "1",
                    "px0", "0xff123456");
            peer.callOk("draw 1 1 1 1 solid:abcdef");
            peer.callOk("update-dmabuf 1 1 1 1");
            assertEquals("0xffabcdef", mini.fields("UpdateDMABUF ").get("px"));

            // ScanoutDMABUF2, two planes in one memfd (QEMU appends it once per plane) ...
            peer.callOk("scanout-dmabuf2 0 0 32 32 32 32 NV12 0 true 2 0,1024 32,32 solid:808080");
            f = mini.fields("ScanoutDMABUF2 ");
            assertFields(f, "nfds", "2", "planes", "2", "offsets", "0,1024", "kinds", "memfd,memfd",
                    "sizes", "1536,1536", "same", "1", "px0", "0xff808080", "b1", "0x81");
            // ... and one memfd per plane
            peer.callOk("scanout-dmabuf2 0 0 32 32 32 32 NV12 0 true 2 0,1024 32,32 solid:808080 fds=per-plane");
            f = mini.fields("ScanoutDMABUF2 ");
            assertFields(f, "same", "0", "sizes", "1024,1536", "b1", "0x81");

            // cursor and mouse
            peer.callOk("cursor-define 16 16 2 3 solid:80ffffff");
            f = mini.fields("CursorDefine ");
            assertFields(f, "len", "1024", "hx", "2", "hy", "3", "px0", "0x80ffffff");
            peer.callOk("mouse-set 10 20 1");
            f = mini.fields("MouseSet ");
            assertFields(f, "x", "10", "y", "20", "on", "1");
            peer.callOk("disable");
            mini.await("Disable ");

            // QEMU-style fire-and-forget call, then a barrier
            r = peer.callOk("noreply scanout 8 8 32 x8r8g8b8 solid:0000ff");
            assertTrue(r.detail("serial") != null, r.toString());
            peer.callOk("ping");
            assertEquals("1", mini.fields("Scanout ").get("noreply"));

            // hostile inputs: the reference listener rejects them, the peer reports the reply
            expectError(peer.call("scanout 64 48 16 x8r8g8b8 solid:ff0000"), INVALID_ARGS);
            mini.await("Scanout rejected");
            expectError(peer.call("scanout-map 64 48 256 x8r8g8b8 0 solid:ff0000 fd=pipe"), INVALID_ARGS);
            assertTrue(mini.await("ScanoutMap rejected").contains("kind=pipe"));
            expectError(peer.call("scanout-map 64 48 256 x8r8g8b8 0 solid:ff0000 fd=short"), INVALID_ARGS);
            assertTrue(mini.await("ScanoutMap rejected").contains("size=6144"));
            expectError(peer.call("scanout-map 64 48 256 x8r8g8b8 0 solid:ff0000 fd=none"), INVALID_ARGS);
            mini.await("ScanoutMap rejected no fd");
            expectError(peer.call("raw-call Scanout (uuuu) (1, 1, 4, 0x20020888)"), INVALID_ARGS);
            expectError(peer.call("scanout 4 4 16 0xdeadbeef solid:ff0000"), INVALID_ARGS);
            mini.await("Scanout rejected unsupported");
            expectError(peer.call("scanout 65536 65536 262144 x8r8g8b8 solid:ff0000"), "peer.Usage");
            expectError(peer.call("scanout 65536 65536 262144 x8r8g8b8 solid:ff0000 len=16"), INVALID_ARGS);
            mini.await("Scanout rejected size");
            expectError(peer.call("no-such-command"), "peer.Usage");
            // a memfd shrunk after it was passed
            peer.callOk("scanout-map 64 48 256 x8r8g8b8 0 solid:ff0000");
            mini.await("ScanoutMap ");
            assertEquals("100", peer.callOk("truncate 100").detail("size"));
            Reply shrunk = peer.call("update-map 0 0 64 48");
            expectError(shrunk, INVALID_ARGS);
            assertTrue(shrunk.message().contains("shrank"), shrunk.toString());

            // a small benchmark: one Scanout, then 10 awaited full-frame Updates
            r = peer.callOk("bench-update 64 48 10");
            assertEquals(10, r.number("n").orElseThrow());
            assertEquals(10L * 64 * 48 * 4, r.number("bytes").orElseThrow());
            assertTrue(r.number("ns").orElseThrow() > 0);
            mini.await("Scanout ");
            for (int i = 0; i < 10; i++) {
                assertEquals(hex(noise(0, 0, 1)), mini.fields("Update ").get("px"));
            }
            r = peer.callOk("bench-map 64 48 10 window=4");
            assertEquals(10, r.number("n").orElseThrow());

            // no fd leaked: at most the current surface's memfd is still open (GDBus drops its ref
            // on a benchmark's private main context, an eventfd, a moment after the last reply)
            long fdsAtEnd = -1;
            for (int i = 0; i < 40 && (fdsAtEnd < 0 || fdsAtEnd > fdsAtStart + 1); i++) {
                if (i > 0) {
                    Thread.sleep(50);
                }
                fdsAtEnd = peer.callOk("fds").number("open-fds").orElseThrow();
            }
            // at most the current surface's memfd (the benchmark commands may release it)
            assertTrue(fdsAtEnd <= fdsAtStart + 1, "fds at start " + fdsAtStart + ", at end " + fdsAtEnd);

            peer.close();
            assertTrue(mini.await("closed").startsWith("closed calls="));
            assertFalse(peer.isAlive());
        }
    }

    /** gl=on mode against the reference listener: DMA-BUF only, ScanoutDMABUF2 when implemented, awaited updates. */
    @Test
    void glModeSendsWhatQemusGlListenerSends() throws Exception {
        assumeTrue(Boolean.getBoolean("qemu.tests"), "needs -Dqemu.tests=true (gcc, GLib headers)");
        Path miniBin = GioProgramBuilder.compile(Path.of("src/test/c/mini-listener.c"), "mini-listener");
        try (FakeQemuPeer peer = FakeQemuPeer.startGl();
             Mini mini = Mini.start(miniBin, peer.socketPath())) {
            peer.awaitReady(WAIT);
            assertEquals("gl fd-passing=yes dmabuf2=yes", peer.glLine());
            mini.await("connected");
            // no copies, no shared map with gl=on
            expectError(peer.call("scanout 64 48 256 x8r8g8b8 solid:ff0000"), "peer.GlMode");
            expectError(peer.call("update 0 0 8 8 32 x8r8g8b8 solid:ff0000"), "peer.GlMode");
            expectError(peer.call("scanout-map 64 48 256 x8r8g8b8 0 gradient"), "peer.GlMode");
            // a one-plane scanout goes as ScanoutDMABUF2 to a listener implementing it; MOD_INVALID as given
            peer.callOk("scanout-dmabuf 32 32 128 XR24 0x00ffffffffffffff true solid:123456");
            Map<String, String> f = mini.fields("ScanoutDMABUF2 ");
            assertFields(f, "planes", "1", "offsets", "0", "px0", "0xff123456");
            // UpdateDMABUF awaited, its reply time kept
            Reply r = peer.callOk("update-dmabuf 0 0 8 8");
            assertTrue(r.number("blocked-ns").orElseThrow() > 0, r.toString());
            r = peer.callOk("gl-refresh 20 rect=0,0,32,32");
            assertEquals(20, r.number("n").orElseThrow());
            assertEquals(0, r.number("errors").orElseThrow());
            Reply stats = peer.callOk("gl-stats");
            assertEquals(21, stats.number("updates").orElseThrow(), stats.toString());
            assertTrue(stats.number("max-ns").orElseThrow() >= r.number("max-ns").orElseThrow(), stats.toString());
            // the cursor stays CursorDefine
            peer.callOk("cursor-define 16 16 2 3 solid:80ffffff");
            assertFields(mini.fields("CursorDefine "), "hx", "2", "hy", "3");
            // repeat: one summary line
            r = peer.callOk("repeat 5 scanout-dmabuf 8 8 32 XR24 0 true solid:ff0000");
            assertEquals(5, r.number("oks").orElseThrow(), r.toString());
            assertEquals(0, r.number("errs").orElseThrow(), r.toString());
        }
        try (FakeQemuPeer peer = FakeQemuPeer.startGl();
             Mini mini = Mini.start(miniBin, peer.socketPath(), "--interfaces", "none")) {
            peer.awaitReady(WAIT);
            assertEquals("gl fd-passing=yes dmabuf2=no", peer.glLine());
            mini.await("connected");
            // several planes need ScanoutDMABUF2: QEMU drops the buffer (a debug line only)
            Reply r = peer.callOk("scanout-dmabuf2 0 0 32 32 32 32 NV12 0 true 2 0,1024 32,32 solid:808080");
            assertEquals("multi-plane-without-ScanoutDMABUF2", r.detail("reason"), r.toString());
            // one plane goes as ScanoutDMABUF: the next scanout the listener sees
            peer.callOk("scanout-dmabuf2 0 0 16 16 16 16 XR24 0 true 1 0 64 solid:00ff00");
            String line = mini.await("Scanout");
            assertTrue(line.startsWith("ScanoutDMABUF kind="), "the dropped buffer reached the listener: " + line);
            assertTrue(line.contains("fourcc=XR24") && line.contains("px0=0xff00ff00"), line);
        }
    }

    /**
     * Asserts each field of a mini-listener line.
     *
     * @param fields the line's fields
     * @param keysAndValues key, expected value, key, expected value...
     */
    private static void assertFields(Map<String, String> fields, String... keysAndValues) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            assertEquals(keysAndValues[i + 1], fields.get(keysAndValues[i]), keysAndValues[i]);
        }
    }

    private static void expectError(Reply r, String name) {
        assertFalse(r.ok(), r.toString());
        assertEquals(name, r.errorName(), r.toString());
    }

    private static String hex(long argb) {
        return String.format("0x%08x", argb);
    }

    /** The peer's gradient pattern (see fake-qemu-peer.c). */
    private static long gradient(int x, int y) {
        return 0xff000000L | (x & 255) << 16 | (y & 255) << 8 | (((x >> 8) & 15) | ((y >> 8) & 15) << 4);
    }

    /** The peer's noise pattern (see fake-qemu-peer.c). */
    private static long noise(int x, int y, long seed) {
        long z = seed ^ ((long) y << 32 | x);
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        z = z ^ (z >>> 31);
        return 0xff000000L | (z & 0xffffff);
    }

    /** The mini-listener process and its output lines. */
    private static final class Mini implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private Mini(Process process) {
            this.process = process;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // process ended
                }
            }, "mini-listener-out");
            t.setDaemon(true);
            t.start();
        }

        static Mini start(Path bin, Path socket, String... args) throws IOException {
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(bin.toString(), socket.toString()));
            cmd.addAll(java.util.List.of(args));
            return new Mini(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }

        /** Skips lines until one starts with prefix. */
        String await(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (;;) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("mini-listener printed no line starting with `" + prefix + "`");
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        /** The key=value fields of the next line starting with prefix. */
        Map<String, String> fields(String prefix) throws InterruptedException {
            Map<String, String> m = new HashMap<>();
            for (String item : await(prefix).split(" ")) {
                int eq = item.indexOf('=');
                if (eq > 0) {
                    m.put(item.substring(0, eq), item.substring(eq + 1));
                }
            }
            return m;
        }

        @Override
        public void close() throws InterruptedException {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
