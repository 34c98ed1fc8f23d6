import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.Rect;
import io.github.qemudbus.display.frame.Snapshots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/** Writes change-N.png whenever the screen really changes: WatchScreen ADDRESS [SECONDS]. */
public class WatchScreen {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        try (QemuDisplay qemu = QemuDisplay.builder().address(args[0]).connect();
             FrameSource frames = FrameSource.open(qemu.console(0))) {
            // onlyChanges: QEMU reports redrawn areas even when no pixel differs; this
            // filter compares the pixels and passes on only real changes.
            frames.addListener(FrameListener.onlyChanges(new FrameListener() {
                private int n;

                @Override
                public void onDamage(FrameSource source, Rect changed, boolean newSurface) {
                    Optional<Frame> frame = source.acquireFrame();
                    if (frame.isEmpty()) {
                        return; // the guest turned its display off
                    }
                    try (Frame f = frame.get()) {
                        Path png = Path.of("change-" + (++n) + ".png");
                        Snapshots.writePng(f, png);
                        System.out.println(png + ": " + changed + (newSurface ? " (new surface)" : ""));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }));
            Thread.sleep(seconds * 1000L);
            System.out.println("frame path " + frames.activePath() + ", path changes " + frames.pathChanges());
        }
    }
}
