/**
 * See and drive a QEMU VM over its D-Bus display interface ({@code org.qemu.Display1}).
 *
 * <p>Exports the API ({@code io.github.qemudbus.display}), the raw dbus-java proxies
 * ({@code io.github.qemudbus.display.dbus}) and QEMU's error types. The listener wire
 * ({@code internal.wire}) and the libc bindings ({@code internal}) are not exported: only the
 * SDK's own modules reach them, through qualified exports.
 */
module io.github.qemudbus.display {
    // API signatures name dbus-java types (DBusInterface, UInt32...) and javax.sound.sampled
    requires transitive org.freedesktop.dbus;
    requires transitive java.desktop;
    // the unix socket transport dbus-java finds through ServiceLoader
    requires org.freedesktop.dbus.transport.junixsocket;
    requires org.jnrproject.ffi;
    requires org.jnrproject.jffi;
    requires org.slf4j;
    // peer-to-peer connections hand QEMU a socket through QMP (getfd, add_client)
    requires io.github.qemudbus.display.qmp;

    exports io.github.qemudbus.display;
    exports io.github.qemudbus.display.dbus;
    exports org.qemu.Display1.Error;

    // the frame module maps memfds with the same libc bindings
    exports io.github.qemudbus.display.internal to io.github.qemudbus.display.frame;
    // the benchmarks measure the wire decode and dial sockets directly
    exports io.github.qemudbus.display.internal.wire to io.github.qemudbus.bench;

    // dbus-java builds proxies, exported objects (the clipboard peer), structs and error
    // objects by reflection
    opens io.github.qemudbus.display to org.freedesktop.dbus;
    opens io.github.qemudbus.display.dbus to org.freedesktop.dbus;
    opens org.qemu.Display1.Error to org.freedesktop.dbus;
}
