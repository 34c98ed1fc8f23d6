package io.github.qemudbus.display.internal.wire;

import java.nio.ByteBuffer;

/**
 * The fixed part and the header fields of one D-Bus message, as read from the front of a buffer
 * that holds the whole message (its byte order already set).
 *
 * @param type 1 method call, 2 method return, 3 error, 4 signal
 * @param flags the flag byte (bit 0: no reply expected)
 * @param serial the sender's serial
 * @param path the PATH field, or null
 * @param iface the INTERFACE field, or null
 * @param member the MEMBER field, or null
 * @param signature the SIGNATURE field, empty when absent
 * @param unixFds the UNIX_FDS field, 0 when absent
 * @param headerLength bytes before the body (header fields padded to 8)
 * @param totalLength bytes of the whole message
 */
public record MessageHeader(int type, int flags, int serial, String path, String iface, String member,
        String signature, int unixFds, int headerLength, int totalLength) {

    /** Message type of a method call. */
    public static final int METHOD_CALL = 1;

    /**
     * Whether the caller asked for no reply.
     *
     * @return the NO_REPLY_EXPECTED flag
     */
    public boolean noReply() {
        return (flags & 1) != 0;
    }

    /**
     * Reads the header of the message at the start of {@code in}.
     *
     * @param in the message from index 0, byte order set, at least {@code headerLength} bytes
     * @param headerLength bytes before the body
     * @param totalLength bytes of the whole message
     * @return the header
     * @throws WireFormatException when a header field does not follow the wire format
     * @throws ClassCastException when a known header field has the wrong type
     */
    public static MessageHeader parse(ByteBuffer in, int headerLength, int totalLength) {
        String path = null;
        String iface = null;
        String member = null;
        String signature = "";
        int nfds = 0;
        int fieldsEnd = 16 + in.getInt(12);
        WireReader hr = new WireReader(in, 0, 16, fieldsEnd);
        while (hr.position() < fieldsEnd) {
            hr.align(8);
            int code = hr.readByte();
            String sig = hr.readSignature();
            Object v = hr.read(sig);
            switch (code) {
                case 1 -> path = (String) v;
                case 2 -> iface = (String) v;
                case 3 -> member = (String) v;
                case 8 -> signature = (String) v;
                case 9 -> nfds = (Integer) v;
                default -> {
                }
            }
        }
        return new MessageHeader(in.get(1) & 0xff, in.get(2) & 0xff, in.getInt(8), path, iface, member, signature,
                nfds, headerLength, totalLength);
    }
}
