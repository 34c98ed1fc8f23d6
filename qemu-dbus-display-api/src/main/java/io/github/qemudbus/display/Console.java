package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.wire.ConsoleEndpoint;
import io.github.qemudbus.display.internal.wire.ListenerLink;
import io.github.qemudbus.display.internal.wire.UnixSocket;
import java.io.IOException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One console of the VM ({@code org.qemu.Display1.Console} on
 * {@code /org/qemu/Display1/Console_<id>}): a video device head, graphic or text, with its
 * keyboard, mouse and touch input, and listeners that receive its frames.
 */
public final class Console {
    static final String INTERFACE = "org.qemu.Display1.Console";
    private static final Logger LOG = LoggerFactory.getLogger(Console.class);

    private final DisplaySession session;
    private final int id;
    private final String path;

    Console(DisplaySession session, int id) {
        this.session = session;
        this.id = id;
        this.path = DisplaySession.ROOT + "/Console_" + id;
    }

    /**
     * The console id.
     *
     * @return the id
     */
    public int id() {
        return id;
    }

    /**
     * Reads the console's properties now.
     *
     * @return a snapshot: label, type, size, head, device address, interfaces
     */
    public ConsoleInfo info() {
        Props p = session.props(path, INTERFACE);
        return new ConsoleInfo(id, p.string("Label"), p.string("Type"), p.integer("Width"), p.integer("Height"),
                p.integer("Head"), p.string("DeviceAddress"), p.strings("Interfaces"));
    }

    /**
     * The keyboard of this console.
     *
     * @return the keyboard
     */
    public Keyboard keyboard() {
        return new Keyboard(session, path, id, session.remote(path, io.github.qemudbus.display.dbus.Keyboard.class));
    }

    /**
     * The mouse of this console.
     *
     * @return the mouse
     */
    public Mouse mouse() {
        return new Mouse(session, path, id, session.remote(path, io.github.qemudbus.display.dbus.Mouse.class));
    }

    /**
     * The touch screen of this console.
     *
     * @return the multi-touch device
     */
    public MultiTouch multiTouch() {
        return new MultiTouch(session, path, id, session.remote(path, io.github.qemudbus.display.dbus.MultiTouch.class));
    }

    /**
     * Tells the guest the size of the window showing this console ({@code SetUIInfo}); guests
     * with a driver that follows it (virtio-gpu) change their resolution.
     *
     * @param widthMm physical width in millimetres (0 if unknown)
     * @param heightMm physical height in millimetres (0 if unknown)
     * @param x horizontal offset of this head
     * @param y vertical offset of this head
     * @param width width in pixels
     * @param height height in pixels
     * @throws UnsupportedException when the device cannot follow (std VGA)
     */
    public void setUiInfo(int widthMm, int heightMm, int x, int y, int width, int height) {
        if (widthMm < 0 || widthMm > 0xffff || heightMm < 0 || heightMm > 0xffff || width <= 0 || height <= 0) {
            throw new IllegalArgumentException("bad UI info " + widthMm + "x" + heightMm + "mm " + width + "x" + height);
        }
        try {
            session.remote(path, io.github.qemudbus.display.dbus.Console.class).SetUIInfo(
                    new org.freedesktop.dbus.types.UInt16(widthMm), new org.freedesktop.dbus.types.UInt16(heightMm),
                    x, y, DisplaySession.u32(width), DisplaySession.u32(height));
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "Console.SetUIInfo on console " + id);
        }
    }

    /**
     * Registers a listener advertising every feature (fd passing, shared map, DMA-BUF2).
     *
     * @param listener receives the console's frames
     * @return the registration; close it to stop
     */
    public ListenerRegistration registerListener(ConsoleListener listener) {
        return registerListener(listener, EnumSet.allOf(ListenerFeature.class));
    }

    /**
     * Registers a listener: makes a socketpair, starts our end of the peer-to-peer link, and
     * hands QEMU the other end with {@code RegisterListener}. QEMU authenticates and reads the
     * advertised interfaces while that call is in flight, so our end runs on its own thread
     * from the start.
     *
     * @param listener receives the console's frames
     * @param features what to advertise; {@link ListenerFeature#SHARED_MAP} and
     *     {@link ListenerFeature#DMABUF2} need {@link ListenerFeature#FD_PASSING}
     * @return the registration; close it to stop
     */
    public ListenerRegistration registerListener(ConsoleListener listener, Set<ListenerFeature> features) {
        EnumSet<ListenerFeature> f = features.isEmpty() ? EnumSet.noneOf(ListenerFeature.class) : EnumSet.copyOf(features);
        if (!f.contains(ListenerFeature.FD_PASSING) && (f.contains(ListenerFeature.SHARED_MAP)
                || f.contains(ListenerFeature.DMABUF2))) {
            throw new IllegalArgumentException("SHARED_MAP and DMABUF2 need FD_PASSING");
        }
        int[] pair;
        try {
            pair = UnixSocket.pair();
        } catch (IOException e) {
            throw new QemuDisplayException("cannot create the listener socket: " + e.getMessage(), null, e);
        }
        ListenerLink link = new ListenerLink(new UnixSocket(pair[0]), new ConsoleEndpoint(listener, f), "console-" + id);
        link.start();
        try {
            session.remote(path, io.github.qemudbus.display.dbus.Console.class)
                    .RegisterListener(new FileDescriptor(pair[1]));
        } catch (RuntimeException e) {
            link.close();
            throw DBusErrors.map(e, "Console.RegisterListener on console " + id);
        } finally {
            UnixSocket.closeFd(pair[1]); // QEMU has its own copy; never shutdown() it
        }
        try {
            if (!link.awaitAuthenticated(session.timeout().toMillis())) {
                String why = link.failure();
                link.close();
                throw new QemuDisplayException("listener link to console " + id + " failed: "
                        + (why == null ? "no authentication in time" : why), null, null);
            }
        } catch (InterruptedException e) {
            link.close();
            Thread.currentThread().interrupt();
            throw new QemuDisplayException("interrupted while registering a listener", null, e);
        }
        ListenerRegistration reg = new ListenerRegistration(link, f, session);
        session.own(reg);
        LOG.debug("listener registered on console {} advertising {}", id, link.advertisedInterfaces());
        return reg;
    }

    /**
     * Calls back with every property change QEMU announces for this console (Width, Height,
     * Keyboard Modifiers, Mouse IsAbsolute...), on a dbus-java thread.
     *
     * @param onChange receives each changed property
     * @return a subscription; close it to stop
     */
    public AutoCloseable onPropertyChange(Consumer<PropertyChange> onChange) {
        Properties props = session.remote(path, Properties.class);
        try {
            AutoCloseable handle = session.connection().addSigHandler(Properties.PropertiesChanged.class, props, sig -> {
                if (!path.equals(sig.getPath())) {
                    return;
                }
                Map<String, Object> changed = new HashMap<>();
                sig.getPropertiesChanged().forEach((k, v) -> changed.put(k, v.getValue()));
                for (Map.Entry<String, Object> e : changed.entrySet()) {
                    Object v = e.getValue();
                    if (v instanceof Number n && !(v instanceof Double)) {
                        v = n.longValue();
                    }
                    try {
                        onChange.accept(new PropertyChange(sig.getInterfaceName(), e.getKey(), v));
                    } catch (RuntimeException ex) {
                        LOG.warn("property change callback threw", ex);
                    }
                }
            });
            AutoCloseable sub = new AutoCloseable() {
                @Override
                public void close() {
                    session.disown(this);
                    session.cleanup("unsubscribing from console " + id + " property changes", handle::close);
                }
            };
            session.own(sub);
            return sub;
        } catch (DBusException e) {
            throw DBusErrors.map(e, "subscribing to property changes of console " + id);
        }
    }

    @Override
    public String toString() {
        return "Console[" + id + "]";
    }

    /**
     * One property change.
     *
     * @param interfaceName the D-Bus interface owning the property
     * @param name the property name
     * @param value the new value (numbers as {@code Long}, strings, booleans, lists)
     */
    public record PropertyChange(String interfaceName, String name, Object value) {
    }

    /**
     * A snapshot of a console's properties.
     *
     * @param id console id
     * @param label user-facing name, for example "VGA"
     * @param type "Graphic" or "Text"
     * @param width width in pixels
     * @param height height in pixels
     * @param head device head number
     * @param deviceAddress for example "pci/0000/02.0"
     * @param interfaces D-Bus interfaces on the console object (empty on QEMU 7.2)
     */
    public record ConsoleInfo(int id, String label, String type, int width, int height, int head,
            String deviceAddress, List<String> interfaces) {
        /**
         * Creates the value; the list is copied.
         *
         * @param id id
         * @param label label
         * @param type type
         * @param width width
         * @param height height
         * @param head head
         * @param deviceAddress device address
         * @param interfaces interfaces
         */
        public ConsoleInfo {
            interfaces = List.copyOf(interfaces);
        }
    }
}
