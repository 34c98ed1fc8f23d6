package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A serial console through {@code -chardev dbus}: the guest's third serial port (ttyS2) runs a
 * shell; the test types a command into it through the chardev stream and reads the answer.
 */
@RequiresQemu
class ChardevConsoleExtrasTest {
    static final String NAME = "org.qemu.console.serial.0";
    private static QemuFixture qemu;

    @BeforeAll
    static void boot() {
        qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.STD).name("chardev")
                .extraArgs("-chardev", "dbus,id=serial2,name=" + NAME, "-serial", "chardev:serial2").start();
        // an interactive shell on the third serial port, as a getty would run one
        qemu.guest().runChecked("stty -F /dev/ttyS2 115200; setsid sh -c 'exec sh -i <>/dev/ttyS2 >&0 2>&1' &");
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

    /** Collects what the guest sends, on its own thread. */
    static final class Collector implements AutoCloseable {
        final StringBuffer text = new StringBuffer();
        final Thread thread;

        Collector(InputStream in) {
            thread = new Thread(() -> {
                byte[] b = new byte[4096];
                try {
                    int n;
                    while ((n = in.read(b)) > 0) {
                        text.append(new String(b, 0, n, StandardCharsets.ISO_8859_1));
                    }
                } catch (IOException e) {
                    text.append("[" + e.getMessage() + "]");
                }
            }, "chardev-collector");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            thread.join(5000);
        }
    }

    private static ChardevChannel openRetrying(Chardev c) throws InterruptedException {
        long end = System.currentTimeMillis() + 10000;
        while (true) {
            try {
                return c.open();
            } catch (FailedException e) {
                // QEMU notices a closed stream in its main loop, a moment after the close
                assertTrue(System.currentTimeMillis() < end, "chardev stayed busy: " + e);
                Thread.sleep(100);
            }
        }
    }

    @Test
    void listsTheChardevWithItsProperties() {
        try (QemuDisplay d = connect()) {
            List<Chardev> all = d.chardevs();
            assertEquals(1, all.size(), all.toString());
            Chardev c = all.get(0);
            assertEquals("serial2", c.id());
            assertEquals(NAME, c.name());
            assertTrue(c.isFrontendOpen());
            assertEquals(c.id(), d.chardev(NAME).orElseThrow().id());
            assertTrue(d.chardev("org.example.none").isEmpty());
        }
    }

    @Test
    void typesIntoTheGuestSerialShellAndReadsTheAnswer() throws Exception {
        try (QemuDisplay d = connect()) {
            Chardev c = d.chardev(NAME).orElseThrow();
            try (ChardevChannel ch = openRetrying(c); Collector out = new Collector(ch.inputStream())) {
                String owner = ((DBusConnection) d.connection()).getUniqueName();
                assertEquals(owner, c.owner());
                // QEMU serves one stream at a time
                assertThrows(FailedException.class, c::open);
                ch.outputStream().write("echo $((6*7))-from-$(cat /proc/sys/kernel/ostype)\n"
                        .getBytes(StandardCharsets.US_ASCII));
                RealQemuTest.await(() -> "the shell's answer, got: " + out.text, 20000,
                        () -> out.text.toString().contains("42-from-Linux"));
                // the break reaches the guest's UART: its break counter goes up
                int before = breaks();
                c.sendBreak();
                RealQemuTest.await("a break on ttyS2", 10000, () -> breaks() > before);
                ch.close();
                assertFalse(ch.isOpen());
                out.close();
                assertFalse(out.thread.isAlive(), "reader not woken by close");
            }
            // closed: QEMU lets the next client in
            try (ChardevChannel again = openRetrying(c); Collector out = new Collector(again.inputStream())) {
                again.outputStream().write("echo again-$((1+1))\n".getBytes(StandardCharsets.US_ASCII));
                RealQemuTest.await(() -> "the second answer, got: " + out.text, 20000,
                        () -> out.text.toString().contains("again-2"));
            }
        }
    }

    private static int breaks() {
        String line = qemu.guest().runChecked("grep '^2:' /proc/tty/driver/serial");
        Matcher m = Pattern.compile("brk:(\\d+)").matcher(line);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @Test
    void closingTheDisplayClosesOpenStreams() throws Exception {
        ChardevChannel ch;
        try (QemuDisplay d = connect()) {
            ch = openRetrying(d.chardev(NAME).orElseThrow());
        }
        assertFalse(ch.isOpen());
        assertEquals(-1, ch.inputStream().read());
    }
}
