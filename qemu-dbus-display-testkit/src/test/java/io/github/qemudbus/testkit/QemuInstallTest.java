package io.github.qemudbus.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link QemuInstall} starts each kind of install, and the three real ones. */
class QemuInstallTest {

    private static Path file(Path root, String rel) throws Exception {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, "");
    }

    @Test
    void aTreeWithItsOwnLoaderIsStartedThroughIt(@TempDir Path tmp) throws Exception {
        file(tmp, QemuInstall.BINARY);
        file(tmp, QemuInstall.LOADER);
        Files.createDirectories(tmp.resolve("usr/share/seabios"));
        QemuInstall q = QemuInstall.unpacked("11.1", tmp);
        assertEquals(List.of(tmp.resolve(QemuInstall.LOADER).toString(), "--library-path",
                tmp.resolve("lib/x86_64-linux-gnu") + ":" + tmp.resolve("usr/lib/x86_64-linux-gnu"),
                tmp.resolve(QemuInstall.BINARY).toString()), q.command());
        assertEquals(Map.of("QEMU_MODULE_DIR", tmp.resolve(QemuInstall.MODULES).toString()), q.environment());
        assertEquals(List.of("-L", tmp.resolve("usr/share/qemu").toString(), "-L",
                tmp.resolve("usr/share/seabios").toString()), q.firmwareArgs());
        assertEquals("11.1", q.label());
    }

    @Test
    void unpackedPackagesUseTheHostsLoaderAndSeabios(@TempDir Path tmp) throws Exception {
        file(tmp, QemuInstall.BINARY);
        QemuInstall q = QemuInstall.unpacked("7.2", tmp);
        assertEquals(List.of(tmp.resolve(QemuInstall.BINARY).toString()), q.command());
        assertEquals(List.of("-L", tmp.resolve("usr/share/qemu").toString(), "-L", "/usr/share/seabios"),
                q.firmwareArgs());
    }

    @Test
    void aFolderWithoutQemuIsRefused(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QemuInstall.unpacked("x", tmp));
        assertTrue(e.getMessage().contains("usr/bin/qemu-system-x86_64"), e.getMessage());
    }

    @Test
    @RequiresQemu
    void theThreeQemusStartAndHaveTheDbusDisplay() {
        for (Map.Entry<QemuInstall, String> e : Map.of(QemuInstall.system(), "10.", QemuInstall.qemu72(), "7.2.",
                QemuInstall.qemu111(), "11.1.").entrySet()) {
            QemuInstall q = e.getKey();
            assertTrue(q.version().startsWith(e.getValue()), q + ": " + q.version());
            assertTrue(q.hasDbusDisplay(), q + " has no dbus display");
        }
    }
}
