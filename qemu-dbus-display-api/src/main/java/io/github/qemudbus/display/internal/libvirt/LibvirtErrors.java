package io.github.qemudbus.display.internal.libvirt;

import io.github.qemudbus.display.LibvirtException;
import io.github.qemudbus.display.LibvirtException.Reason;

/**
 * Internal, not API: turns libvirt's last error (a {@code virErrorNumber} and its text) into a
 * {@link LibvirtException} with a reason and a hint.
 */
public final class LibvirtErrors {
    // virErrorNumber values (libvirt's include/libvirt/virterror.h; stable since 0.8.0)
    static final int NO_CONNECT = 5;
    static final int OPERATION_DENIED = 29;
    static final int SYSTEM_ERROR = 38;
    static final int NO_DOMAIN = 42;
    static final int AUTH_FAILED = 45;
    static final int OPERATION_INVALID = 55;
    static final int AUTH_CANCELLED = 79;
    static final int ACCESS_DENIED = 88;
    static final int AUTH_UNAVAILABLE = 94;

    private LibvirtErrors() {
    }

    /**
     * Which reason libvirt's error means.
     *
     * @param code the {@code virErrorNumber}
     * @param message libvirt's text (may be null)
     * @return the reason
     */
    public static Reason classify(int code, String message) {
        String m = message == null ? "" : message;
        if (code == NO_DOMAIN) {
            return Reason.NO_SUCH_DOMAIN;
        }
        if (code == OPERATION_INVALID && m.contains("not running")) {
            return Reason.NOT_RUNNING;
        }
        if (code == AUTH_FAILED || code == AUTH_CANCELLED || code == ACCESS_DENIED || code == AUTH_UNAVAILABLE
                || code == OPERATION_DENIED || m.contains("Permission denied") || m.contains("access denied")) {
            return Reason.PERMISSION_DENIED;
        }
        if (code == NO_CONNECT || (code == SYSTEM_ERROR && (m.contains("Failed to connect socket")
                || m.contains("No such file") || m.contains("Connection refused")))) {
            return Reason.UNREACHABLE;
        }
        return Reason.FAILED;
    }

    /**
     * The exception for libvirt's error.
     *
     * @param code the {@code virErrorNumber}
     * @param message libvirt's text
     * @param uri the connection URI
     * @param domain the domain asked for
     * @param doing what the SDK was doing, in words
     * @return the exception, with a hint for the reason
     */
    public static LibvirtException of(int code, String message, String uri, String domain, String doing) {
        Reason r = classify(code, message);
        String said = message == null ? "error " + code : message;
        String text = switch (r) {
            case NO_SUCH_DOMAIN -> "no libvirt domain '" + domain + "' at " + uri + " (" + said
                    + "; virsh -c " + uri + " list --all lists them)";
            case NOT_RUNNING -> "libvirt domain '" + domain + "' (" + uri + ") is not running (" + said
                    + "; start it: virsh -c " + uri + " start " + domain + ")";
            case UNREACHABLE -> "cannot reach libvirt at " + uri + " while " + doing + ": " + said
                    + " (is libvirtd running? as root: virtlogd -d; libvirtd -d, or systemctl start libvirtd)";
            case PERMISSION_DENIED -> "libvirt at " + uri + " refused this user while " + doing + ": " + said
                    + " (run as root, or as a member of the libvirt group)";
            default -> "libvirt (" + uri + ") failed while " + doing + " for domain '" + domain + "': " + said;
        };
        return new LibvirtException(r, domain, text, null);
    }
}
