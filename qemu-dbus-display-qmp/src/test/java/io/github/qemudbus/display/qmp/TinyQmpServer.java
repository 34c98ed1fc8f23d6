package io.github.qemudbus.display.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A QMP server for tests on a real unix socket: accepts one client and plays a script written
 * as Java code against {@link Peer}. Fds the client passes are collected.
 */
final class TinyQmpServer implements AutoCloseable {
    static final String GREETING = "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":2,\"minor\":0,\"major\":10},"
            + "\"package\":\"Debian 1:10.0.2\"},\"capabilities\":[\"oob\"]}}";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One step of the script. */
    interface Script {
        void play(Peer peer) throws Exception;
    }

    private final AFUNIXServerSocket server;
    private final CompletableFuture<Void> done;

    TinyQmpServer(Path path, Script script) throws IOException {
        server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(path));
        done = CompletableFuture.runAsync(() -> {
            try (AFUNIXSocket s = server.accept()) {
                s.setAncillaryReceiveBufferSize(1024);
                script.play(new Peer(s));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits for the script to finish, rethrowing its failure. */
    void awaitScript() throws Exception {
        done.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** The server's side of the connection. */
    static final class Peer {
        private final AFUNIXSocket socket;
        private final InputStream in;
        private final OutputStream out;
        private final List<FileDescriptor> fds = new ArrayList<>();

        Peer(AFUNIXSocket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        void send(String json) throws IOException {
            out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Sends the greeting and answers qmp_capabilities. */
        void handshake() throws IOException {
            send(GREETING);
            JsonNode caps = command();
            if (!"qmp_capabilities".equals(caps.path("execute").asText())) {
                throw new IOException("expected qmp_capabilities, got " + caps);
            }
            reply(caps, "{}");
        }

        /** Reads the next command line (collecting fds that came with it). */
        JsonNode command() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                FileDescriptor[] got = socket.getReceivedFileDescriptors();
                if (got != null) {
                    fds.addAll(Arrays.asList(got));
                }
                if (b < 0) {
                    throw new IOException("client closed");
                }
                if (b == '\n') {
                    return JSON.readTree(line.toString(StandardCharsets.UTF_8));
                }
                line.write(b);
            }
        }

        /** Answers a command with a return value, echoing its id. */
        void reply(JsonNode command, String returnJson) throws IOException {
            send("{\"return\":" + returnJson + ",\"id\":" + command.get("id") + "}");
        }

        /** Answers a command with an error, echoing its id. */
        void error(JsonNode command, String cls, String desc) throws IOException {
            send("{\"error\":{\"class\":\"" + cls + "\",\"desc\":\"" + desc + "\"},\"id\":" + command.get("id") + "}");
        }

        void event(String name) throws IOException {
            send("{\"timestamp\":{\"seconds\":1,\"microseconds\":2},\"event\":\"" + name + "\",\"data\":{}}");
        }

        List<FileDescriptor> fds() {
            return fds;
        }

        void close() throws IOException {
            socket.close();
        }
    }
}
