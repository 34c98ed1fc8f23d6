package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.wire.UnixSocket;
import java.io.IOException;
import java.util.Optional;
import org.freedesktop.dbus.FileDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A character device exported over D-Bus ({@code org.qemu.Display1.Chardev} on
 * {@code /org/qemu/Display1/Chardev_<id>}): QEMU runs with {@code -chardev dbus,id=ID,name=NAME}
 * and connects a front-end to it, for example a serial port ({@code -serial chardev:ID}) or a
 * monitor ({@code -mon chardev=ID}). The name says what the stream is:
 * {@code org.qemu.console.serial.0} for a serial console, {@code org.qemu.monitor.hmp.0} and
 * {@code org.qemu.monitor.qmp.0} for monitors. The id must be a valid D-Bus path element
 * (letters, digits, underscores).
 *
 * <p>With {@code -display dbus}, QEMU also exports its virtual consoles this way ({@code -chardev
 * vc,id=ID}, {@code -serial vc}, {@code -monitor vc}); since QEMU 11.1 those say which character
 * encoding their stream uses ({@link #encoding()}).
 *
 * <p>Obtain it with {@link QemuDisplay#chardevs()} or {@link QemuDisplay#chardev(String)}.
 */
public final class Chardev {
    static final String INTERFACE = io.github.qemudbus.display.dbus.Chardev.INTERFACE_NAME;
    static final String PATH_PREFIX = io.github.qemudbus.display.dbus.Chardev.OBJECT_PATH_PREFIX;
    static final String VC_ENCODING = io.github.qemudbus.display.dbus.ChardevVcEncoding.INTERFACE_NAME;
    private static final Logger LOG = LoggerFactory.getLogger(Chardev.class);

    /**
     * The character encoding of a virtual console's stream ({@code
     * org.qemu.Display1.Chardev.VCEncoding}'s {@code Encoding}, QEMU's {@code
     * ChardevVCEncoding}).
     */
    public enum Encoding {
        /** {@code cp437}: the IBM PC code page (one byte per character, box-drawing glyphs). */
        CP437("cp437", "IBM437"),
        /** {@code utf8}: UTF-8, QEMU's default. */
        UTF8("utf8", "UTF-8");

        private final String wireName;
        private final String charsetName;

        Encoding(String wireName, String charsetName) {
            this.wireName = wireName;
            this.charsetName = charsetName;
        }

        /**
         * The value QEMU sends, as in {@code -chardev vc,encoding=...}.
         *
         * @return {@code cp437} or {@code utf8}
         */
        public String wireName() {
            return wireName;
        }

        /**
         * The Java charset name for decoding the stream ({@code IBM437} needs the JDK's
         * {@code jdk.charsets} module).
         *
         * @return {@code IBM437} or {@code UTF-8}
         */
        public String charsetName() {
            return charsetName;
        }

        /**
         * The encoding QEMU names.
         *
         * @param wireName the {@code Encoding} property's value
         * @return the encoding, or empty for a value this SDK does not know
         */
        public static Optional<Encoding> fromWire(String wireName) {
            for (Encoding e : values()) {
                if (e.wireName.equals(wireName)) {
                    return Optional.of(e);
                }
            }
            return Optional.empty();
        }
    }

    private final DisplaySession session;
    private final String id;
    private final String name;
    private final String path;
    private final Encoding encoding;

    Chardev(DisplaySession session, String id, String name, Encoding encoding) {
        this.session = session;
        this.id = id;
        this.name = name;
        this.path = PATH_PREFIX + id;
        this.encoding = encoding;
    }

    /**
     * The encoding read from a {@code VCEncoding} interface's properties, if the object has one.
     *
     * @param id the chardev id (for the log)
     * @param vcEncoding the interface's properties, or {@code null} when the object lacks it
     * @return the encoding, or {@code null}
     */
    static Encoding encodingOf(String id, Props vcEncoding) {
        if (vcEncoding == null) {
            return null;
        }
        String wire = vcEncoding.string("Encoding");
        Encoding e = Encoding.fromWire(wire).orElse(null);
        if (e == null) {
            LOG.warn("chardev {}: unknown VCEncoding.Encoding '{}' (known: cp437, utf8); reported as none", id, wire);
        }
        return e;
    }

    /**
     * The chardev id ({@code -chardev dbus,id=...}).
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * What kind of stream this is ({@code Name}), e.g. {@code org.qemu.console.serial.0}.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The character encoding of this virtual console's stream ({@code
     * org.qemu.Display1.Chardev.VCEncoding}, QEMU 11.1 and later): what the bytes of
     * {@link #open()}'s stream mean. Read once, when the chardev was listed (QEMU fixes it when
     * it creates the device).
     *
     * @return the encoding; empty when the chardev is not a virtual console ({@code -chardev
     *     dbus}), when QEMU is older than 11.1 (no such interface), or for a value this SDK does
     *     not know (logged as a warning)
     */
    public Optional<Encoding> encoding() {
        return Optional.ofNullable(encoding);
    }

    /**
     * Whether the guest side (the front-end device) is open ({@code FEOpened}).
     *
     * @return true when open
     */
    public boolean isFrontendOpen() {
        return session.props(path, INTERFACE).bool("FEOpened");
    }

    /**
     * Whether a client should echo what it sends ({@code Echo}); set by some front-ends.
     *
     * @return true to echo locally
     */
    public boolean echo() {
        return session.props(path, INTERFACE).bool("Echo");
    }

    /**
     * The unique bus name of the client whose stream is registered ({@code Owner}).
     *
     * @return the bus name; empty when none, or in peer-to-peer mode
     */
    public String owner() {
        return session.props(path, INTERFACE).string("Owner");
    }

    /**
     * Opens a byte stream to the device: hands QEMU one end of a new socketpair with
     * {@code Register}. QEMU serves one stream per device at a time: while a stream is open
     * (this client's or another's), opening fails with {@link FailedException}; close the
     * other stream first.
     *
     * @return the open stream; close it when done
     * @throws FailedException when another stream is connected
     */
    public ChardevChannel open() {
        int[] pair;
        try {
            pair = UnixSocket.pair();
        } catch (IOException e) {
            throw new QemuDisplayException("cannot create the chardev socket: " + e.getMessage(), null, e);
        }
        UnixSocket ours = new UnixSocket(pair[0]);
        try {
            session.remote(path, io.github.qemudbus.display.dbus.Chardev.class).Register(new FileDescriptor(pair[1]));
        } catch (RuntimeException e) {
            ours.close();
            throw DBusErrors.map(e, "Chardev.Register on " + id);
        } finally {
            UnixSocket.closeFd(pair[1]); // QEMU has its own copy; never shutdown() it
        }
        ChardevChannel channel = new ChardevChannel(ours, id, session);
        session.own(channel);
        LOG.debug("opened chardev {} ({})", id, name);
        return channel;
    }

    /** Sends a break condition to the guest side ({@code SendBreak}), as a serial line would. */
    public void sendBreak() {
        try {
            session.remote(path, io.github.qemudbus.display.dbus.Chardev.class).SendBreak();
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "Chardev.SendBreak on " + id);
        }
    }

    @Override
    public String toString() {
        return "Chardev[" + id + ", " + name + (encoding != null ? ", " + encoding.wireName() : "") + "]";
    }
}
