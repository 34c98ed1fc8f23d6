package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.internal.LibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The client side of D-Bus authentication on a listener link: QEMU is the authentication
 * server, we prove our uid ({@code EXTERNAL}) and optionally negotiate descriptor passing.
 */
final class SaslClient {
    private SaslClient() {
    }

    /**
     * Runs the exchange up to {@code BEGIN}.
     *
     * @param socket where to send
     * @param input where the answers arrive
     * @param fdPassing whether to negotiate Unix fd passing
     * @throws IOException when QEMU refuses or the connection ends
     */
    static void authenticate(UnixSocket socket, MessageInput input, boolean fdPassing) throws IOException {
        String uid = Integer.toString(LibC.Holder.LIBC.getuid());
        StringBuilder hex = new StringBuilder();
        for (byte b : uid.getBytes(StandardCharsets.US_ASCII)) {
            hex.append(String.format("%02x", b));
        }
        SaslLines.send(socket, "\0AUTH EXTERNAL " + hex + "\r\n");
        String reply = input.readLine();
        if (!reply.startsWith("OK ")) {
            throw new IOException("QEMU refused authentication: " + reply);
        }
        if (fdPassing) {
            SaslLines.send(socket, "NEGOTIATE_UNIX_FD\r\n");
            reply = input.readLine();
            if (!reply.startsWith("AGREE_UNIX_FD")) {
                throw new IOException("QEMU refused unix fd passing: " + reply);
            }
        }
        SaslLines.send(socket, "BEGIN\r\n");
    }
}
