package io.github.qemudbus.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.PathChange;
import io.github.qemudbus.display.frame.Rect;
import io.github.qemudbus.display.frame.Snapshots;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code screenshot}: writes a console's current frame as PNG and prints which frame path
 * delivered it, and every fallback on the way, as one JSON line.
 */
@Command(name = "screenshot", mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        customSynopsis = "screenshot (--address ADDR | --qmp PATH | --libvirt NAME [--libvirt-uri URI])"
                + " --console N --out FILE.png"
                + " [--path auto|dmabuf|map|copy] [--timeout-ms MS]",
        description = {"Writes a console's frame as PNG and prints the frame path that delivered it.",
            "Prints one JSON line: {\"path\":\"map\",\"width\":W,\"height\":H,"
                + "\"fallbacks\":[{\"from\",\"to\",\"reason\"}]}."},
        sortOptions = false,
        footer = ExitCodes.FOOTER)
final class ScreenshotCommand implements Callable<Integer> {
    /** A frame counts as settled once no damage arrived for this long. */
    private static final long SETTLE_MS = 300;

    @Mixin
    ConnectOptions connection;

    @Option(names = "--console", paramLabel = "N", description = "The console (default: 0)")
    String console;

    @Option(names = "--out", paramLabel = "FILE.png", description = "Where to write the PNG (required)")
    String out;

    @Option(names = "--path", paramLabel = "auto|dmabuf|map|copy",
            description = "The frame path to insist on; with any but auto, another path is an error (default: auto)")
    String path;

    @Option(names = "--timeout-ms", paramLabel = "MS", description = "How long to wait for a frame (default: 15000)")
    String timeoutMs;

    @Override
    public Integer call() throws Exception {
        if (out == null) {
            throw new UsageException("--out FILE.png is required");
        }
        String pathArg = path != null ? path : "auto";
        FramePath forced = pathArg.equalsIgnoreCase("auto") ? null : parsePath(pathArg);
        long timeoutMs = Numbers.integer("timeout-ms", this.timeoutMs, 15000);
        Path out = Path.of(this.out);
        try (QemuDisplay qemu = connection.connect()) {
            Console console = qemu.console(Numbers.integer("console", this.console, 0));
            FrameSource.Builder b = FrameSource.builder(console::registerListener).name("screenshot");
            if (forced != null) {
                b.path(forced);
            }
            try (FrameSource source = b.build()) {
                AtomicLong lastDamage = new AtomicLong(System.nanoTime());
                source.addListener(new FrameListener() {
                    @Override
                    public void onDamage(FrameSource s, Rect damage, boolean newSurface) {
                        lastDamage.set(System.nanoTime());
                    }
                });
                long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
                if (!CpuFrames.awaitFrame(source, Duration.ofMillis(timeoutMs))) {
                    throw new IllegalStateException("no frame from console " + console.id() + " within " + timeoutMs
                            + " ms" + lastReason(source));
                }
                while (System.nanoTime() - lastDamage.get() < SETTLE_MS * 1_000_000L && System.nanoTime() < deadline) {
                    Thread.sleep(25);
                }
                FramePath active = source.activePath();
                if (forced != null && active != forced) {
                    throw new IllegalStateException("forced path " + forced.id() + " but QEMU delivered "
                            + (active == null ? "nothing" : active.id()) + lastReason(source));
                }
                Optional<Frame> frame = source.acquireFrame();
                if (frame.isEmpty()) {
                    CpuFrames.check(source); // the surface became one the CPU cannot read meanwhile
                    throw new IllegalStateException("the display is off (no surface)" + lastReason(source));
                }
                try (Frame f = frame.get()) {
                    Snapshots.writePng(f, out);
                    System.out.println(result(f, source));
                }
            }
        }
        return ExitCodes.OK;
    }

    private static FramePath parsePath(String s) {
        try {
            return FramePath.fromId(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--path must be auto, dmabuf, map or copy, not '" + s + "'");
        }
    }

    private static String lastReason(FrameSource source) {
        var changes = source.pathChanges();
        return changes.isEmpty() ? "" : ": " + changes.get(changes.size() - 1).reason();
    }

    private static String result(Frame f, FrameSource source) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("path", f.path().id()).put("width", f.width()).put("height", f.height());
        ArrayNode fallbacks = root.putArray("fallbacks");
        for (PathChange c : source.pathChanges()) {
            if (c.from() != null) {
                fallbacks.addObject().put("from", c.from().id()).put("to", c.to().id()).put("reason", c.reason());
            }
        }
        return json.writeValueAsString(root);
    }
}
