package io.github.qemudbus.testkit;

/** The test guest's control channel failed: a timeout, a lost connection, or QEMU exited. */
public class GuestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     */
    public GuestException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what went wrong
     * @param cause the underlying problem
     */
    public GuestException(String message, Throwable cause) {
        super(message, cause);
    }
}
