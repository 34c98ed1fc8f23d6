package io.github.qemudbus.testkit;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** QEMU's own picture of the screen through QMP {@code screendump} (PNG), read back and deleted. */
final class Screendumps {
    private static final Logger LOG = LoggerFactory.getLogger(Screendumps.class);

    private Screendumps() {}

    /**
     * Takes one screendump.
     *
     * @param qmp the QMP connection
     * @param file where QEMU writes the PNG (deleted afterwards)
     * @param device the QOM id of the display device, or {@code null} for the first console
     * @param head the head, or -1 for the default
     * @return the picture
     */
    static BufferedImage take(Qmp qmp, Path file, String device, int head) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("filename", file.toString());
        args.put("format", "png");
        if (device != null) {
            args.put("device", device);
        }
        if (head >= 0) {
            args.put("head", head);
        }
        qmp.execute("screendump", args);
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new IllegalStateException("screendump wrote no readable PNG");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read screendump " + file, e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.debug("cannot delete {}", file, e);
            }
        }
    }
}
