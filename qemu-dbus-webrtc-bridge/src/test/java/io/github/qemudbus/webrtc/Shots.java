package io.github.qemudbus.webrtc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where browser tests leave their screenshots: a folder any build layout has. */
final class Shots {
    private Shots() {
    }

    static Path file(String name) {
        Path dir = Path.of(System.getProperty("webrtc.screenshot.dir",
                System.getProperty("java.io.tmpdir") + "/qemu-dbus-webrtc-screenshots"));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.resolve(name);
    }
}
