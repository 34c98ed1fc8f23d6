package io.github.qemudbus.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fixture's process parts alone: the private bus, the watchdog, the folder. */
class FixturePartsTest {

    @Test
    void folderIsCreatedShortAndDeleted() throws Exception {
        FixtureFiles f = FixtureFiles.create();
        assertTrue(Files.isDirectory(f.dir()));
        assertTrue(f.fixtureQmp().toString().length() < 107, "fits a unix socket path");
        Files.writeString(f.qemuLog(), "hello");
        assertEquals("hello", FixtureFiles.readQuietly(f.qemuLog()));
        f.deleteAll();
        assertFalse(Files.exists(f.dir()));
        assertEquals("", FixtureFiles.readQuietly(f.qemuLog()));
    }

    @Test
    void watchdogStandsDownOnClose() throws Exception {
        FixtureFiles f = FixtureFiles.create();
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Watchdog w = Watchdog.start(List.of(sleeper.pid()), f.dir());
            assertNotNull(w);
            w.close();
            Thread.sleep(300);
            assertTrue(sleeper.isAlive(), "closing the watchdog must not run its kill commands");
            assertTrue(Files.isDirectory(f.dir()), "nor its rm");
        } finally {
            sleeper.destroyForcibly();
            f.deleteAll();
        }
    }

    @Test
    @RequiresQemu
    void privateBusStartsAnswersAndStops() throws Exception {
        Optional<?> dbusSend = Tools.dbusSend();
        FixtureFiles f = FixtureFiles.create();
        Process owner = new ProcessBuilder("sleep", "60").start();
        try (PrivateBus bus = PrivateBus.start(f.bus(), f.dbusLog())) {
            assertEquals("unix:path=" + f.bus(), bus.address());
            assertTrue(Files.exists(f.bus()));
            ProcessHandle daemon = ProcessHandle.of(bus.pid()).orElseThrow();
            bus.awaitOwner("org.freedesktop.DBus", Duration.ofSeconds(5), owner);
            if (dbusSend.isPresent()) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> bus.awaitOwner("org.qemu", Duration.ofMillis(300), owner));
                assertTrue(e.getMessage().contains("did not own org.qemu"), e.getMessage());
            }
            owner.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            IllegalStateException gone = assertThrows(IllegalStateException.class,
                    () -> bus.awaitOwner("org.qemu", Duration.ofSeconds(5), owner));
            assertTrue(gone.getMessage().contains("exited"), gone.getMessage());
            bus.close();
            assertFalse(daemon.isAlive());
        } finally {
            owner.destroyForcibly();
            f.deleteAll();
        }
    }
}
