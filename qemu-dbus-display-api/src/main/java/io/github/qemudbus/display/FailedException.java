package io.github.qemudbus.display;

/**
 * QEMU answered {@value #ERROR_NAME}: it understood the request but could not carry it out
 * (an internal error, a clipboard request with no matching data, a listener it could not set
 * up).
 */
public class FailedException extends QemuDisplayException {
    private static final long serialVersionUID = 1L;

    /** The D-Bus error name this exception stands for. */
    public static final String ERROR_NAME = "org.qemu.Display1.Error.Failed";

    /**
     * Creates the exception.
     *
     * @param message what failed, including the context and QEMU's text
     * @param cause the underlying D-Bus exception, or {@code null}
     */
    public FailedException(String message, Throwable cause) {
        super(message, ERROR_NAME, cause);
    }
}
