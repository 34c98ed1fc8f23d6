package io.github.qemudbus.display;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;

/**
 * Turns what dbus-java throws into the SDK's {@link QemuDisplayException} family.
 *
 * <p>How dbus-java 5.1.1 reports a D-Bus error reply: it looks for a class whose fully
 * qualified name is the error name (trying {@code $} for the last dots too, and
 * {@code org.freedesktop.DBus.Error.X} as {@code org.freedesktop.dbus.errors.X}); if one
 * exists and extends {@link DBusExecutionException}, it throws an instance of it, otherwise a
 * plain {@code DBusExecutionException}. The message is the reply's text; the error name is
 * <em>not</em> stored: {@code setType(String)} does nothing and {@code getType()} (deprecated
 * for removal) returns the Java class name. So the name is
 * recovered from the class: the classes in {@code org.qemu.Display1.Error} make QEMU's names
 * recoverable, dbus-java's own {@code org.freedesktop.dbus.errors} classes cover the standard
 * names, and any other error name is lost (mapped to a plain {@link QemuDisplayException} with
 * {@code errorName() == null}).
 */
final class DBusErrors {
    static final String QEMU_PREFIX = "org.qemu.Display1.Error.";
    static final String FREEDESKTOP_PREFIX = "org.freedesktop.DBus.Error.";
    private static final String DBUS_JAVA_ERRORS = "org.freedesktop.dbus.errors.";
    private static final String DBUS_JAVA_LOCAL = "org.freedesktop.dbus.exceptions.";
    private static final String GDBUS_PREFIX = "GDBus.Error:";

    private DBusErrors() {
    }

    /**
     * Maps a failure to a typed exception whose message reads
     * {@code "<context>: <error name>: <remote text>"}, e.g.
     * {@code "Mouse.Press on console 0: org.qemu.Display1.Error.Invalid: ..."}.
     *
     * @param t what was thrown (dbus-java exceptions, or wrappers of them)
     * @param context the operation, e.g. {@code "Mouse.Press on console 0"}
     * @return the exception to throw; {@code t} itself when it already is a
     *     {@link QemuDisplayException}
     */
    static QemuDisplayException map(Throwable t, String context) {
        Throwable e = unwrap(t);
        if (e instanceof QemuDisplayException q) {
            return q;
        }
        String name = null;
        Throwable c = e;
        for (int depth = 0; c != null && name == null && depth < 8; depth++) {
            name = errorName(c);
            c = c.getCause() == c ? null : c.getCause();
        }
        String text = remoteText(e, name);
        StringBuilder msg = new StringBuilder();
        if (context != null && !context.isEmpty()) {
            msg.append(context).append(": ");
        }
        if (name != null) {
            msg.append(name);
        } else {
            msg.append(e == null ? "unknown failure" : e.getClass().getSimpleName());
        }
        if (!text.isEmpty()) {
            msg.append(": ").append(text);
        }
        String m = msg.toString();
        if (name == null) {
            return new QemuDisplayException(m, null, t);
        }
        return switch (name) {
            case FailedException.ERROR_NAME -> new FailedException(m, t);
            case InvalidException.ERROR_NAME -> new InvalidException(m, t);
            case UnsupportedException.ERROR_NAME -> new UnsupportedException(m, t);
            default -> new QemuDisplayException(m, name, t);
        };
    }

    /**
     * The D-Bus error name carried by one throwable, without looking at its causes.
     *
     * @param t a throwable, may be {@code null}
     * @return the name, or {@code null}
     */
    static String errorName(Throwable t) {
        if (t instanceof QemuDisplayException q) {
            return q.errorName();
        }
        if (t instanceof DBusExecutionException d) {
            // getType() would give the same (the class name) but is deprecated for removal
            String type = d.getClass().getName();
            if (d.getClass() != DBusExecutionException.class
                    && !type.startsWith(DBUS_JAVA_LOCAL)) {
                String dotted = type.replace('$', '.');
                if (dotted.startsWith(DBUS_JAVA_ERRORS)) {
                    return FREEDESKTOP_PREFIX + dotted.substring(DBUS_JAVA_ERRORS.length());
                }
                if (dotted.startsWith(QEMU_PREFIX) || dotted.startsWith(FREEDESKTOP_PREFIX)) {
                    return dotted;
                }
            }
        }
        return t == null ? null : nameInText(t.getMessage());
    }

    /** The well-known names at the start of a message ("GDBus.Error:NAME: text" or "NAME: text"). */
    private static String nameInText(String message) {
        if (message == null) {
            return null;
        }
        String s = message.startsWith(GDBUS_PREFIX) ? message.substring(GDBUS_PREFIX.length()) : message;
        if (!s.startsWith(QEMU_PREFIX) && !s.startsWith(FREEDESKTOP_PREFIX)) {
            return null;
        }
        int end = 0;
        while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '.'
                || s.charAt(end) == '_')) {
            end++;
        }
        if (end < s.length() && s.charAt(end) != ':' && !Character.isWhitespace(s.charAt(end))) {
            return null;
        }
        String name = s.substring(0, end);
        return name.endsWith(".") ? null : name;
    }

    /** The remote text, without a leading error name that {@link #nameInText} already took. */
    private static String remoteText(Throwable e, String name) {
        String text = e == null || e.getMessage() == null ? "" : e.getMessage().trim();
        if (name != null) {
            for (String p : new String[] {GDBUS_PREFIX + name, name}) {
                if (text.startsWith(p) && (text.length() == p.length() || text.charAt(p.length()) == ':'
                        || Character.isWhitespace(text.charAt(p.length())))) {
                    text = text.substring(p.length());
                    text = text.startsWith(":") ? text.substring(1).trim() : text.trim();
                    break;
                }
            }
        }
        return text;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        for (int i = 0; i < 8 && e != null && e.getCause() != null && e.getCause() != e; i++) {
            if (e instanceof UndeclaredThrowableException || e instanceof InvocationTargetException
                    || e instanceof ExecutionException || e instanceof CompletionException) {
                e = e.getCause();
            } else {
                break;
            }
        }
        return e;
    }
}
