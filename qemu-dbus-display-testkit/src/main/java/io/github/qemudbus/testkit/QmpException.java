package io.github.qemudbus.testkit;

/**
 * A QMP command failed: QEMU answered with an {@code error} object, or the QMP connection
 * broke or timed out. The testkit's name for {@link io.github.qemudbus.display.qmp.QmpException},
 * which it extends: catching either works.
 */
public class QmpException extends io.github.qemudbus.display.qmp.QmpException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception for an error answer from QEMU.
     *
     * @param command the command that failed
     * @param errorClass QMP's error class, e.g. {@code GenericError}
     * @param description QMP's human-readable description
     */
    public QmpException(String command, String errorClass, String description) {
        super(command, errorClass, description);
    }

    /**
     * Creates an exception for a transport problem (no error answer from QEMU).
     *
     * @param message what went wrong
     * @param cause the underlying problem, or {@code null}
     */
    public QmpException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Re-throws the shared client's exception as the testkit's (same message, class,
     * description and cause).
     *
     * @param e the shared client's exception
     */
    QmpException(io.github.qemudbus.display.qmp.QmpException e) {
        super(e);
    }
}
