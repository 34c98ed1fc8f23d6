package io.github.qemudbus.display.doctor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qemudbus.display.qmp.QemuVersion;
import io.github.qemudbus.display.qmp.QmpClient;
import io.github.qemudbus.display.qmp.QmpException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Asks a QMP socket for QEMU's version ({@code query-version}) through the SDK's {@link QmpClient}. */
final class QmpVersion {
    private static final ObjectMapper JSON = new ObjectMapper();

    private QmpVersion() {
    }

    /**
     * Connects, negotiates capabilities, runs {@code query-version}.
     *
     * @param socket the QMP socket
     * @param timeout for the whole exchange
     * @return "major.minor.micro"
     * @throws IOException when the socket cannot be used or answers nonsense
     */
    static String query(Path socket, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (QmpClient q = QmpClient.connect(socket, timeout)) {
            Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1));
            return QemuVersion.of(q.execute("query-version", null, left)).toString();
        } catch (QmpException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Reads the version from a whole {@code query-version} answer line.
     *
     * @param reply {@code {"return": {"qemu": {"major": .., "minor": .., "micro": ..}, ...}}}
     * @return "major.minor.micro"
     * @throws IOException when the line is not such an answer
     */
    static String parse(String reply) throws IOException {
        try {
            JsonNode node = JSON.readTree(reply);
            return QemuVersion.of(node.get("return")).toString();
        } catch (JsonProcessingException | QmpException e) {
            throw new IOException("unexpected query-version reply: " + reply, e);
        }
    }
}
