package io.github.qemudbus.display.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.UnixFd;
import io.github.qemudbus.display.frame.Closer;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.Snapshots;
import io.github.qemudbus.testkit.FakeQemuPeer;
import io.github.qemudbus.testkit.RequiresQemu;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hostile or broken peer speaking QEMU's side of the listener protocol (the fake QEMU peer,
 * a GDBus program passing real descriptors). Every bad input must get a D-Bus error reply
 * (checked with the reply-expecting form of each call; QEMU itself sends most calls
 * NO_REPLY_EXPECTED, so each input is also sent that way) and a log line, the JVM must stay up
 * and the source must show the next good frame exactly.
 */
@RequiresQemu
class HostilePeerTest {
    private static final Figures FIG = new Figures("hostile inputs");
    private static final Figures SHRINK = new Figures("shrunk shared memory");

    private final Closer cleanup = new Closer();
    private LogCapture log;
    private int goodFrames;

    /**
     * One bad input: the peer command, the member named in the error, the expected error name,
     * and a command that sets the stage before each attempt (or null).
     */
    record Bad(String what, String command, String member, String error, String before) {
        Bad(String what, String command, String member) {
            this(what, command, member, Peers.ERR_INVALID, null);
        }

        Bad(String what, String command, String member, String error) {
            this(what, command, member, error, null);
        }

        /** A call in the wrong order: {@code before} runs first each time. */
        static Bad afterCall(String what, String before, String command, String member) {
            return new Bad(what, command, member, Peers.ERR_INVALID, before);
        }
    }

    @BeforeEach
    void setUp() {
        log = new LogCapture();
    }

    @AfterEach
    void tearDown() throws Exception {
        cleanup.close();
        log.close();
    }

    private static LeakBaseline atStart;
    private static int raceLeakedMaps;
    private static int raceLeakedFds;

    @BeforeAll
    static void baseline() {
        atStart = LeakBaseline.take();
    }

    @AfterAll
    static void figures() {
        // a JVM that crashed would not get here: surefire fails the run when its fork dies
        try {
            atStart.report(FIG, raceLeakedMaps, raceLeakedFds);
        } finally {
            FIG.print();
            SHRINK.print();
        }
    }

    private FakeQemuPeer peer() throws Exception {
        FakeQemuPeer p = FakeQemuPeer.start();
        cleanup.add(p);
        return p;
    }

    private FrameSource source(FakeQemuPeer p, EnumSet<FramePath> paths, String name) throws Exception {
        FrameSource s = FrameSource.builder(Peers.registrar(p)).paths(paths).name(name).build();
        cleanup.add(s);
        p.awaitReady(Duration.ofSeconds(10));
        return s;
    }

    /**
     * Sends {@code bad} twice: reply-expecting (the error name must come back) and as QEMU does,
     * NO_REPLY_EXPECTED (a ping barrier must still pass). Both must be logged; then {@code good}
     * must be shown exactly.
     */
    private void refuse(FakeQemuPeer p, FrameSource s, Bad bad, Good good) throws Exception {
        for (boolean noReply : new boolean[] {false, true}) {
            if (bad.before() != null) {
                Peers.ok(p, bad.before());
            }
            log.reset();
            long errorsBefore = s.stats().errorReplies();
            FakeQemuPeer.Reply r = p.call((noReply ? "noreply " : "") + bad.command());
            FIG.add("tried", 1);
            if (noReply) {
                assertTrue(r.ok(), bad.what() + " (noreply) -> " + r);
                assertTrue(Peers.ok(p, "ping").ok());
            } else {
                assertFalse(r.ok(), bad.what() + ": accepted: " + r);
                assertEquals(bad.error(), r.errorName(), bad.what() + " -> " + r);
                FIG.add("error-replies", 1);
            }
            String line = log.await("replying " + bad.error(), "." + bad.member() + ":");
            assertNotNull(line, bad.what() + ": no log line; log: " + log.lines());
            FIG.add("log-lines", 1);
            assertTrue(s.stats().errorReplies() > errorsBefore || noReply, "error counted: " + s.stats());
            assertFalse(s.isClosed(), bad.what() + " closed the source: " + s.closeReason());
            FIG.add("rejected", 1);
            good.show(p, ++goodFrames);
            FIG.add("next-good-frame-ok", 1);
        }
    }

    /** Shows a good frame and checks every pixel of it. */
    @FunctionalInterface
    interface Good {
        void show(FakeQemuPeer p, int i) throws Exception;
    }

    private static Good goodCopy(FrameSource s) {
        return (p, i) -> {
            int w = 16 + i % 11;
            int h = 9 + i % 5;
            String pat = "noise:" + i;
            Peers.ok(p, "scanout " + w + " " + h + " " + w * 4 + " x8r8g8b8 " + pat);
            assertNull(Peers.differs(s, w, h, pat, 0, 0));
            // and an update on top of it
            Peers.ok(p, "update 1 2 3 4 12 x8r8g8b8 solid:123456");
            try (Frame f = s.acquireFrame().orElseThrow()) {
                assertEquals(0x123456, Snapshots.toImage(f).getRGB(2, 3) & 0xffffff);
                assertEquals(Peers.rgb(pat, 0, 0), Snapshots.toImage(f).getRGB(0, 0) & 0xffffff);
            }
        };
    }

    private static Good goodMap(FrameSource s) {
        return goodShared(s, FramePath.MAP,
                (w, h) -> "scanout-map " + w + " " + h + " " + (w * 4 + 16) + " x8r8g8b8 " + (4096 + 64),
                "update-map", 1, 1, 2, 0xabcdef);
    }

    private static Good goodDmabuf(FrameSource s) {
        return goodShared(s, FramePath.DMABUF, (w, h) -> "scanout-dmabuf " + w + " " + h + " " + w * 4 + " XR24 0 true",
                "update-dmabuf", 0, 0, 1, 0xfedcba);
    }

    /**
     * A good frame on a shared-memory path: a scanout on {@code path}, every pixel checked, then
     * a square drawn into the shared memory and announced with {@code damageCall}.
     *
     * @param scanout the scanout command for a width and height, without its pattern
     * @param damageCall the peer command announcing the drawn square ({@code update-map}...)
     * @param x the square's left
     * @param y the square's top
     * @param side the square's side
     * @param rgb the square's colour
     */
    private static Good goodShared(FrameSource s, FramePath path, BiFunction<Integer, Integer, String> scanout,
            String damageCall, int x, int y, int side, int rgb) {
        return (p, i) -> {
            int w = 16 + i % 11;
            int h = 9 + i % 5;
            String pat = "noise:" + i;
            Peers.ok(p, scanout.apply(w, h) + " " + pat);
            assertEquals(path, s.activePath());
            assertNull(Peers.differs(s, w, h, pat, 0, 0));
            String square = x + " " + y + " " + side + " " + side;
            Peers.ok(p, String.format("draw %s solid:%06x", square, rgb));
            Peers.ok(p, damageCall + " " + square);
            try (Frame f = s.acquireFrame().orElseThrow()) {
                assertEquals(rgb, Snapshots.toImage(f).getRGB(x + side - 1, y + side - 1) & 0xffffff);
            }
        };
    }

    /** {@link #refuse} for each of {@code bad}, in order. */
    private void refuseAll(FakeQemuPeer p, FrameSource s, List<Bad> bad, Good good) throws Exception {
        for (Bad b : bad) {
            refuse(p, s, b, good);
        }
    }

    /** Closes the source: every descriptor and memfd mapping it held must be gone. */
    private static void closeReleasesAll(FrameSource s, int fds, int maps) {
        s.close();
        assertEquals(fds, UnixFd.openCount(), "descriptors");
        assertEquals(maps, Proc.memfdMaps(), "mappings");
    }

    @Test
    void copyPathRefusesEveryMalformedCall() throws Exception {
        FakeQemuPeer p = peer();
        FrameSource s = source(p, EnumSet.of(FramePath.COPY), "hostile-copy");
        Good good = goodCopy(s);
        int fds = UnixFd.openCount();

        // the wrong order first: nothing shown yet
        FakeQemuPeer.Reply first = p.call("update 0 0 8 8 32 x8r8g8b8 solid:ff0000"); // before any Scanout
        assertEquals(Peers.ERR_INVALID, first.errorName(), first.toString());
        assertNotNull(log.await("replying " + Peers.ERR_INVALID, "Update before Scanout"));
        assertTrue(s.acquireFrame().isEmpty(), "no surface made up from an Update");
        FIG.add("tried", 1).add("error-replies", 1).add("log-lines", 1).add("rejected", 1);
        refuse(p, s, Bad.afterCall("Update after Disable (no Scanout since)", "disable",
                "update 0 0 8 8 32 x8r8g8b8 solid:ff0000", "Update"), good);

        List<Bad> bad = List.of(
                new Bad("stride smaller than a row", "scanout 64 48 128 x8r8g8b8 gradient", "Scanout"),
                new Bad("stride zero", "scanout 64 48 0 x8r8g8b8 gradient len=12288", "Scanout"),
                new Bad("data shorter than stride x height", "scanout 64 48 256 x8r8g8b8 gradient len=12000",
                        "Scanout"),
                new Bad("no data at all", "scanout 64 48 256 x8r8g8b8 gradient len=0", "Scanout"),
                new Bad("width x height overflows int", "scanout 65536 65536 262144 x8r8g8b8 fill:00 len=64",
                        "Scanout"),
                new Bad("width x height x 4 overflows int", "scanout 46341 46341 185364 x8r8g8b8 fill:00 len=64",
                        "Scanout"),
                new Bad("huge dimensions (max size, tiny data)", "scanout 16384 16384 65536 x8r8g8b8 fill:00 len=64",
                        "Scanout"),
                new Bad("dimensions beyond the maximum", "scanout 16385 1 65540 x8r8g8b8 fill:00 len=65540",
                        "Scanout"),
                new Bad("negative dimensions (u32 0xffffffff)", "scanout -1 -1 -4 x8r8g8b8 fill:00 len=64",
                        "Scanout"),
                new Bad("unknown pixel format", "scanout 16 8 64 0x12345678 gradient", "Scanout"),
                new Bad("pixel format zero", "scanout 16 8 64 0 gradient", "Scanout"),
                new Bad("Update with negative x", "update -1 0 8 8 32 x8r8g8b8 noise:1", "Update"),
                new Bad("Update with negative y", "update 0 -8 8 8 32 x8r8g8b8 noise:1", "Update"),
                new Bad("Update with negative width", "update 0 0 -8 8 32 x8r8g8b8 noise:1 len=256", "Update"),
                new Bad("Update with negative height", "update 0 0 8 -8 32 x8r8g8b8 noise:1 len=256", "Update"),
                new Bad("Update x + width overflows int", "update 2147483647 0 8 8 32 x8r8g8b8 noise:1", "Update"),
                new Bad("Update far outside any surface", "update 16380 0 8 8 32 x8r8g8b8 noise:1", "Update"),
                new Bad("Update growing the surface to 1 GiB", "update 16000 16000 8 8 32 x8r8g8b8 noise:1",
                        "Update"),
                new Bad("Update stride smaller than its row", "update 0 0 8 8 16 x8r8g8b8 noise:1", "Update"),
                new Bad("Update data shorter than stride x height", "update 0 0 8 8 32 x8r8g8b8 noise:1 len=100",
                        "Update"),
                new Bad("Update with an unknown pixel format", "update 0 0 8 8 32 0xdeadbeef noise:1", "Update"),
                new Bad("Update in another format than the surface", "update 0 0 8 8 16 r5g6b5 noise:1", "Update"),
                new Bad("cursor larger than allowed", "cursor-define 2000 2000 0 0 solid:ff0000 len=64",
                        "CursorDefine"),
                new Bad("cursor data too short", "cursor-define 16 16 0 0 solid:ff0000 len=100", "CursorDefine"),
                new Bad("Scanout with a wrong signature", "raw-call Scanout (uuuu) (1, 1, 4, 0x20020888)", "Scanout",
                        "org.freedesktop.DBus.Error.UnknownMethod"),
                new Bad("UpdateMap on a listener that did not offer Unix.Map",
                        "raw-call org.qemu.Display1.Listener.Unix.Map.UpdateMap (iiii) (0, 0, 1, 1)", "UpdateMap",
                        "org.freedesktop.DBus.Error.UnknownMethod"),
                new Bad("an unknown method", "raw-call org.qemu.Display1.Listener.Explode (u) (1,)", "Explode",
                        "org.freedesktop.DBus.Error.UnknownMethod"));
        refuseAll(p, s, bad, good);
        assertTrue(p.call("ping").ok());
        assertEquals(FramePath.COPY, s.activePath());
        s.close();
        assertEquals(fds, UnixFd.openCount(), "descriptors");
    }

    @Test
    void mapPathRefusesBadDescriptorsAndGeometry() throws Exception {
        FakeQemuPeer p = peer();
        FrameSource s = source(p, EnumSet.of(FramePath.COPY, FramePath.MAP), "hostile-map");
        Good good = goodMap(s);
        int fds = UnixFd.openCount();
        int maps = Proc.memfdMaps();
        good.show(p, ++goodFrames);

        refuse(p, s, Bad.afterCall("UpdateMap after Disable (no ScanoutMap since)", "disable", "update-map 0 0 4 4",
                "UpdateMap"), good);
        refuse(p, s, Bad.afterCall("UpdateMap on a copy surface (no ScanoutMap)", "scanout 8 8 32 x8r8g8b8 fill:11",
                "update-map 0 0 4 4", "UpdateMap"), good);
        List<Bad> bad = List.of(
                new Bad("fd is a pipe", "scanout-map 64 48 256 x8r8g8b8 0 gradient fd=pipe", "ScanoutMap"),
                new Bad("fd is a socket", "scanout-map 64 48 256 x8r8g8b8 0 gradient fd=socket", "ScanoutMap"),
                new Bad("fd is /dev/null", "scanout-map 64 48 256 x8r8g8b8 0 gradient fd=devnull", "ScanoutMap"),
                new Bad("memfd shorter than the frame", "scanout-map 64 48 256 x8r8g8b8 0 gradient fd=short",
                        "ScanoutMap"),
                new Bad("memfd shorter than offset + frame", "scanout-map 64 48 256 x8r8g8b8 8192 gradient size=12288",
                        "ScanoutMap"),
                new Bad("no fd attached", "scanout-map 64 48 256 x8r8g8b8 0 gradient fd=none", "ScanoutMap"),
                new Bad("fd index out of range", "scanout-map 64 48 256 x8r8g8b8 0 gradient fd=badindex",
                        "ScanoutMap"),
                new Bad("stride smaller than a row", "scanout-map 64 48 128 x8r8g8b8 0 gradient", "ScanoutMap"),
                new Bad("unknown pixel format", "scanout-map 64 48 256 0x12345678 0 gradient", "ScanoutMap"),
                new Bad("width x height overflows int", "scanout-map 65536 65536 262144 x8r8g8b8 0 fill:00 size=4096",
                        "ScanoutMap"),
                new Bad("huge dimensions, small memfd", "scanout-map 16384 16384 65536 x8r8g8b8 0 fill:00 size=4096",
                        "ScanoutMap"),
                new Bad("offset + frame overflows", "scanout-map 64 48 256 x8r8g8b8 0xfffff000 fill:00 size=4096",
                        "ScanoutMap"),
                new Bad("zero-sized surface", "scanout-map 0 0 0 x8r8g8b8 0 fill:00 size=4096", "ScanoutMap"));
        refuseAll(p, s, bad, good);
        List<Bad> damage = List.of(
                new Bad("UpdateMap with negative size", "update-map 0 0 -4 -4", "UpdateMap"),
                new Bad("UpdateMap left of and above the surface", "update-map -100 -100 8 8", "UpdateMap"),
                new Bad("UpdateMap right of and below the surface", "update-map 1000 1000 8 8", "UpdateMap"),
                new Bad("UpdateMap x + width overflows int", "update-map 2147483647 0 8 8", "UpdateMap"));
        refuseAll(p, s, damage, good);
        closeReleasesAll(s, fds, maps);
    }

    @Test
    void dmabufPathRefusesBadBuffers() throws Exception {
        FakeQemuPeer p = peer();
        // forced to DMA-BUF: QEMU's own fallback to copies never comes under gl=on (FallbackSeedTest, GlOnPeerTest)
        FrameSource s = source(p, EnumSet.of(FramePath.DMABUF), "hostile-dmabuf");
        Good good = goodDmabuf(s);
        int fds = UnixFd.openCount();
        int maps = Proc.memfdMaps();
        good.show(p, ++goodFrames);
        List<Bad> bad = List.of(
                new Bad("fd is a pipe", "scanout-dmabuf 64 48 256 XR24 0 true gradient fd=pipe", "ScanoutDMABUF"),
                new Bad("fd is a socket", "scanout-dmabuf 64 48 256 XR24 0 true gradient fd=socket", "ScanoutDMABUF"),
                new Bad("buffer shorter than the frame", "scanout-dmabuf 64 48 256 XR24 0 true gradient fd=short",
                        "ScanoutDMABUF"),
                new Bad("no fd attached", "scanout-dmabuf 64 48 256 XR24 0 true gradient fd=none", "ScanoutDMABUF"),
                new Bad("stride smaller than a row", "scanout-dmabuf 64 48 128 XR24 0 true gradient", "ScanoutDMABUF"),
                new Bad("huge dimensions, small buffer", "scanout-dmabuf 16384 16384 65536 XR24 0 true fill:00 size=4096",
                        "ScanoutDMABUF"),
                new Bad("width x height overflows int",
                        "scanout-dmabuf 65536 65536 262144 XR24 0 true fill:00 size=4096", "ScanoutDMABUF"),
                new Bad("DMABUF2: visible rectangle outside the backing",
                        "scanout-dmabuf2 60 0 64 48 64 48 XR24 0 true 1 0 256 gradient", "ScanoutDMABUF2"),
                new Bad("DMABUF2: num_planes larger than the arrays",
                        "scanout-dmabuf2 0 0 64 48 64 48 XR24 0 true 3 0 256 gradient", "ScanoutDMABUF2"),
                new Bad("DMABUF2: plane offset past the buffer",
                        "scanout-dmabuf2 0 0 64 48 64 48 XR24 0 true 1 0x7ffff000 256 gradient size=12288",
                        "ScanoutDMABUF2"),
                new Bad("UpdateDMABUF with negative size", "update-dmabuf 0 0 -1 -1", "UpdateDMABUF"));
        refuseAll(p, s, bad, good);
        // valid buffers the CPU cannot read (issue 16; they were refused as malformed before): answered
        // without error, the no-CPU-frames state, the link kept; the next good frame ends the state
        for (String cmd : List.of("scanout-dmabuf 64 48 256 0x41424344 0 true gradient",
                "scanout-dmabuf 64 48 256 NV12 0 true gradient",
                "scanout-dmabuf 64 48 256 XR24 0x0100000000000001 true gradient")) {
            Peers.ok(p, cmd);
            assertTrue(s.cpuFramesUnavailable().isPresent(), cmd);
            assertTrue(s.acquireFrame().isEmpty(), cmd);
            Peers.ok(p, "update-dmabuf 0 0 8 8");
            good.show(p, ++goodFrames);
            assertTrue(s.cpuFramesUnavailable().isEmpty(), cmd);
        }
        closeReleasesAll(s, fds, maps);
    }

    private static volatile long sink;

    private static void readAll(ByteBuffer raw) {
        long sum = 0;
        for (int i = 0; i < raw.capacity(); i += 512) {
            sum += raw.get(i);
        }
        sink = sum;
    }

    /**
     * QEMU's memfds can shrink: a peer truncating a mapped memfd must not crash the JVM, on any
     * read path, even while a reader is copying; the next good surface is shown again.
     */
    @Test
    void memfdTruncatedAfterMappingCannotCrashTheJvm() throws Exception {
        for (FramePath path : List.of(FramePath.MAP, FramePath.DMABUF)) {
            FakeQemuPeer p = peer();
            FrameSource s = source(p, EnumSet.of(path), "shrink-" + path.id());
            String surface = path == FramePath.MAP ? "scanout-map 64 48 256 x8r8g8b8 0 gradient"
                    : "scanout-dmabuf 64 48 256 XR24 0 true gradient";
            Peers.ok(p, surface);
            assertNull(Peers.differs(s, 64, 48, "gradient", 0, 0));

            // 1. a lease taken before the truncation: checked reads refuse
            try (Frame lease = s.acquireFrame().orElseThrow()) {
                ByteBuffer raw = lease.pixels(); // handed out while the memfd was whole
                Peers.ok(p, "truncate 0");
                SHRINK.add("truncations", 1);
                assertThrows(IllegalStateException.class, lease::pixels);
                assertThrows(IllegalStateException.class, lease::toImage);
                assertTrue(s.acquireFrame().isEmpty(), "no new lease on a shrunk surface");
                SHRINK.add("checked-reads-refused", 3);
                // 2. the residual race: a buffer handed out before the truncation is read after
                // it. HotSpot turns the SIGBUS into an InternalError (delivered asynchronously,
                // so the read runs on a thread of its own); the JVM survives.
                // Either way the reader thread ends with an InternalError (caught, or surfacing
                // asynchronously after readAll returned) and nothing else.
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Thread t = new Thread(() -> {
                    try {
                        readAll(raw);
                        for (int i = 0; i < 1000; i++) {
                            Thread.yield(); // safepoints: an asynchronous InternalError surfaces by now
                        }
                    } catch (InternalError e) {
                        thrown.set(e);
                    }
                }, "stale-reader");
                t.setUncaughtExceptionHandler((th, e) -> thrown.set(e));
                t.start();
                t.join(30_000);
                assertFalse(t.isAlive(), "the stale read hung");
                SHRINK.add("stale-buffer-reads", 1)
                        .add("stale-buffer-reads-faulted", thrown.get() instanceof InternalError ? 1 : 0);
                System.out.println("stale read on " + path + ": " + thrown.get());
                assertInstanceOf(InternalError.class, thrown.get(),
                        "a read of a truncated memfd faults, and HotSpot turns the SIGBUS into an InternalError");
            }
            // 3. the next good surface is shown
            Peers.ok(p, surface.replace("gradient", "noise:77"));
            assertNull(Peers.differs(s, 64, 48, "noise:77", 0, 0));

            // 4. a reader copying frames in a loop while the peer shrinks and replaces surfaces.
            // HotSpot delivers the InternalError of a faulting read late, at the reading thread's
            // next safepoint, which may be inside the SDK's bookkeeping (acquireFrame, close):
            // such a reader can leak a lease, and with it one mapping and one descriptor.
            // Counted here, kept apart from the leak accounting; the SDK's own threads never
            // read shared memory, so the source itself is unaffected.
            int mapsBefore = Proc.memfdMaps() - 1; // minus the current surface, released below
            List<String> fdsBefore = Proc.fdTargets();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong copies = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            AtomicLong late = new AtomicLong();
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        try (Frame f = s.acquireFrame().orElse(null)) {
                            if (f == null) {
                                refused.incrementAndGet();
                                continue;
                            }
                            Snapshots.toImage(f);
                            copies.incrementAndGet();
                        }
                    } catch (IllegalStateException e) {
                        refused.incrementAndGet();
                    } catch (InternalError e) {
                        late.incrementAndGet();
                    }
                }
            }, "shrink-reader");
            reader.start();
            for (int i = 0; i < 100; i++) {
                Peers.ok(p, surface.replace("gradient", "noise:" + i));
                Peers.ok(p, "truncate " + (i % 3 == 0 ? 0 : 4096));
                SHRINK.add("truncations", 1);
            }
            stop.set(true);
            reader.join(10_000);
            assertFalse(reader.isAlive());
            SHRINK.add("racing-copies", copies.get()).add("racing-reads-refused", refused.get())
                    .add("racing-InternalErrors", late.get());
            Peers.ok(p, surface.replace("gradient", "noise:78"));
            assertNull(Peers.differs(s, 64, 48, "noise:78", 0, 0));
            assertFalse(s.isClosed());
            s.close();
            p.close();
            Proc.await(2_000, () -> Proc.memfdMaps() == mapsBefore);
            int leakedMaps = Proc.memfdMaps() - mapsBefore;
            int leakedFds = Proc.opened(fdsBefore).size();
            raceLeakedMaps += leakedMaps;
            raceLeakedFds += leakedFds;
            SHRINK.add("leases-leaked-by-late-InternalError", leakedMaps);
            assertTrue(leakedMaps <= late.get(), "a leak without an InternalError: " + leakedMaps + " > " + late.get());
        }
    }
}
