/**
 * Raw dbus-java proxies for QEMU's D-Bus display protocol ({@code -display dbus}), one Java
 * interface per D-Bus interface of QEMU's {@code ui/dbus-display1.xml}.
 *
 * <p>These are low level: method names, argument order and types are exactly the D-Bus ones
 * ({@code u} as {@link org.freedesktop.dbus.types.UInt32}, {@code t} as
 * {@link org.freedesktop.dbus.types.UInt64}, {@code h} as
 * {@link org.freedesktop.dbus.FileDescriptor}, {@code ay} as {@code byte[]}...), errors come
 * out as raw dbus-java exceptions, and properties must be read through
 * {@code org.freedesktop.dbus.interfaces.Properties} (their {@code @DBusProperty} annotations
 * only document them and feed introspection). Most users want the high-level classes in
 * {@code io.github.qemudbus.display} instead ({@code QemuDisplay}, {@code Console},
 * {@code Keyboard}, {@code Mouse}...), which validate arguments and throw typed exceptions.
 *
 * <p>Where they live:
 * <table>
 *   <caption>Objects and interfaces</caption>
 *   <tr><th>Object path</th><th>Interfaces</th><th>Served by</th></tr>
 *   <tr><td>{@code /org/qemu/Display1/VM}</td><td>{@link io.github.qemudbus.display.dbus.Vm}</td>
 *       <td>QEMU</td></tr>
 *   <tr><td>{@code /org/qemu/Display1/Console_<id>}</td>
 *       <td>{@link io.github.qemudbus.display.dbus.Console},
 *       {@link io.github.qemudbus.display.dbus.Keyboard},
 *       {@link io.github.qemudbus.display.dbus.Mouse},
 *       {@link io.github.qemudbus.display.dbus.MultiTouch}</td><td>QEMU</td></tr>
 *   <tr><td>{@code /org/qemu/Display1/Listener} (peer-to-peer)</td>
 *       <td>{@link io.github.qemudbus.display.dbus.Listener},
 *       {@link io.github.qemudbus.display.dbus.ListenerUnixMap},
 *       {@link io.github.qemudbus.display.dbus.ListenerUnixScanoutDmabuf2}</td><td>the client</td></tr>
 *   <tr><td>{@code /org/qemu/Display1/Clipboard}</td>
 *       <td>{@link io.github.qemudbus.display.dbus.Clipboard}</td><td>both</td></tr>
 *   <tr><td>{@code /org/qemu/Display1/Audio}</td><td>{@link io.github.qemudbus.display.dbus.Audio}</td>
 *       <td>QEMU</td></tr>
 *   <tr><td>{@code /org/qemu/Display1/AudioOutListener}, {@code /org/qemu/Display1/AudioInListener}
 *       (peer-to-peer)</td>
 *       <td>{@link io.github.qemudbus.display.dbus.AudioOutListener},
 *       {@link io.github.qemudbus.display.dbus.AudioInListener}</td><td>the client</td></tr>
 *   <tr><td>{@code /org/qemu/Display1/Chardev_<id>}</td>
 *       <td>{@link io.github.qemudbus.display.dbus.Chardev},
 *       {@link io.github.qemudbus.display.dbus.ChardevVcEncoding} (virtual consoles)</td><td>QEMU</td></tr>
 * </table>
 *
 * <p>Versions: the protocol appeared in QEMU 7.0 and is not frozen (only a client of the same
 * QEMU release is guaranteed to match). The {@code Interfaces} properties and
 * {@code MultiTouch} arrived in 8.1, {@code Listener.Unix.Map} in 9.2,
 * {@code Listener.Unix.ScanoutDMABUF2} in 10.1, {@code Chardev.VCEncoding} in 11.1 ({@code
 * Audio.NSamples} is not in 7.2 and is in 10.0). The Windows-only interfaces
 * ({@code Listener.Win32.Map}, {@code Listener.Win32.D3d11}) and the Windows forms of the
 * register methods ({@code ay} instead of {@code h}) are not modelled.
 *
 * <p>QEMU's own error replies are {@code org.qemu.Display1.Error.Failed}, {@code .Invalid} and
 * {@code .Unsupported}; with dbus-java they arrive as the classes of the
 * {@code org.qemu.Display1.Error} package.
 */
package io.github.qemudbus.display.dbus;
