package io.github.qemudbus.examples;

/** A mistake on the command line found while a command runs: printed as one line, exit status 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
