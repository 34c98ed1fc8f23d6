package io.github.qemudbus.display.dbus;

import java.util.List;
import org.freedesktop.dbus.Tuple;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.annotations.DBusProperty.Access;
import org.freedesktop.dbus.annotations.Position;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;

/**
 * {@code org.qemu.Display1.Clipboard}: clipboard sharing between a client and the guest, on
 * {@value #OBJECT_PATH}. Since QEMU 7.0 (needs a guest agent such as spice-vdagent / qemu-vdagent
 * to reach the guest's clipboard).
 *
 * <p>The interface is symmetric: QEMU serves it on its object, and the client must serve it too,
 * on the same path of its own bus connection, because once registered QEMU calls the client's
 * {@code Grab}, {@code Release} and {@code Request} when the guest owns or asks for the
 * clipboard. While QEMU handles {@code Register} it calls back into the client's object, so the
 * client must be able to answer incoming calls while its {@code Register} call is pending
 * (never call it from a thread that dispatches incoming calls).
 *
 * <p>Selections: clipboard 0, primary 1, secondary 2. Grabs carry a serial, reset to 0 by
 * {@code Register} and incremented with each grab: the highest serial owns the clipboard, a
 * lower one is discarded, and on a tie the client wins.
 *
 * <p>Property {@code Interfaces} ({@code as}, read-only): extra interfaces of the object. Since
 * QEMU 8.1.
 */
@DBusInterfaceName(Clipboard.INTERFACE_NAME)
@DBusProperty(name = "Interfaces", type = PropertyTypes.StringList.class, access = Access.READ)
public interface Clipboard extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.Clipboard";
    /** The object path, on QEMU's side and on the client's. */
    String OBJECT_PATH = "/org/qemu/Display1/Clipboard";

    /**
     * {@code Register()}: the client takes the clipboard session (exclusively; a new register
     * replaces the previous client) and resets the grab serial. QEMU may also call it on the
     * client to reset the session, e.g. after a guest reboot. Since QEMU 7.0.
     */
    void Register();

    /** {@code Unregister()}: ends the clipboard session. Since QEMU 7.0. */
    void Unregister();

    /**
     * {@code Grab(u selection, u serial, as mimes)}: the sender now owns the selection and can
     * provide it in these MIME types. Since QEMU 7.0.
     *
     * @param selection selection value
     * @param serial grab serial
     * @param mimes available MIME types, e.g. {@code text/plain;charset=utf-8}
     */
    void Grab(UInt32 selection, UInt32 serial, List<String> mimes);

    /**
     * {@code Release(u selection)}: the sender gives up the selection (ignored when it is not
     * the owner). Since QEMU 7.0.
     *
     * @param selection selection value
     */
    void Release(UInt32 selection);

    /**
     * {@code Request(u selection, as mimes) -> (s reply_mime, ay data)}: asks the owner of the
     * selection for its content. Fails when the selection is empty or none of the MIME types is
     * available. Since QEMU 7.0.
     *
     * @param selection selection value
     * @param mimes acceptable MIME types, preferred first
     * @return the chosen MIME type and the data
     */
    RequestReply<String, byte[]> Request(UInt32 selection, List<String> mimes);

    /**
     * The two out-arguments of {@link Clipboard#Request}: {@code (s reply_mime, ay data)}.
     *
     * <p>Generic only because dbus-java 5.1.1 needs a parameterized {@link Tuple} type to
     * (de)serialise multiple out-arguments; always used as {@code RequestReply<String, byte[]>}.
     *
     * @param <M> {@code String}
     * @param <D> {@code byte[]}
     */
    final class RequestReply<M, D> extends Tuple {
        @Position(0)
        private final M replyMime;
        @Position(1)
        private final D data;

        /**
         * Creates a reply.
         *
         * @param replyMime the MIME type of {@code data}
         * @param data the clipboard content
         */
        public RequestReply(M replyMime, D data) {
            this.replyMime = replyMime;
            this.data = data;
        }

        /**
         * The MIME type of the data.
         *
         * @return e.g. {@code text/plain;charset=utf-8}
         */
        public M replyMime() {
            return replyMime;
        }

        /**
         * The clipboard content (not copied).
         *
         * @return the bytes
         */
        public D data() {
            return data;
        }
    }
}
