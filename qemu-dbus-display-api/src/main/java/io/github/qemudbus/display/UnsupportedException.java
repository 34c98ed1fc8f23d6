package io.github.qemudbus.display;

/**
 * QEMU answered {@value #ERROR_NAME}: the device behind the console cannot do what was asked,
 * for example {@code Console.SetUIInfo} on a standard VGA adapter (virtio-vga accepts it).
 * Usually not worth retrying; callers may treat it as "feature absent".
 */
public class UnsupportedException extends QemuDisplayException {
    private static final long serialVersionUID = 1L;

    /** The D-Bus error name this exception stands for. */
    public static final String ERROR_NAME = "org.qemu.Display1.Error.Unsupported";

    /**
     * Creates the exception.
     *
     * @param message what failed, including the context and QEMU's text
     * @param cause the underlying D-Bus exception, or {@code null}
     */
    public UnsupportedException(String message, Throwable cause) {
        super(message, ERROR_NAME, cause);
    }
}
