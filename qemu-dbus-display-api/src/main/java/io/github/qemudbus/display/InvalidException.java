package io.github.qemudbus.display;

/**
 * QEMU answered {@value #ERROR_NAME}: the request does not fit the current state, for example
 * {@code Mouse.SetAbsPosition} while the guest mouse is relative ({@code IsAbsolute} false),
 * {@code Mouse.RelMotion} while it is absolute, or a clipboard call from a peer that has not
 * registered.
 */
public class InvalidException extends QemuDisplayException {
    private static final long serialVersionUID = 1L;

    /** The D-Bus error name this exception stands for. */
    public static final String ERROR_NAME = "org.qemu.Display1.Error.Invalid";

    /**
     * Creates the exception.
     *
     * @param message what failed, including the context and QEMU's text
     * @param cause the underlying D-Bus exception, or {@code null}
     */
    public InvalidException(String message, Throwable cause) {
        super(message, ERROR_NAME, cause);
    }
}
