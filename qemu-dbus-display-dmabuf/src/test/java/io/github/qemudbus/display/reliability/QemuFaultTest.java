package io.github.qemudbus.display.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.ListenerRegistration;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.QemuDisplayException;
import io.github.qemudbus.display.UnixFd;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.ReconnectingFrameSource;
import io.github.qemudbus.display.frame.Snapshots;
import io.github.qemudbus.testkit.GuestControl;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Faults with real QEMU: QEMU killed mid-stream (bus mode: it comes back and the source
 * re-attaches; peer-to-peer: the source says it cannot), and the bus daemon killed under a
 * running VM.
 */
@RequiresQemu
class QemuFaultTest {
    static final Figures FIG = new Figures("faults (real QEMU)");
    static final Duration BOOT = Duration.ofSeconds(90);

    @AfterAll
    static void figures() {
        FIG.print();
    }

    /** Records attachments. */
    static final class Attachments implements ReconnectingFrameSource.AttachmentListener {
        final List<String> detached = new CopyOnWriteArrayList<>();
        final List<Integer> attached = new CopyOnWriteArrayList<>();
        volatile long detachedAt;

        @Override
        public void onAttached(FrameSource source, int n) {
            attached.add(n);
        }

        @Override
        public void onDetached(String reason) {
            detachedAt = System.nanoTime();
            detached.add(reason);
        }
    }

    /** Whether every pixel of the current frame is {@code rgb}. */
    static boolean shows(Supplier<java.util.Optional<Frame>> frames, int rgb) {
        try (Frame f = frames.get().orElse(null)) {
            if (f == null) {
                return false;
            }
            BufferedImage img = Snapshots.toImage(f);
            for (int y = 0; y < f.height(); y += 7) {
                for (int x = 0; x < f.width(); x += 7) {
                    if ((img.getRGB(x, y) & 0xffffff) != rgb) {
                        return false;
                    }
                }
            }
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Runs an API call that must fail at once, clearly; returns how long it took. */
    static long failsFast(String what, Runnable call, String expected) {
        long t0 = System.nanoTime();
        QemuDisplayException e = assertThrows(QemuDisplayException.class, call::run, what);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().contains(expected), what + ": " + e.getMessage());
        // guards "fails at once, never waits out the call timeout": the display's default timeout is
        // 10 s and a hung call would take that long; these fail in about 15 ms (connect: its 1 s timeout)
        assertTrue(ms < 8000, what + " took " + ms + " ms");
        FIG.add("api-calls-failed-clearly", 1).max(what.startsWith("connect") ? "connect-dead-bus-ms" : "api-fail-max-ms", ms);
        return ms;
    }

    static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    static List<String> commandLine(long pid) throws Exception {
        byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
        List<String> args = new ArrayList<>(Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0")));
        while (!args.isEmpty() && args.get(args.size() - 1).isEmpty()) {
            args.remove(args.size() - 1);
        }
        return args;
    }

    static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
    }

    /**
     * Bus mode, shared-map path (virtio-vga), the guest drawing noise: SIGKILL QEMU. Sources
     * close (or detach) within milliseconds, mappings and descriptors are freed, API calls fail
     * at once with ServiceUnknown; QEMU started again on the same bus is found and re-attached.
     */
    @Test
    void qemuKilledMidStreamThenBackOnTheBus() throws Exception {
        Process second = null;
        GuestControl guest2 = null;
        try (QemuFixture q = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.VIRTIO)
                .bootTimeout(BOOT).start()) {
            List<String> cmd = commandLine(q.qemuPid());
            int memfd0 = Proc.memfdMaps();
            int sdk0 = UnixFd.openCount();
            QemuDisplay d = QemuDisplay.builder().address(q.dbusAddress()).connect();
            try {
                Console console = d.console(0);
                List<String> fds0 = Proc.fdTargets(); // with the bus connection, before any listener
                Events plainEvents = new Events();
                FrameSource plain = FrameSource.builder(console::registerListener).listener(plainEvents)
                        .name("kill-plain").build();
                CountDownLatch rawGone = new CountDownLatch(1);
                ListenerRegistration raw = console.registerListener(new ConsoleListener() {
                    @Override
                    public void disconnected(String reason) {
                        rawGone.countDown();
                    }
                });
                Attachments att = new Attachments();
                Events recEvents = new Events();
                ReconnectingFrameSource rec = ReconnectingFrameSource.builder(d, 0).retryInterval(Duration.ofMillis(100))
                        .listener(recEvents).attachmentListener(att).name("kill-rec").build();
                assertTrue(plain.awaitFrame(Duration.ofSeconds(30)));
                assertTrue(rec.awaitFrame(Duration.ofSeconds(30)));
                q.guest().startNoise();
                int before = plainEvents.damage.get();
                assertTrue(Proc.await(20_000, () -> plainEvents.damage.get() > before + 5), "noise arrives");
                assertEquals(FramePath.MAP, plain.activePath());
                int mapped = Proc.memfdMaps();
                FIG.set("memfd-maps-while-streaming", mapped - memfd0);

                long t0 = System.nanoTime();
                kill(q.qemuPid());
                FIG.add("qemu-sigkilled", 1);
                assertTrue(Proc.await(5_000, () -> plainEvents.closed.size() == 1), "plain source onClosed");
                FIG.max("kill-to-onClosed-ms", ms(t0));
                assertTrue(rawGone.await(5, TimeUnit.SECONDS), "registration disconnected");
                assertFalse(raw.isConnected());
                assertTrue(Proc.await(5_000, () -> att.detached.size() == 1), "reconnecting source detached");
                FIG.max("kill-to-detached-ms", (att.detachedAt - t0) / 1_000_000);
                assertTrue(plain.isClosed());
                assertTrue(plain.acquireFrame().isEmpty());
                assertTrue(recEvents.closed.isEmpty(), "the reconnecting source keeps going: " + recEvents.closed);
                // no hang, clear errors
                failsFast("VM properties", d::vm, "ServiceUnknown");
                failsFast("Console.info", console::info, "ServiceUnknown");
                failsFast("Keyboard.press", () -> console.keyboard().press(0x1e), "ServiceUnknown");
                failsFast("RegisterListener", () -> console.registerListener(new ConsoleListener() {
                }), "ServiceUnknown");
                assertTrue(d.isConnected(), "the bus is still there");
                plain.close();
                raw.close();
                // everything QEMU gave us is released (the reconnecting source is between attempts)
                assertTrue(Proc.await(5_000, () -> Proc.memfdMaps() == memfd0 && Proc.opened(fds0).isEmpty()),
                        "memfd maps " + memfd0 + " -> " + Proc.memfdMaps() + ", still open: " + Proc.opened(fds0));
                FIG.add("resources-freed", 1);
                assertTrue(Proc.await(2_000, () -> rec.failedAttempts() >= 3), "retrying");

                // QEMU comes back on the same bus
                long t1 = System.nanoTime();
                second = new ProcessBuilder(cmd).directory(q.directory().toFile()).redirectErrorStream(true)
                        .redirectOutput(q.directory().resolve("qemu-second.log").toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                Process p2 = second;
                Runtime.getRuntime().addShutdownHook(new Thread(p2::destroyForcibly));
                guest2 = GuestControl.connect(q.directory().resolve("ctl.sock"), BOOT);
                assertTrue(rec.awaitAttached(BOOT), "re-attached; last failure: " + rec.lastFailure());
                FIG.max("restart-to-reattached-ms", ms(t1));
                assertTrue(Proc.await(2_000, () -> att.attached.size() == 2), "onAttached: " + att.attached);
                assertEquals(List.of(1, 2), att.attached);
                FIG.add("reattached", 1).set("attempts-while-away", rec.failedAttempts());
                guest2.awaitReady(BOOT);
                guest2.fill(0x3366cc);
                assertTrue(Proc.await(30_000, () -> shows(rec::acquireFrame, 0x3366cc)),
                        "the restarted QEMU's frames: " + rec.activePath());
                FIG.add("frames-after-restart-ok", 1);
                assertEquals(1, rec.detachments());
                rec.close();
                assertEquals(List.of("closed by the application"), recEvents.closed);
            } finally {
                d.close();
                if (guest2 != null) {
                    guest2.close();
                }
                if (second != null) {
                    second.destroyForcibly();
                    second.waitFor(10, TimeUnit.SECONDS);
                }
            }
            assertTrue(Proc.await(5_000, () -> Proc.memfdMaps() == memfd0), "memfd maps after close");
            assertEquals(sdk0, UnixFd.openCount());
        }
    }

    /**
     * The bus daemon killed under a running VM: API calls fail at once ("NotConnected"), a new
     * connection attempt fails within its timeout; the listener links are peer-to-peer, so
     * frames keep coming. When QEMU then goes too, the reconnecting source stops and says why.
     */
    @Test
    void busDaemonKilled() throws Exception {
        try (QemuFixture q = QemuFixture.builder().mode(QemuFixture.Mode.BUS).bootTimeout(BOOT).start()) {
            QemuDisplay d = QemuDisplay.builder().address(q.dbusAddress()).connect();
            try {
                Console console = d.console(0);
                Events plainEvents = new Events();
                FrameSource plain = FrameSource.builder(console::registerListener).listener(plainEvents)
                        .name("bus-plain").build();
                Events recEvents = new Events();
                Attachments att = new Attachments();
                ReconnectingFrameSource rec = ReconnectingFrameSource.builder(d, 0).retryInterval(Duration.ofMillis(100))
                        .listener(recEvents).attachmentListener(att).name("bus-rec").build();
                q.guest().fill(0x00aa55);
                assertTrue(Proc.await(30_000, () -> shows(plain::acquireFrame, 0x00aa55)));

                kill(q.dbusDaemonPid());
                FIG.add("dbus-daemon-sigkilled", 1);
                assertTrue(Proc.await(5_000, () -> !d.isConnected()), "isConnected() goes false");
                failsFast("VM properties", d::vm, "Not Connected");
                failsFast("Console.info", console::info, "Not Connected");
                failsFast("Keyboard.press", () -> console.keyboard().press(0x1e), "Not Connected");
                failsFast("RegisterListener", () -> console.registerListener(new ConsoleListener() {
                }), "Not Connected");
                failsFast("connect to the dead bus", () -> QemuDisplay.builder().address(q.dbusAddress())
                        .timeout(Duration.ofSeconds(1)).connect(), "cannot connect to D-Bus");

                // QEMU and the peer-to-peer listener links survive the bus
                Thread.sleep(500);
                boolean qemuAlive = q.isRunning();
                FIG.set("qemu-survives-bus-death", qemuAlive ? "yes" : "no");
                assertTrue(qemuAlive, "QEMU exited with its bus: " + q.qemuStderr());
                q.guest().fill(0xcc3300);
                boolean flowing = Proc.await(30_000, () -> shows(plain::acquireFrame, 0xcc3300));
                FIG.set("frames-after-bus-death", flowing ? "yes" : "no");
                assertTrue(flowing, "frames over the p2p listener link after the bus died");
                assertTrue(Proc.await(30_000, () -> shows(rec::acquireFrame, 0xcc3300)));
                assertTrue(plainEvents.closed.isEmpty(), plainEvents.closed.toString());

                // QEMU goes too: nothing to re-attach through, and the source says so
                kill(q.qemuPid());
                assertTrue(Proc.await(5_000, () -> plainEvents.closed.size() == 1), "plain source onClosed");
                assertTrue(Proc.await(5_000, () -> recEvents.closed.size() == 1), "reconnecting source closed");
                assertTrue(recEvents.closed.get(0).contains("the D-Bus connection to the bus is gone"),
                        recEvents.closed.get(0));
                assertTrue(rec.isClosed());
                FIG.add("gave-up-with-reason", 1);
                plain.close();
            } finally {
                d.close();
            }
        }
    }

    /** Peer-to-peer: QEMU killed; the display connection dies with it and the source says it cannot wait. */
    @Test
    void qemuKilledPeerToPeer() throws Exception {
        try (QemuFixture q = QemuFixture.builder().mode(QemuFixture.Mode.P2P).waitForGuest(false)
                .bootTimeout(BOOT).start()) {
            List<String> fds0 = Proc.fdTargets();
            QemuDisplay d = QemuDisplay.builder().qmp(q.qmpPath()).connect();
            try {
                Events recEvents = new Events();
                Attachments att = new Attachments();
                ReconnectingFrameSource rec = ReconnectingFrameSource.builder(d, 0).listener(recEvents)
                        .attachmentListener(att).name("p2p-rec").build();
                assertTrue(rec.awaitFrame(Duration.ofSeconds(30)));
                long t0 = System.nanoTime();
                kill(q.qemuPid());
                FIG.add("qemu-sigkilled", 1);
                assertTrue(Proc.await(5_000, () -> recEvents.closed.size() == 1), "closed");
                FIG.max("p2p-kill-to-closed-ms", ms(t0));
                assertTrue(recEvents.closed.get(0).contains("peer-to-peer connection to QEMU is gone"),
                        recEvents.closed.get(0));
                assertEquals(1, att.detached.size());
                assertFalse(d.isConnected());
                failsFast("VM properties (p2p)", d::vm, "Not Connected");
                FIG.add("gave-up-with-reason", 1);
            } finally {
                d.close();
            }
            assertTrue(Proc.await(5_000, () -> Proc.opened(fds0).isEmpty()), "still open: " + Proc.opened(fds0));
        }
    }
}
