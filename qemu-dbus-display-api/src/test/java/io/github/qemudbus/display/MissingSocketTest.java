package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connecting to a bus socket path that does not exist fails at once, saying so. */
class MissingSocketTest {

    @Test
    void missingSocketFailsAtOnceWithAClearMessage(@TempDir Path dir) {
        Path missing = dir.resolve("no-bus-here");
        long t0 = System.nanoTime();
        QemuDisplayException e = assertThrows(QemuDisplayException.class, () -> QemuDisplay.builder()
                .address("unix:path=" + missing).timeout(Duration.ofSeconds(30)).connect());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().contains("no socket at " + missing), e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        // generous: the point is "not the 30 s timeout"; the check itself takes microseconds
        assertTrue(ms < 10_000, "took " + ms + " ms");
    }

    @Test
    void unixPathParsing() {
        assertEquals("/tmp/a b", QemuDisplay.Builder.unixPath("unix:path=/tmp/a%20b,guid=1234"));
        assertEquals("/run/vm1/bus", QemuDisplay.Builder.unixPath("unix:guid=9,path=/run/vm1/bus"));
        assertNull(QemuDisplay.Builder.unixPath("unix:abstract=/tmp/dbus-x"));
        assertNull(QemuDisplay.Builder.unixPath("tcp:host=localhost,port=1"));
    }
}
