package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.AudioInSource;
import io.github.qemudbus.display.PcmFormat;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.Fini;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.Init;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.Read;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.SetEnabled;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.SetVolume;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audio in-listener object ({@code /org/qemu/Display1/AudioInListener}): passes each
 * decoded {@link ListenerMessage.AudioMessage} on to the {@link AudioInSource} and answers {@code Read} with
 * what the source puts into a reused buffer, capped and rounded to whole frames.
 */
public final class AudioInEndpoint implements ListenerEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(AudioInEndpoint.class);
    private static final MessageDecoders DECODERS = MessageDecoders.audioIn();

    private final AudioInSource source;
    private final int maxReadBytes;
    private final Map<Long, PcmFormat> formats = new HashMap<>(); // link thread only
    private ByteBuffer readBuffer = ByteBuffer.allocate(0); // reused: the reply is sent before the next call
    private long readFailures; // link thread only

    /**
     * @param source supplies the samples
     * @param maxReadBytes the most bytes one Read is answered with
     */
    public AudioInEndpoint(AudioInSource source, int maxReadBytes) {
        this.source = Objects.requireNonNull(source, "source");
        this.maxReadBytes = maxReadBytes;
    }

    @Override
    public String path() {
        return io.github.qemudbus.display.dbus.AudioInListener.OBJECT_PATH;
    }

    @Override
    public String interfaceName() {
        return MessageDecoders.AUDIO_IN;
    }

    @Override
    public MessageDecoders decoders() {
        return DECODERS;
    }

    @Override
    public Reply handle(ListenerMessage message) {
        if (message instanceof Read m) {
            return Reply.bytes(read(m.stream(), m.size()));
        } else if (message instanceof Init m) {
            formats.put(m.stream(), m.format());
            source.init(m.stream(), m.format());
        } else if (message instanceof SetEnabled m) {
            source.setEnabled(m.stream(), m.enabled());
        } else if (message instanceof SetVolume m) {
            source.setVolume(m.stream(), m.mute(), m.volume());
        } else if (message instanceof Fini m) {
            formats.remove(m.stream());
            source.fini(m.stream());
        } else {
            throw new IllegalStateException("not an audio in-listener call: " + message);
        }
        return Reply.EMPTY;
    }

    private ByteBuffer read(long stream, long size) {
        PcmFormat f = formats.get(stream);
        int n = size < 0 || size > maxReadBytes ? maxReadBytes : (int) size; // t is unsigned
        if (n != size) {
            LOG.debug("audio in: Read of {} bytes capped at {}", Long.toUnsignedString(size), n);
        }
        if (f != null) {
            n -= n % f.bytesPerFrame();
        }
        if (readBuffer.capacity() < n) {
            readBuffer = ByteBuffer.allocate(Math.max(n, Math.min(maxReadBytes, readBuffer.capacity() * 2)));
        }
        ByteBuffer dst = readBuffer.clear().limit(n).slice()
                .order(f == null ? ByteOrder.LITTLE_ENDIAN : f.byteOrder());
        try {
            source.read(stream, dst);
        } catch (RuntimeException e) {
            // an error reply would make QEMU hand the guest its stale buffer: answer silence
            if (readFailures++ == 0) {
                LOG.warn("audio in: the source's read threw; answering no samples (further failures at debug level)", e);
            } else {
                LOG.debug("audio in: the source's read threw: {}", e.toString());
            }
            return dst.limit(0);
        }
        return dst.flip();
    }

    @Override
    public String slowCallNote(String member) {
        return "QEMU's calls queue up meanwhile" + ("Read".equals(member) ? ", and QEMU's main loop waits for a Read" : "");
    }

    @Override
    public void disconnected(String reason) {
        source.disconnected(reason);
    }
}
