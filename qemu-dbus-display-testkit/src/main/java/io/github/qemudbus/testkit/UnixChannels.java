package io.github.qemudbus.testkit;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;

/**
 * The unix-socket steps of {@link GuestControl}, a client of a
 * socket QEMU serves, which appears only some time after QEMU starts.
 */
final class UnixChannels {
    private UnixChannels() {}

    /**
     * Makes one attempt to connect to a unix socket.
     *
     * @param socket the socket path
     * @return the connected channel, or null while the socket file does not exist yet
     * @throws IOException when the file exists but the connection fails (the channel is closed)
     */
    static SocketChannel tryConnect(Path socket) throws IOException {
        if (!Files.exists(socket)) {
            return null;
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    /**
     * Closes a channel, logging a failure at debug level only: closing is best effort, and the
     * peer (QEMU) may be gone already.
     *
     * @param channel the channel
     * @param log where to log
     * @param message the log message, with one {@code {}} for the socket
     * @param socket the socket path, for the log
     */
    static void closeQuietly(SocketChannel channel, Logger log, String message, Path socket) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug(message, socket, e);
        }
    }
}
