package io.github.qemudbus.examples;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.frame.CpuFramesUnavailable;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.Rect;
import io.github.qemudbus.display.frame.Snapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code record}: the SDK embedded the way an application would: open a console's frame
 * source, listen for damage, and do something with each new picture (here: write a PNG).
 * Stops after {@code --frames} files, when QEMU goes away, or on Ctrl-C.
 */
@Command(name = "record", mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        customSynopsis = "record (--address ADDR | --qmp PATH | --libvirt NAME [--libvirt-uri URI])"
                + " [--console N] --dir DIR [--frames N]"
                + " [--min-interval-ms MS]",
        description = {"Writes a PNG per change of a console's picture, as an embedding program would.",
            "Files DIR/frame-00001.png, ...; prints a line per file: FILE WxH PATH. Stops after --frames files, "
                + "when QEMU goes away, or on Ctrl-C."},
        sortOptions = false,
        footer = ExitCodes.FOOTER)
final class RecordCommand implements Callable<Integer> {
    @Mixin
    ConnectOptions connection;

    @Option(names = "--console", paramLabel = "N", description = "The console (default: 0)")
    String console;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to write the PNGs; created if missing (required)")
    String dir;

    @Option(names = "--frames", paramLabel = "N", description = "Stop after N files (default: 0, until Ctrl-C)")
    String frames;

    @Option(names = "--min-interval-ms", paramLabel = "MS",
            description = "At most one file per this many milliseconds (default: 200)")
    String minIntervalMs;

    @Override
    public Integer call() throws Exception {
        if (this.dir == null) {
            throw new UsageException("--dir DIR is required");
        }
        Path dir = Files.createDirectories(Path.of(this.dir));
        int frames = Numbers.integer("frames", this.frames, 0); // 0: until Ctrl-C
        long minIntervalMs = Numbers.integer("min-interval-ms", this.minIntervalMs, 200);
        if (frames < 0 || minIntervalMs < 0) {
            throw new UsageException("--frames and --min-interval-ms must not be negative");
        }

        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C runs shutdown hooks: stop recording, and let the JVM exit only once the
        // source and the connection are closed.
        Thread hook = new Thread(() -> {
            stop.countDown();
            await(finished, 5000);
        }, "record-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        try (QemuDisplay qemu = connection.connect()) {
            Console console = qemu.console(Numbers.integer("console", this.console, 0));
            try (FrameSource source = FrameSource.open(console)) {
                Recorder recorder = new Recorder(dir, frames, minIntervalMs, stop);
                source.addListener(recorder);
                // A listener hears only of changes after it was added: record what is already there.
                source.cpuFramesUnavailable().ifPresent(recorder::noCpuFrames);
                recorder.record(source);
                stop.await();
                if (recorder.failure != null) {
                    throw new IllegalStateException(recorder.failure);
                }
            }
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down (Ctrl-C): the hook is running
            }
        }
        return ExitCodes.OK;
    }

    private static void await(CountDownLatch latch, long ms) {
        try {
            latch.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes one PNG per damage notification, at most one per interval. */
    private static final class Recorder implements FrameListener {
        private final Path dir;
        private final int frames;
        private final long minIntervalNanos;
        private final CountDownLatch stop;
        private long lastWrite;
        private long lastSequence = -1;
        private volatile int written;
        private volatile String failure;

        Recorder(Path dir, int frames, long minIntervalMs, CountDownLatch stop) {
            this.dir = dir;
            this.frames = frames;
            this.minIntervalNanos = TimeUnit.MILLISECONDS.toNanos(minIntervalMs);
            this.stop = stop;
            this.lastWrite = System.nanoTime() - minIntervalNanos;
        }

        @Override
        public void onDamage(FrameSource source, Rect damage, boolean newSurface) {
            record(source);
        }

        @Override
        public void onClosed(String reason) {
            fail("the console closed after " + written + " frames: " + reason);
        }

        @Override
        public void onCpuFrames(Optional<CpuFramesUnavailable> unavailable) {
            unavailable.ifPresent(this::noCpuFrames);
        }

        /** QEMU gl=on sends buffers the CPU cannot read: stop with the reason rather than record nothing. */
        void noCpuFrames(CpuFramesUnavailable u) {
            fail(u.describe());
        }

        /** Writes the current picture unless it was written already. */
        synchronized void record(FrameSource source) {
            if (stop.getCount() == 0) {
                return;
            }
            // Rate limit by waiting, not by dropping: the source merges the damage that arrives
            // meanwhile into its next call, so the last change is always recorded.
            long wait = lastWrite + minIntervalNanos - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            Optional<Frame> lease = source.acquireFrame();
            if (lease.isEmpty()) {
                return; // no surface: none yet, or the display is off
            }
            Path file = dir.resolve(String.format(Locale.ROOT, "frame-%05d.png", written + 1));
            try (Frame f = lease.get()) {
                if (f.sequence() == lastSequence) {
                    return; // nothing changed since the last file
                }
                // Write beside, then rename: a frame-N.png that exists is complete, even after Ctrl-C.
                Path part = dir.resolve(file.getFileName() + ".part");
                Snapshots.writePng(f, part);
                Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                lastWrite = System.nanoTime();
                lastSequence = f.sequence();
                written++;
                System.out.printf(Locale.ROOT, "%s %dx%d %s%n", file, f.width(), f.height(), f.path().id());
            } catch (IOException | RuntimeException e) {
                fail("cannot write " + file + ": " + e.getMessage());
            }
            if (written == frames) {
                stop.countDown();
            }
        }

        private void fail(String why) {
            if (stop.getCount() > 0) { // after a stop, the source closing is expected
                failure = why;
                stop.countDown();
            }
        }
    }
}
