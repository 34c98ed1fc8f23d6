package io.github.qemudbus.examples;

import static io.github.qemudbus.examples.CliContractTest.differingPixels;
import static io.github.qemudbus.examples.CliContractTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qemudbus.examples.CliContractTest.Result;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.QemuInstall;
import io.github.qemudbus.testkit.RequiresQemu;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The examples' {@code info}, {@code type}, {@code screenshot} and {@code doctor} as a user runs
 * them, on the QEMUs beside the default one ({@link CliContractTest} covers 10.0): Debian 12's
 * 7.2 (no {@code Interfaces} properties, no shared map: copies) and Debian's 11.1 (the shared
 * map). One virtio-vga VM per version, all four commands on it.
 */
@RequiresQemu
class CliOnQemuVersionsTest {
    private static final Logger LOG = LoggerFactory.getLogger(CliOnQemuVersionsTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "QEMU {0}")
    @ValueSource(strings = {"7.2", "11.1"})
    void infoTypeScreenshotDoctor(String version, @TempDir Path tmp) throws Exception {
        QemuInstall q = version.equals("7.2") ? QemuInstall.qemu72() : QemuInstall.qemu111();
        boolean old = version.equals("7.2");
        try (QemuFixture qemu = q.fixture().vga(QemuFixture.Vga.VIRTIO).name("cli-" + version).start()) {
            String addr = qemu.dbusAddress();
            Result info = run("info", "--address", addr);
            assertEquals(0, info.code(), info.err());
            JsonNode root = JSON.readTree(info.out());
            assertEquals("cli-" + version, root.path("vm").path("name").asText(), info.out());
            JsonNode c0 = root.path("consoles").get(0);
            assertEquals("virtio-vga", c0.path("label").asText(), info.out());
            assertEquals(1024, c0.path("width").asInt(), info.out());
            List<String> ifaces = JSON.convertValue(c0.path("interfaces"), List.class);
            // 7.2 has no Interfaces property: the SDK reports none rather than failing
            assertEquals(old, ifaces.isEmpty(), info.out());
            assertEquals(old, !ifaces.contains("org.qemu.Display1.Keyboard"), info.out());

            qemu.guest().run("rm -f /tmp/cli-typed");
            Result typed = run("type", "--address", addr, "--console", "0", "--text", "touch /tmp/cli-typed",
                    "--key", "Enter");
            assertEquals(0, typed.code(), typed.err());
            long end = System.currentTimeMillis() + 20000;
            while (!qemu.guest().run("test -e /tmp/cli-typed").succeeded()) {
                assertTrue(System.currentTimeMillis() < end, "the typed command never ran on " + version);
                Thread.sleep(100);
            }

            qemu.guest().fill(0x2040c0);
            qemu.guest().stillScreen();
            Thread.sleep(1500);
            Path png = tmp.resolve("shot.png");
            Result shot = run("screenshot", "--address", addr, "--console", "0", "--out", png.toString());
            assertEquals(0, shot.code(), shot.err());
            JsonNode s = JSON.readTree(shot.out());
            assertEquals(old ? "copy" : "map", s.path("path").asText(), shot.out());
            assertEquals(0, differingPixels(ImageIO.read(png.toFile()), qemu.screendump()), "PNG vs screendump");

            Result doctor = run("doctor", "--address", addr, "--json", "--observe-ms", "1000",
                    "--version-qmp", qemu.qmpPath().toString());
            assertEquals(0, doctor.code(), doctor.out() + doctor.err());
            JsonNode d = JSON.readTree(doctor.out());
            LOG.info("doctor on QEMU {}: {}", version, doctor.out());
            assertTrue(d.path("qemu").path("version").asText().startsWith(version + "."), doctor.out());
            assertEquals(old ? "copy" : "map", d.path("frames").path("path").asText(), doctor.out());
            assertTrue(qemu.isRunning());
        }
    }
}
