package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.dbus.AudioInListener;
import io.github.qemudbus.display.dbus.Clipboard;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.freedesktop.dbus.bin.EmbeddedDBusDaemon;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.Introspectable;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real dbus-java round trips over an embedded bus daemon: an error reply named
 * {@code org.qemu.Display1.Error.*} must come back as the matching typed exception, a
 * multi-out-arg reply as {@link Clipboard.RequestReply}, an {@code ay} reply as {@code byte[]},
 * and the {@code @DBusProperty} annotations must show up in introspection.
 */
class DBusErrorsRoundTripTest {
    private static final String SERVICE = "io.github.qemudbus.test";
    private static Path dir;
    private static EmbeddedDBusDaemon daemon;
    private static DBusConnection server;
    private static DBusConnection client;

    /** Behaves like QEMU's clipboard: refuses text/html, answers text/plain. */
    static final class FakeClipboard implements Clipboard {
        @Override
        public void Register() {
            throw new org.qemu.Display1.Error.Unsupported("no agent");
        }

        @Override
        public void Unregister() {
            throw new DBusExecutionException("anonymous failure");
        }

        @Override
        public void Grab(UInt32 selection, UInt32 serial, List<String> mimes) {
        }

        @Override
        public void Release(UInt32 selection) {
            throw new org.qemu.Display1.Error.Invalid("Invalid selection " + selection);
        }

        @Override
        public RequestReply<String, byte[]> Request(UInt32 selection, List<String> mimes) {
            if (!mimes.contains("text/plain")) {
                throw new org.qemu.Display1.Error.Failed("Empty clipboard");
            }
            return new RequestReply<>("text/plain", "héllo".getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String getObjectPath() {
            return OBJECT_PATH;
        }
    }

    static final class FakeAudioIn implements AudioInListener {
        @Override
        public void Init(UInt64 id, byte bits, boolean isSigned, boolean isFloat, UInt32 freq, byte nchannels,
                UInt32 bytesPerFrame, UInt32 bytesPerSecond, boolean be) {
        }

        @Override
        public void Fini(UInt64 id) {
        }

        @Override
        public void SetEnabled(UInt64 id, boolean enabled) {
        }

        @Override
        public void SetVolume(UInt64 id, boolean mute, byte[] volume) {
        }

        @Override
        public byte[] Read(UInt64 id, UInt64 size) {
            byte[] b = new byte[(int) size.longValue()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (i - 3);
            }
            return b;
        }

        @Override
        public String getObjectPath() {
            return OBJECT_PATH;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("dbus-errors");
        String address = "unix:path=" + dir.resolve("bus");
        daemon = new EmbeddedDBusDaemon(address + ",listen=true");
        daemon.startInBackgroundAndWait(10_000);
        server = DBusConnectionBuilder.forAddress(address).withShared(false).build();
        server.requestBusName(SERVICE);
        server.exportObject(Clipboard.OBJECT_PATH, new FakeClipboard());
        server.exportObject(AudioInListener.OBJECT_PATH, new FakeAudioIn());
        client = DBusConnectionBuilder.forAddress(address).withShared(false).build();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {client, server, daemon}) {
            if (c != null) {
                c.close();
            }
        }
        if (dir != null) {
            Files.deleteIfExists(dir.resolve("bus"));
            Files.deleteIfExists(dir);
        }
    }

    private static Clipboard clipboard() throws Exception {
        return client.getRemoteObject(SERVICE, Clipboard.OBJECT_PATH, Clipboard.class);
    }

    @Test
    void qemuErrorRepliesArriveAsTypedExceptions() throws Exception {
        Clipboard c = clipboard();
        RuntimeException raw = assertThrows(RuntimeException.class, () -> c.Release(new UInt32(7)));
        assertInstanceOf(org.qemu.Display1.Error.Invalid.class, raw);
        QemuDisplayException e = DBusErrors.map(raw, "Clipboard.Release");
        assertInstanceOf(InvalidException.class, e);
        assertEquals("Clipboard.Release: org.qemu.Display1.Error.Invalid: Invalid selection 7", e.getMessage());

        QemuDisplayException f = DBusErrors.map(
                assertThrows(RuntimeException.class, () -> c.Request(new UInt32(0), List.of("text/html"))), "r");
        assertInstanceOf(FailedException.class, f);
        assertEquals("r: org.qemu.Display1.Error.Failed: Empty clipboard", f.getMessage());

        QemuDisplayException u = DBusErrors.map(assertThrows(RuntimeException.class, c::Register), "reg");
        assertInstanceOf(UnsupportedException.class, u);
    }

    @Test
    void anonymousErrorsLoseTheirName() throws Exception {
        Clipboard c = clipboard();
        QemuDisplayException e = DBusErrors.map(assertThrows(RuntimeException.class, c::Unregister), "unreg");
        assertEquals(QemuDisplayException.class, e.getClass());
        assertTrue(e.getMessage().startsWith("unreg: "), e.getMessage());
        assertTrue(e.getMessage().contains("anonymous failure"), e.getMessage());
    }

    @Test
    void tupleAndByteArrayRepliesDecode() throws Exception {
        Clipboard.RequestReply<String, byte[]> r = clipboard().Request(new UInt32(0), List.of("text/plain"));
        assertEquals("text/plain", r.replyMime());
        assertEquals("héllo", new String(r.data(), StandardCharsets.UTF_8));

        AudioInListener in = client.getRemoteObject(SERVICE, AudioInListener.OBJECT_PATH, AudioInListener.class);
        assertArrayEquals(new byte[] {-3, -2, -1, 0, 1}, in.Read(new UInt64(1), new UInt64(5)));
    }

    @Test
    void introspectionShowsTheProperties() throws Exception {
        String xml = client.getRemoteObject(SERVICE, Clipboard.OBJECT_PATH, Introspectable.class).Introspect();
        assertTrue(xml.contains("<interface name=\"org.qemu.Display1.Clipboard\">"), xml);
        assertTrue(xml.matches("(?s).*<property name=\"Interfaces\" type=\"as\" access=\"read\".*"), xml);
        assertTrue(xml.matches("(?s).*<method name=\"Request\"\\s*>.*type=\"s\" direction=\"out\".*"
                + "type=\"ay\" direction=\"out\".*"), xml);
    }
}
