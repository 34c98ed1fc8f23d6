package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.wire.UnixSocket;
import java.io.IOException;
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
 * <p>Obtain it with {@link QemuDisplay#chardevs()} or {@link QemuDisplay#chardev(String)}.
 */
public final class Chardev {
    static final String INTERFACE = io.github.qemudbus.display.dbus.Chardev.INTERFACE_NAME;
    static final String PATH_PREFIX = io.github.qemudbus.display.dbus.Chardev.OBJECT_PATH_PREFIX;
    private static final Logger LOG = LoggerFactory.getLogger(Chardev.class);

    private final DisplaySession session;
    private final String id;
    private final String name;
    private final String path;

    Chardev(DisplaySession session, String id, String name) {
        this.session = session;
        this.id = id;
        this.name = name;
        this.path = PATH_PREFIX + id;
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
        return "Chardev[" + id + ", " + name + "]";
    }
}
