package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.qmp.QmpClient;
import io.github.qemudbus.testkit.GuestControl;
import io.github.qemudbus.testkit.QemuFixture;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Kills a fixture's QEMU (SIGKILL) and starts it again with the same command line, in the same
 * folder: same bus, same QMP socket paths, same guest control socket. The fixture itself cannot
 * restart its QEMU, so the QEMU started here is this object's to kill ({@link #close()}, and a
 * shutdown hook should the JVM end first). The oracle after a restart is a screendump through
 * the fixture's own QMP socket, read from the command line.
 */
final class Restarts implements AutoCloseable {
    static final Duration BOOT = Duration.ofSeconds(120);

    private final QemuFixture fixture;
    private final List<String> cmd;
    private final Path fixtureQmp;
    private Process current;
    private GuestControl guest;
    private int starts;

    Restarts(QemuFixture fixture) throws IOException {
        this.fixture = fixture;
        byte[] raw = Files.readAllBytes(Path.of("/proc/" + fixture.qemuPid() + "/cmdline"));
        List<String> args = new ArrayList<>(Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0")));
        while (!args.isEmpty() && args.get(args.size() - 1).isEmpty()) {
            args.remove(args.size() - 1);
        }
        this.cmd = args;
        Path q = null;
        for (String a : args) {
            int i = a.indexOf("id=qmp-fixture,path=");
            if (i >= 0) {
                String rest = a.substring(i + "id=qmp-fixture,path=".length());
                q = Path.of(rest.substring(0, rest.indexOf(',') < 0 ? rest.length() : rest.indexOf(',')));
            }
        }
        if (q == null) {
            throw new IllegalStateException("no fixture QMP socket in " + args);
        }
        this.fixtureQmp = q;
    }

    /** The pid of the QEMU running now. */
    long pid() {
        return current != null ? current.pid() : fixture.qemuPid();
    }

    /** SIGKILLs the QEMU running now and waits until it is gone. */
    void kill() throws InterruptedException {
        if (guest != null) {
            guest.close();
            guest = null;
        }
        ProcessHandle h = ProcessHandle.of(pid()).orElse(null);
        if (h != null) {
            h.destroyForcibly();
            h.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    /** Starts QEMU again with the first one's command line (after {@link #kill()}). */
    void restart() throws IOException {
        restart(new String[0]);
    }

    /** Starts QEMU again with the first one's command line plus these arguments (after {@link #kill()}). */
    void restart(String... extraArgs) throws IOException {
        starts++;
        List<String> full = new ArrayList<>(cmd);
        full.addAll(Arrays.asList(extraArgs));
        Process p = new ProcessBuilder(full).directory(fixture.directory().toFile()).redirectErrorStream(true)
                .redirectOutput(fixture.directory().resolve("qemu-restart-" + starts + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        current = p;
    }

    /** The restarted guest's control (connects and waits for its boot on first use). */
    GuestControl guest() {
        if (current == null) {
            return fixture.guest();
        }
        if (guest == null) {
            guest = GuestControl.connect(fixture.directory().resolve("ctl.sock"), BOOT);
            guest.awaitReady(BOOT);
        }
        return guest;
    }

    /** QEMU's own picture of console 0, through the fixture's QMP socket. */
    BufferedImage screendump() throws IOException {
        if (current == null) {
            return fixture.screendump();
        }
        Path f = fixture.directory().resolve("restart-dump-" + System.nanoTime() + ".png");
        try (QmpClient q = QmpClient.connect(fixtureQmp, Duration.ofSeconds(10))) {
            q.execute("screendump", Map.of("filename", f.toString(), "format", "png"));
        }
        try {
            return ImageIO.read(f.toFile());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Override
    public void close() {
        if (guest != null) {
            guest.close();
        }
        if (current != null) {
            current.destroyForcibly();
            try {
                current.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
