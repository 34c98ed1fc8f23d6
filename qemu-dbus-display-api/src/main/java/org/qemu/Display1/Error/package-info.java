/**
 * Exception classes named exactly after QEMU's D-Bus error names
 * ({@code org.qemu.Display1.Error.Failed}, {@code .Invalid}, {@code .Unsupported}).
 *
 * <p>dbus-java resolves a remote error by loading the class whose name equals the D-Bus error
 * name; without these classes QEMU's errors would arrive as an anonymous
 * {@code DBusExecutionException}. Internal plumbing: the SDK maps them to
 * {@code io.github.qemudbus.display.FailedException} and its siblings.
 */
package org.qemu.Display1.Error;
