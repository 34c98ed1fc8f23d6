/**
 * Test kit for programs that use QEMU's D-Bus display: starts a private dbus-daemon and a
 * QEMU VM that runs a tiny Linux test guest, and lets tests drive what the guest draws.
 *
 * <ul>
 *   <li>{@link io.github.qemudbus.testkit.QemuFixture}: one VM (bus or peer-to-peer display,
 *       std VGA or virtio-vga), its sockets, logs and QEMU's own screendump.
 *   <li>{@link io.github.qemudbus.testkit.GuestControl}: shell commands in the guest and
 *       drawing helpers (solid fill, noise, text) on its 1024x768x32 framebuffer.
 *   <li>{@link io.github.qemudbus.testkit.Qmp}: QMP for tests (the SDK's {@code QmpClient} underneath).
 *   <li>{@link io.github.qemudbus.testkit.FakeVdagent}: plays spice-vdagent in the guest, for
 *       the shared clipboard through QEMU's {@code qemu-vdagent} chardev.
 *   <li>{@link io.github.qemudbus.testkit.TestGuest}: builds and caches the guest (kernel +
 *       initramfs) with the {@code build-guest.sh} script shipped in this jar.
 *   <li>{@link io.github.qemudbus.testkit.QemuTests} and {@link
 *       io.github.qemudbus.testkit.RequiresQemu}: run such tests only with {@code
 *       -Dqemu.tests=true}, and fail rather than skip when that is set but QEMU is missing.
 *       They work with the JUnit Jupiter of your project, 5.x or 6.x: the testkit's own
 *       dependency on JUnit is {@code provided} and brings nothing onto your class path.
 * </ul>
 *
 * <p>Needs qemu-system-x86_64 with the dbus display module, dbus-daemon and dbus-send, and,
 * once, apt-get (the guest is made from Debian's kernel and busybox-static packages).
 */
package io.github.qemudbus.testkit;
