package io.github.qemudbus.webrtc;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A STUN server (RFC 8489 Binding only) on the bridge's own address, which the web client
 * names in its {@code iceServers}. It answers each Binding request with the address it came
 * from (XOR-MAPPED-ADDRESS), and nothing else: no authentication, no relaying.
 *
 * <p>Why the bridge needs one: a Chromium page without camera or microphone permission hides
 * its host addresses behind mDNS names. Where no interface can do multicast (a host or network
 * namespace with only loopback, a container) Chromium's mDNS responder does not start, the
 * names never come, the page's only socket never becomes ready, and ICE stays "new" for good.
 * A server-reflexive candidate is not hidden: with a STUN server the same socket gets one
 * (the page's own address as the bridge sees it), is ready at once, and pairs with the bridge's
 * candidates. On a LAN it also spares the bridge the wait for a peer-reflexive candidate,
 * since it cannot resolve the page's {@code .local} names.
 *
 * <p>Answers are no larger than requests plus 24 bytes and go only to the sender, so the port
 * is of little use for reflection attacks; requests that are not well-formed Binding requests
 * are dropped.
 */
final class StunResponder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StunResponder.class);
    static final int MAGIC = 0x2112A442;
    static final int BINDING_REQUEST = 0x0001;
    static final int BINDING_RESPONSE = 0x0101;
    static final int XOR_MAPPED_ADDRESS = 0x0020;
    static final int FINGERPRINT = 0x8028;
    private static final int HEADER = 20;
    private static final int MAX_REQUEST = 548;

    private final DatagramSocket socket;
    private final Thread thread;
    private final AtomicLong answered = new AtomicLong();
    private volatile boolean closed;

    private StunResponder(DatagramSocket socket) {
        this.socket = socket;
        this.thread = Threads.daemon(this::run, "qemu-webrtc-stun");
    }

    /**
     * Binds on {@code address}, at {@code preferredPort} when that UDP port is free (the bridge
     * uses its HTTP port number: one number to open in a firewall), else on any port, and
     * starts answering.
     *
     * @throws IllegalStateException when no UDP socket can be bound on the address
     */
    static StunResponder start(InetAddress address, int preferredPort) {
        DatagramSocket s;
        try {
            s = new DatagramSocket(new InetSocketAddress(address, preferredPort));
        } catch (SocketException busy) {
            try {
                s = new DatagramSocket(new InetSocketAddress(address, 0));
            } catch (SocketException e) {
                throw new IllegalStateException("cannot bind the STUN port on " + address.getHostAddress(), e);
            }
        }
        StunResponder r = new StunResponder(s);
        r.thread.start();
        LOG.debug("STUN on udp {}", s.getLocalSocketAddress());
        return r;
    }

    /** The UDP port it answers on. */
    int port() {
        return socket.getLocalPort();
    }

    /** How many Binding requests it answered. */
    long answered() {
        return answered.get();
    }

    private void run() {
        byte[] buf = new byte[MAX_REQUEST + 1];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("STUN port failed: {}", e.toString());
                }
                return;
            }
            byte[] reply = answer(ByteBuffer.wrap(buf, 0, p.getLength()),
                    (InetSocketAddress) p.getSocketAddress());
            if (reply == null) {
                continue;
            }
            try {
                socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                answered.incrementAndGet();
            } catch (IOException e) {
                LOG.debug("STUN answer to {}: {}", p.getSocketAddress(), e.toString());
            }
        }
    }

    /**
     * The Binding success response to a request from {@code from}: the same transaction id,
     * XOR-MAPPED-ADDRESS and FINGERPRINT; null when {@code request} is not a Binding request.
     */
    static byte[] answer(ByteBuffer request, InetSocketAddress from) {
        if (request.remaining() < HEADER || request.remaining() > MAX_REQUEST) {
            return null;
        }
        int start = request.position();
        int type = request.getShort(start) & 0xffff;
        int length = request.getShort(start + 2) & 0xffff;
        if (type != BINDING_REQUEST || request.getInt(start + 4) != MAGIC || length % 4 != 0
                || HEADER + length != request.remaining()) {
            return null;
        }
        byte[] txid = new byte[12];
        request.get(start + 8, txid);
        byte[] addr = from.getAddress().getAddress();
        boolean v4 = from.getAddress() instanceof Inet4Address;
        int attrLen = 4 + addr.length;
        ByteBuffer out = ByteBuffer.allocate(HEADER + 4 + attrLen + 8);
        out.putShort((short) BINDING_RESPONSE).putShort((short) (4 + attrLen + 8)).putInt(MAGIC).put(txid);
        out.putShort((short) XOR_MAPPED_ADDRESS).putShort((short) attrLen);
        out.put((byte) 0).put((byte) (v4 ? 1 : 2)).putShort((short) (from.getPort() ^ (MAGIC >>> 16)));
        byte[] mask = new byte[16];
        ByteBuffer.wrap(mask).putInt(MAGIC).put(txid);
        for (int i = 0; i < addr.length; i++) {
            out.put((byte) (addr[i] ^ mask[i]));
        }
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putShort((short) FINGERPRINT).putShort((short) 4).putInt((int) crc.getValue() ^ 0x5354554e);
        return out.array();
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
