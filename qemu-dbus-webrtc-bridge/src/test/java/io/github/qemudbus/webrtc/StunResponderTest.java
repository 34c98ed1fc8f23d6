package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** The bridge's STUN server over a real UDP socket on loopback: RFC 8489 Binding, nothing else. */
class StunResponderTest {

    static byte[] bindingRequest(byte[] txid) {
        ByteBuffer b = ByteBuffer.allocate(20);
        b.putShort((short) 0x0001).putShort((short) 0).putInt(StunResponder.MAGIC).put(txid);
        return b.array();
    }

    @Test
    void answersABindingRequestWithTheSendersAddress() throws Exception {
        try (StunResponder stun = StunResponder.start(InetAddress.getLoopbackAddress(), 0);
                DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(5000);
            byte[] txid = "0123456789ab".getBytes();
            byte[] req = bindingRequest(txid);
            client.send(new DatagramPacket(req, req.length, InetAddress.getLoopbackAddress(), stun.port()));
            DatagramPacket p = new DatagramPacket(new byte[600], 600);
            client.receive(p);
            ByteBuffer r = ByteBuffer.wrap(p.getData(), 0, p.getLength());
            assertEquals(0x0101, r.getShort(0) & 0xffff, "Binding success response");
            assertEquals(p.getLength() - 20, r.getShort(2) & 0xffff, "length");
            assertEquals(StunResponder.MAGIC, r.getInt(4));
            byte[] echoed = new byte[12];
            r.get(8, echoed);
            assertArrayEquals(txid, echoed, "the request's transaction id");
            assertEquals(0x0020, r.getShort(20) & 0xffff, "XOR-MAPPED-ADDRESS first");
            assertEquals(1, r.get(25), "IPv4");
            int port = (r.getShort(26) & 0xffff) ^ (StunResponder.MAGIC >>> 16);
            assertEquals(client.getLocalPort(), port);
            int addr = r.getInt(28) ^ StunResponder.MAGIC;
            assertEquals(0x7f000001, addr, "127.0.0.1");
            assertEquals(0x8028, r.getShort(32) & 0xffff, "FINGERPRINT last");
            CRC32 crc = new CRC32();
            crc.update(p.getData(), 0, 32);
            assertEquals((int) crc.getValue() ^ 0x5354554e, r.getInt(36), "fingerprint value");
            long end = System.nanoTime() + 5_000_000_000L; // counted just after the send
            while (stun.answered() < 1 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertEquals(1, stun.answered());
            assertEquals(40, p.getLength(), "IPv4: header, XOR-MAPPED-ADDRESS (12), FINGERPRINT (8)");
        }
    }

    @Test
    void dropsWhatIsNotABindingRequest() {
        InetSocketAddress from = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000);
        byte[] ok = bindingRequest(new byte[12]);
        byte[] notBinding = ok.clone();
        notBinding[1] = 0x03; // Allocate
        byte[] noCookie = ok.clone();
        noCookie[4] = 0;
        byte[] badLength = ok.clone();
        badLength[3] = 8; // says 8 bytes of attributes, has none
        assertNull(StunResponder.answer(ByteBuffer.wrap(notBinding), from));
        assertNull(StunResponder.answer(ByteBuffer.wrap(noCookie), from));
        assertNull(StunResponder.answer(ByteBuffer.wrap(badLength), from));
        assertNull(StunResponder.answer(ByteBuffer.wrap(new byte[12]), from), "too short");
        assertEquals(52, StunResponder.answer(ByteBuffer.wrap(ok), new InetSocketAddress("::1", 4000)).length,
                "IPv6: 16 address bytes instead of 4");
    }
}
