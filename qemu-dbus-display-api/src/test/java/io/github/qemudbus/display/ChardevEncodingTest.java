package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.QemuInstall;
import io.github.qemudbus.testkit.RequiresQemu;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Chardev#encoding()} on real QEMU 11.1 ({@code org.qemu.Display1.Chardev.VCEncoding}):
 * the guest's third serial port is a virtual console with {@code encoding=cp437}, the fourth a
 * {@code -serial vc} (QEMU's default, utf8), the fifth a plain {@code -chardev dbus}. The guest
 * writes each port's bytes; the stream, decoded with the encoding the SDK reports, reads as the
 * guest meant. (That older QEMUs report no encoding is checked against their introspection in
 * {@code InterfaceSignaturesTest}.)
 */
@RequiresQemu
class ChardevEncodingTest {
    private static QemuFixture qemu;

    @BeforeAll
    static void boot() {
        qemu = QemuInstall.qemu111().fixture().vga(QemuFixture.Vga.STD).name("chardev-encoding")
                .extraArgs("-chardev", "vc,id=box,encoding=cp437", "-serial", "chardev:box", // ttyS2
                        "-serial", "vc") // ttyS3
                .start();
    }

    @AfterAll
    static void shutdown() {
        if (qemu != null) {
            qemu.close();
        }
    }

    private static QemuDisplay connect() {
        return QemuDisplay.builder().address(qemu.dbusAddress()).timeout(Duration.ofSeconds(20)).connect();
    }

    @Test
    void eachVirtualConsoleSaysItsEncoding() {
        try (QemuDisplay d = connect()) {
            List<Chardev> all = d.chardevs();
            Chardev box = all.stream().filter(c -> c.id().equals("box")).findFirst().orElseThrow();
            assertEquals(Optional.of(Chardev.Encoding.CP437), box.encoding(), all.toString());
            Chardev serial = d.chardev("org.qemu.console.serial.0").orElseThrow(() -> new AssertionError(all));
            assertEquals(Optional.of(Chardev.Encoding.UTF8), serial.encoding(), all.toString());
            assertTrue(box.toString().contains("cp437"), box.toString());
        }
    }

    @Test
    void theReportedEncodingDecodesWhatTheGuestWrites() throws Exception {
        try (QemuDisplay d = connect()) {
            check(d.chardevs().stream().filter(c -> c.id().equals("box")).findFirst().orElseThrow(), "/dev/ttyS2",
                    "\\311\\315\\273 \\310\\315\\274", "╔═╗ ╚═╝");
            check(d.chardev("org.qemu.console.serial.0").orElseThrow(), "/dev/ttyS3",
                    "gr\\303\\274\\303\\237e \\342\\202\\254", "grüße €");
        }
    }

    /** The guest prints octal-escaped bytes to its port; the stream decoded must read {@code expected}. */
    private static void check(Chardev c, String tty, String octal, String expected) throws Exception {
        Charset cs = Charset.forName(c.encoding().orElseThrow().charsetName());
        try (ChardevChannel ch = c.open();
                ChardevConsoleExtrasTest.Collector out = new ChardevConsoleExtrasTest.Collector(ch.inputStream())) {
            String marker = "#" + c.id() + "#";
            // raw: no output processing on the line; then the bytes between two markers
            qemu.guest().runChecked("stty -F " + tty + " raw -echo 115200; printf '" + marker + octal + marker + "' > "
                    + tty);
            RealQemuTest.await(() -> "the guest's bytes on " + c.id() + ", got: " + out.text, 20000,
                    () -> out.text.toString().split(java.util.regex.Pattern.quote(marker), -1).length >= 3);
            // the collector keeps bytes as ISO-8859-1 chars: back to bytes, then decode as QEMU says
            String raw = out.text.toString().split(java.util.regex.Pattern.quote(marker), -1)[1];
            String decoded = new String(raw.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), cs);
            assertEquals(expected, decoded, c + " decoded with " + cs);
        }
    }
}
