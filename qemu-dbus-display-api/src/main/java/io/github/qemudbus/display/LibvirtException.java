package io.github.qemudbus.display;

import java.util.Objects;

/**
 * Finding a libvirt domain's display failed ({@link QemuDisplay.Builder#libvirt(String)}): the
 * {@link #reason()} says which way, the message says it in words with libvirt's own text.
 */
public final class LibvirtException extends QemuDisplayException {
    private static final long serialVersionUID = 1L;

    /** Why a libvirt domain's display could not be found. */
    public enum Reason {
        /** libvirt knows no domain of that name. */
        NO_SUCH_DOMAIN,
        /** The domain exists but is not running (shut off, or not started yet). */
        NOT_RUNNING,
        /** The running domain has no {@code <graphics type='dbus'/>}. */
        NO_DBUS_GRAPHICS,
        /** libvirt's daemon does not answer at the connection URI (not running, wrong URI). */
        UNREACHABLE,
        /** libvirt or the domain's bus refused this user (run as root or as a member of the libvirt group). */
        PERMISSION_DENIED,
        /** libvirt's client library ({@code libvirt.so.0}, Debian package {@code libvirt0}) is not installed. */
        NO_CLIENT_LIBRARY,
        /** Anything else libvirt answered with an error. */
        FAILED
    }

    private final Reason reason;
    private final String domain;

    /**
     * An exception about one domain.
     *
     * @param reason which way it failed
     * @param domain the domain's name
     * @param message what failed, in words
     * @param cause the underlying exception, or {@code null}
     */
    public LibvirtException(Reason reason, String domain, String message, Throwable cause) {
        super(message, null, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.domain = domain;
    }

    /**
     * Which way it failed.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    /**
     * The domain asked for.
     *
     * @return its name
     */
    public String domain() {
        return domain;
    }
}
