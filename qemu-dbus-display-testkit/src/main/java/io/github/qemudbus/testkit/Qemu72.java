package io.github.qemudbus.testkit;

import java.nio.file.Path;

/**
 * Debian 12's own QEMU 7.2, unpacked beside the default QEMU, for tests that check the SDK
 * against an old QEMU (its display has no {@code Interfaces} properties and no
 * {@code Listener.Unix.Map}).
 *
 * <pre>{@code
 * try (QemuFixture qemu = Qemu72.fixture().name(null).start()) {
 *   // qemu runs QEMU 7.2; its VM reports Name "QEMU 7.2.x"
 * }
 * }</pre>
 *
 * <p>{@link #directory()} looks for an unpacked tree ({@code usr/bin/qemu-system-x86_64}
 * inside) in {@code -Dqemudbus.qemu72.dir}, {@code QEMUDBUS_QEMU72_DIR}, {@code /opt/qemu-7.2}
 * (where {@code scripts/install-deps.sh} puts it) and {@code ~/.cache/qemu-dbus-display/qemu-7.2};
 * when there is none it runs {@code install-qemu72.sh} (shipped in this jar; {@code apt-get
 * download} + {@code dpkg-deb -x}, no root needed) into the last of these. {@link
 * QemuInstall#qemu72()} is the same QEMU as a {@link QemuInstall}, beside the default QEMU and
 * 11.1.
 */
public final class Qemu72 {
    /** System property naming the folder QEMU 7.2 is unpacked in. */
    public static final String DIR_PROPERTY = Qemu72Folder.DIR_PROPERTY;
    /** Environment variable naming the folder QEMU 7.2 is unpacked in. */
    public static final String DIR_ENV = Qemu72Folder.DIR_ENV;

    private Qemu72() {}

    /**
     * The folder QEMU 7.2 is unpacked in, unpacking it first when no folder has it.
     *
     * @return the folder (holds {@code usr/bin/qemu-system-x86_64})
     * @throws IllegalStateException when it is not there and cannot be unpacked
     */
    public static Path directory() {
        return Qemu72Folder.directory();
    }

    /**
     * The QEMU 7.2 binary.
     *
     * @return {@code DIR/usr/bin/qemu-system-x86_64}
     */
    public static Path binary() {
        return directory().resolve(Qemu72Folder.BINARY);
    }

    /**
     * Points a fixture builder at QEMU 7.2: its binary, {@code QEMU_MODULE_DIR} for its own
     * modules (ui-dbus among them), and {@code -L} for its firmware (plus {@code
     * /usr/share/seabios}, which its firmware symlinks point to).
     *
     * @param builder a fixture builder
     * @return the same builder
     */
    public static QemuFixture.Builder configure(QemuFixture.Builder builder) {
        return builder.qemu(QemuInstall.qemu72());
    }

    /**
     * A fixture builder for QEMU 7.2 (otherwise the fixture's defaults).
     *
     * @return a configured builder
     */
    public static QemuFixture.Builder fixture() {
        return configure(QemuFixture.builder());
    }
}
