package io.github.qemudbus.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for spice-vdagent in the test guest, enough of it for the shared clipboard
 * through QEMU's {@code qemu-vdagent} chardev. The guest only holds the virtio-serial port
 * open (its {@code vport-open} helper); this class builds and parses the agent's messages
 * on the host and moves them through {@link GuestControl}, so tests see QEMU's real
 * clipboard code from the guest's side without a desktop in the guest.
 *
 * <p>The VM needs QEMU's agent chardev on a port named {@link #PORT}:
 *
 * <pre>{@code
 * -chardev qemu-vdagent,id=vdagent,clipboard=on -device virtio-serial-pci
 * -device virtserialport,chardev=vdagent,name=com.redhat.spice.0
 * }</pre>
 *
 * <p>Text only ({@code VD_AGENT_CLIPBOARD_UTF8_TEXT}); the agent announces clipboard by
 * demand, selections and grab serials. Every message fits in the guest's FIFO in one write;
 * messages from QEMU are reassembled from its chunks of at most 1 KiB. A message QEMU sends
 * that breaks what the protocol promises, or one that does not come in time, fails with a
 * {@link GuestException} that says what was expected and what came. Not thread-safe.
 */
public final class FakeVdagent {
    /** The virtio-serial port name spice-vdagent and QEMU's vdagent use. */
    public static final String PORT = "com.redhat.spice.0";
    /** Default timeout for each message awaited from QEMU. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    /** Selection {@code VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD} (the one these helpers use). */
    public static final int SELECTION_CLIPBOARD = 0;

    // VDAgentMessage types
    private static final int CLIPBOARD = 4;
    private static final int ANNOUNCE_CAPABILITIES = 6;
    private static final int CLIPBOARD_GRAB = 7;
    private static final int CLIPBOARD_REQUEST = 8;
    // VD_AGENT_CLIPBOARD_UTF8_TEXT
    private static final int UTF8 = 1;
    // VD_AGENT_CAP_* bits we announce
    private static final int CAP_CLIPBOARD_BY_DEMAND = 5;
    private static final int CAP_CLIPBOARD_SELECTION = 6;
    private static final int CAP_CLIPBOARD_GRAB_SERIAL = 17;
    /** Start of our own grab serials: well above the host's, so our first grab is not stale. */
    private static final int FIRST_SERIAL = 1000;

    private final GuestControl guest;
    private final Duration timeout;
    private final List<Message> pending = new ArrayList<>();
    /** Bytes of the port's input file already turned into messages. */
    private int consumed;
    private int serial = FIRST_SERIAL;

    /**
     * What the guest got by pasting: the host's grab and the text QEMU sent for it.
     *
     * @param selection the selection the host grabbed ({@link #SELECTION_CLIPBOARD} for the
     *     clipboard)
     * @param serial the serial of the host's grab (QEMU's, one more than the last grab it saw)
     * @param text the text
     */
    public record Paste(int selection, int serial, String text) {}

    private record Message(int type, byte[] data) {}

    /**
     * Creates the agent with the {@linkplain #DEFAULT_TIMEOUT default timeout}. Nothing
     * happens in the guest before {@link #connect()}.
     *
     * @param guest the guest's control channel
     */
    public FakeVdagent(GuestControl guest) {
        this(guest, DEFAULT_TIMEOUT);
    }

    /**
     * Creates the agent. Nothing happens in the guest before {@link #connect()}.
     *
     * @param guest the guest's control channel
     * @param timeout how long to wait for each message from QEMU
     */
    public FakeVdagent(GuestControl guest, Duration timeout) {
        this.guest = guest;
        this.timeout = timeout;
    }

    /**
     * Opens the port in the guest and answers QEMU's capability request with ours. QEMU then
     * resets the clipboard serials (a {@code Register} call to the host's clipboard client).
     *
     * @throws GuestException if the port cannot be opened, QEMU does not ask for our
     *     capabilities in time, or asks in a way the protocol does not have
     */
    public void connect() {
        guest.runChecked("vport-open " + PORT);
        byte[] caps = await(ANNOUNCE_CAPABILITIES);
        int request = u32At(caps, 0);
        if (request != 1) {
            throw new GuestException("expected QEMU's capability announcement to ask for ours (request 1), got request "
                    + request);
        }
        int mine = 1 << CAP_CLIPBOARD_BY_DEMAND | 1 << CAP_CLIPBOARD_SELECTION | 1 << CAP_CLIPBOARD_GRAB_SERIAL;
        send(ANNOUNCE_CAPABILITIES, concat(u32(0), u32(mine)));
    }

    /**
     * Waits for the host's grab of the clipboard, then pastes in the guest: requests the text
     * and returns it with the grab's selection and serial.
     *
     * @return the grab and the text
     * @throws GuestException if a message does not come in time, or the grab or the data is
     *     not text
     */
    public Paste pasteInGuest() {
        byte[] grab = await(CLIPBOARD_GRAB);
        expectText("the host's grab", u32At(grab, 8));
        send(CLIPBOARD_REQUEST, selectionData(SELECTION_CLIPBOARD, u32(UTF8)));
        byte[] data = await(CLIPBOARD);
        expectText("the clipboard data QEMU sent", u32At(data, 4));
        return new Paste(grab[0] & 0xff, u32At(grab, 4),
                new String(data, 8, data.length - 8, StandardCharsets.UTF_8));
    }

    /**
     * Copies text in the guest with a grab serial newer than any this agent used: grabs the
     * clipboard, waits for QEMU's request and serves it.
     *
     * @param text the text
     * @throws GuestException if QEMU does not ask for the text in time, or asks for another type
     */
    public void copyInGuest(String text) {
        copyInGuest(serial + 1, text);
    }

    /**
     * Copies text in the guest with this grab serial: grabs the clipboard, waits for QEMU's
     * request and serves it. QEMU ignores a grab older than its own serial, so then this
     * waits in vain.
     *
     * @param grabSerial the serial of the guest's grab
     * @param text the text
     * @throws GuestException if QEMU does not ask for the text in time, or asks for another type
     */
    public void copyInGuest(int grabSerial, String text) {
        grab(grabSerial);
        byte[] request = await(CLIPBOARD_REQUEST);
        expectText("QEMU's request", u32At(request, 4));
        send(CLIPBOARD, selectionData(SELECTION_CLIPBOARD, u32(UTF8), text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Grabs the guest clipboard (text) with this serial and waits for nothing, e.g. to show
     * that QEMU drops a stale grab.
     *
     * @param grabSerial the serial of the guest's grab
     */
    public void grab(int grabSerial) {
        serial = Math.max(serial, grabSerial);
        send(CLIPBOARD_GRAB, selectionData(SELECTION_CLIPBOARD, u32(grabSerial), u32(UTF8)));
    }

    private static void expectText(String what, int type) {
        if (type != UTF8) {
            throw new GuestException("expected " + what + " to be UTF-8 text (type " + UTF8 + "), got type " + type);
        }
    }

    /** A clipboard message's data: the selection, three reserved bytes, then the fields. */
    private static byte[] selectionData(int selection, byte[]... fields) {
        return concat(new byte[] {(byte) selection, 0, 0, 0}, concat(fields));
    }

    private void send(int type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 20 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(1).putInt(20 + data.length); // VDIChunkHeader: port, size
        b.putInt(1).putInt(type).putLong(0).putInt(data.length); // VDAgentMessage header
        b.put(data);
        StringBuilder esc = new StringBuilder();
        for (byte x : b.array()) {
            esc.append(String.format("\\x%02x", x & 0xff));
        }
        guest.runChecked("printf '" + esc + "' > /run/vport-" + PORT + ".out");
    }

    /** Waits for the next message of this type from QEMU; returns its data. */
    private byte[] await(int type) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = 0; i < pending.size(); i++) {
                if (pending.get(i).type() == type) {
                    return pending.remove(i).data();
                }
            }
            if (System.nanoTime() - end > 0) {
                throw new GuestException("no message of type " + type + " from QEMU in " + timeout + "; pending "
                        + pending.stream().map(Message::type).toList());
            }
            poll();
            GuestControl.sleep(50);
        }
    }

    private void poll() {
        String hex = guest.runChecked("od -An -v -tx1 /run/vport-" + PORT + ".in");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (String tok : hex.trim().split("\\s+")) {
            if (!tok.isEmpty()) {
                all.write(Integer.parseInt(tok, 16));
            }
        }
        byte[] bytes = all.toByteArray();
        // QEMU splits a message into chunks of at most 1 KiB: reassemble by the message header
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        int pos = consumed;
        int start = consumed;
        while (bytes.length - pos >= 8) {
            ByteBuffer h = ByteBuffer.wrap(bytes, pos, 8).order(ByteOrder.LITTLE_ENDIAN);
            h.getInt();
            int size = h.getInt();
            if (bytes.length - pos - 8 < size) {
                break;
            }
            msg.write(bytes, pos + 8, size);
            pos += 8 + size;
            byte[] m = msg.toByteArray();
            if (m.length >= 20) {
                int dataSize = u32At(m, 16);
                if (m.length >= 20 + dataSize) {
                    byte[] data = new byte[dataSize];
                    System.arraycopy(m, 20, data, 0, dataSize);
                    pending.add(new Message(u32At(m, 4), data));
                    msg.reset();
                    start = pos;
                }
            }
        }
        consumed = start;
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static int u32At(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(off);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }
}
