package io.github.qemudbus.display;

/**
 * Base of every exception the SDK throws for a failed conversation with QEMU: a D-Bus error
 * reply, a timeout, a lost connection, a peer that never answered.
 *
 * <p>When QEMU (or the bus) answered with a D-Bus error, {@link #errorName()} gives its name,
 * for example {@code org.qemu.Display1.Error.Invalid} or
 * {@code org.freedesktop.DBus.Error.UnknownMethod}. QEMU's own three names have their own
 * subclasses ({@link FailedException}, {@link InvalidException},
 * {@link UnsupportedException}), so most callers can simply catch those.
 *
 * <p>The exception is unchecked: a VM that vanishes or refuses a request is not something a
 * caller can usually recover from locally.
 */
public class QemuDisplayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The D-Bus error name, or {@code null} when the failure did not come as a D-Bus error. */
    private final String errorName;

    /**
     * An exception without a D-Bus error name.
     *
     * @param message what failed
     */
    public QemuDisplayException(String message) {
        this(message, null, null);
    }

    /**
     * An exception with an optional D-Bus error name and cause.
     *
     * @param message what failed, including the context and the remote text
     * @param errorName the D-Bus error name, or {@code null}
     * @param cause the underlying exception, or {@code null}
     */
    public QemuDisplayException(String message, String errorName, Throwable cause) {
        super(message, cause);
        this.errorName = errorName;
    }

    /**
     * The D-Bus error name of the reply that caused this exception.
     *
     * @return a name such as {@code org.qemu.Display1.Error.Failed}, or {@code null} when the
     *     failure was local (no connection, interrupted, malformed data) or the remote name could
     *     not be recovered
     */
    public String errorName() {
        return errorName;
    }
}
