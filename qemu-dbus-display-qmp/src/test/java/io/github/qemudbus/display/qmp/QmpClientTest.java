package io.github.qemudbus.display.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link QmpClient} against {@link TinyQmpServer} on a real unix socket. */
class QmpClientTest {
    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private Path sock() {
        return dir.resolve("qmp.sock");
    }

    /** What {@link #typedResult} reads query-status into. */
    record Status(boolean running, String status) {
    }

    @Test
    void greetingCapabilitiesAndCommands() throws Exception {
        try (TinyQmpServer server = new TinyQmpServer(sock(), p -> {
            p.handshake();
            JsonNode c = p.command();
            assertEquals("query-version", c.path("execute").asText());
            p.reply(c, "{\"qemu\":{\"major\":10,\"minor\":0,\"micro\":2},\"package\":\"x\"}");
            JsonNode s = p.command();
            assertEquals("query-status", s.path("execute").asText());
            p.reply(s, "{\"running\":true,\"singlestep\":false,\"status\":\"running\"}");
            JsonNode k = p.command();
            assertEquals("send-key", k.path("execute").asText());
            assertEquals("a", k.path("arguments").path("keys").get(0).asText());
            p.reply(k, "{}");
            p.command(); // stays until the client closes
        }); QmpClient q = QmpClient.connect(sock(), T)) {
            assertEquals(new QemuVersion(10, 0, 2, "Debian 1:10.0.2"), q.version());
            assertEquals("10.0.2", QemuVersion.of(q.execute("query-version")).toString());
            assertEquals(new Status(true, "running"), q.execute("query-status", null, Status.class));
            assertTrue(q.execute("send-key", Map.of("keys", List.of("a"))).isObject());
            assertTrue(q.isOpen());
            assertEquals(sock(), q.socket());
        }
    }

    @Test
    void errorAnswerCarriesQemusClassAndDescription() throws Exception {
        try (TinyQmpServer server = new TinyQmpServer(sock(), p -> {
            p.handshake();
            p.error(p.command(), "CommandNotFound", "The command nope has not been found");
            p.reply(p.command(), "{}");
            p.command();
        }); QmpClient q = QmpClient.connect(sock(), T)) {
            QmpException e = assertThrows(QmpException.class, () -> q.execute("nope"));
            assertEquals("nope", e.command());
            assertEquals("CommandNotFound", e.errorClass());
            assertEquals("The command nope has not been found", e.description());
            assertTrue(e.getMessage().contains("CommandNotFound"), e.getMessage());
            // the connection stays usable after an error answer
            q.execute("query-status");
        }
    }

    @Test
    void eventBetweenCommandAndReplyIsKept() throws Exception {
        try (TinyQmpServer server = new TinyQmpServer(sock(), p -> {
            p.handshake();
            JsonNode c = p.command();
            p.event("STOP");
            p.event("RESUME");
            p.reply(c, "{\"answer\":42}");
            p.command();
        }); QmpClient q = QmpClient.connect(sock(), T)) {
            assertEquals(42, q.execute("stop").path("answer").asInt());
            assertEquals("STOP", q.pollEvent(T).path("event").asText());
            assertEquals("RESUME", q.awaitEvent("RESUME", T).path("event").asText());
            assertNull(q.pollEvent(Duration.ofMillis(50)));
        }
    }

    @Test
    void eventsAreBoundedOldestDropped() throws Exception {
        int extra = 7;
        CountDownLatch sent = new CountDownLatch(1);
        try (TinyQmpServer server = new TinyQmpServer(sock(), p -> {
            p.handshake();
            JsonNode c = p.command();
            for (int i = 0; i < QmpClient.MAX_QUEUED_EVENTS + extra; i++) {
                p.send("{\"event\":\"E" + i + "\",\"data\":{}}");
            }
            p.reply(c, "{}"); // after all events: once answered, every event is queued
            p.command();
        }); QmpClient q = QmpClient.connect(sock(), T)) {
            q.execute("query-status");
            List<JsonNode> events = q.drainEvents();
            assertEquals(QmpClient.MAX_QUEUED_EVENTS, events.size());
            assertEquals("E" + extra, events.get(0).path("event").asText());
            assertEquals(extra, q.droppedEvents());
            assertTrue(q.drainEvents().isEmpty());
        }
    }

    @Test
    void getfdPassesTheDescriptorWithTheCommand() throws Exception {
        Path file = dir.resolve("payload");
        Files.writeString(file, "through SCM_RIGHTS");
        String[] received = new String[2];
        try (TinyQmpServer server = new TinyQmpServer(sock(), p -> {
            p.handshake();
            JsonNode c = p.command();
            received[0] = c.path("arguments").path("fdname").asText();
            if (p.fds().size() == 1) {
                try (FileInputStream in = new FileInputStream(p.fds().get(0))) {
                    received[1] = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                p.reply(c, "{}");
            } else {
                p.error(c, "GenericError", "No file descriptor supplied via SCM_RIGHTS");
            }
            p.command();
        }); QmpClient q = QmpClient.connect(sock(), T); FileInputStream f = new FileInputStream(file.toFile())) {
            FileDescriptor fd = f.getFD();
            q.getfd("mine", fd);
            assertEquals("mine", received[0]);
            assertEquals("through SCM_RIGHTS", received[1]);
            assertTrue(fd.valid(), "the caller still owns its fd");
        }
    }

    @Test
    void getfdWithoutDescriptorIsRefusedLikeQemuDoes() throws Exception {
        try (TinyQmpServer server = new TinyQmpServer(sock(), p -> {
            p.handshake();
            JsonNode c = p.command();
            if (p.fds().isEmpty()) {
                p.error(c, "GenericError", "No file descriptor supplied via SCM_RIGHTS");
            } else {
                p.reply(c, "{}");
            }
            p.command();
        }); QmpClient q = QmpClient.connect(sock(), T)) {
            // a plain execute("getfd") carries no fd: the server must see none
            QmpException e = assertThrows(QmpException.class, () -> q.execute("getfd", Map.of("fdname", "x")));
            assertEquals("GenericError", e.errorClass());
        }
    }

    @Test
    void qemuVanishingMidCommandFailsPromptly() throws Exception {
        try (TinyQmpServer server = new TinyQmpServer(sock(), p -> {
            p.handshake();
            p.command();
            p.close(); // QEMU exits without answering
        }); QmpClient q = QmpClient.connect(sock(), T)) {
            long t0 = System.nanoTime();
            QmpException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(QmpException.class, () -> q.execute("system_powerdown", null,
                            Duration.ofMinutes(5))));
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 5);
            assertTrue(e.getMessage().contains("closed by QEMU"), e.getMessage());
            assertNull(e.errorClass());
            assertFalse(q.isOpen());
            // later commands fail at once too
            QmpException again = assertThrows(QmpException.class, () -> q.execute("query-status"));
            assertTrue(again.getMessage().contains("closed by QEMU"), again.getMessage());
        }
    }

    @Test
    void silentQemuTimesOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TinyQmpServer server = new TinyQmpServer(sock(), p -> {
            p.handshake();
            p.command();
            release.await(10, TimeUnit.SECONDS); // holds the command without answering
        }); QmpClient q = QmpClient.connect(sock(), T)) {
            QmpException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(QmpException.class, () -> q.execute("query-status", null,
                            Duration.ofMillis(300))));
            assertTrue(e.getMessage().contains("no answer within 300 ms"), e.getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void notQmpAndNoGreetingAreClearErrors() throws Exception {
        try (TinyQmpServer server = new TinyQmpServer(sock(), p -> {
            p.send("{\"hello\":1}");
            p.command();
        })) {
            QmpException e = assertThrows(QmpException.class, () -> QmpClient.connect(sock(), T));
            assertTrue(e.getMessage().contains("is not a QMP socket"), e.getMessage());
        }
        Files.deleteIfExists(sock());
        CountDownLatch release = new CountDownLatch(1);
        try (TinyQmpServer server = new TinyQmpServer(sock(), p -> release.await(10, TimeUnit.SECONDS))) {
            QmpException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(QmpException.class, () -> QmpClient.connect(sock(), Duration.ofMillis(300))));
            assertTrue(e.getMessage().contains("no QMP greeting"), e.getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void missingSocketFailsAtOnceOrAfterWaiting() {
        QmpException now = assertThrows(QmpException.class, () -> QmpClient.connect(sock(), T));
        assertTrue(now.getMessage().contains(sock().toString()), now.getMessage());
        long t0 = System.nanoTime();
        assertThrows(QmpException.class, () -> QmpClient.connectWhenReady(sock(), Duration.ofMillis(200)));
        assertTrue(System.nanoTime() - t0 >= 150_000_000L, "waited for the socket to appear");
    }

    @Test
    void connectWhenReadyWaitsForALateSocket() throws Exception {
        TinyQmpServer[] server = new TinyQmpServer[1];
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(300);
                server[0] = new TinyQmpServer(sock(), p -> {
                    p.handshake();
                    p.command();
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        late.start();
        try (QmpClient q = QmpClient.connectWhenReady(sock(), T)) {
            assertEquals(10, q.version().major());
        } finally {
            late.join();
            if (server[0] != null) {
                server[0].close();
            }
        }
    }
}
