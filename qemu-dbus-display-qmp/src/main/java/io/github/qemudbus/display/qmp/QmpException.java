package io.github.qemudbus.display.qmp;

/**
 * A QMP command failed: QEMU answered with an {@code error} object ({@link #errorClass()} and
 * {@link #description()} are QEMU's), or the connection broke, closed or timed out ({@link
 * #errorClass()} is {@code null}).
 */
public class QmpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String command;
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
        this.command = command;
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
        this.command = null;
        this.errorClass = null;
        this.description = message;
    }

    /**
     * Copies another QMP exception (same message, error class, description and cause); lets a
     * wrapper rethrow it as its own subtype.
     *
     * @param other the exception to copy
     */
    protected QmpException(QmpException other) {
        super(other.getMessage(), other.getCause());
        this.command = other.command;
        this.errorClass = other.errorClass;
        this.description = other.description;
        setStackTrace(other.getStackTrace());
    }

    /**
     * The command QEMU refused.
     *
     * @return the command name, or {@code null} for transport problems
     */
    public String command() {
        return command;
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
