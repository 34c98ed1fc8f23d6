package io.github.qemudbus.testkit;

/**
 * A QMP command failed: QEMU answered with an {@code error} object, or the QMP connection
 * broke or timed out.
 */
public class QmpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errorClass;
    private final String description;

    /**
     * Creates an exception for an error answer from QEMU.
     *
     * @param command the command that failed
     * @param errorClass QMP's error class, e.g. {@code GenericError}
     * @param description QMP's human-readable description
     */
    public QmpException(String command, String errorClass, String description) {
        super("QMP command '" + command + "' failed: " + errorClass + ": " + description);
        this.errorClass = errorClass;
        this.description = description;
    }

    /**
     * Creates an exception for a transport problem (no error answer from QEMU).
     *
     * @param message what went wrong
     * @param cause the underlying problem, or {@code null}
     */
    public QmpException(String message, Throwable cause) {
        super(message, cause);
        this.errorClass = null;
        this.description = message;
    }

    /**
     * QMP's error class, e.g. {@code GenericError} or {@code CommandNotFound}.
     *
     * @return the error class, or {@code null} for transport problems
     */
    public String errorClass() {
        return errorClass;
    }

    /**
     * QMP's error description (or the transport problem's message).
     *
     * @return the description
     */
    public String description() {
        return description;
    }
}
