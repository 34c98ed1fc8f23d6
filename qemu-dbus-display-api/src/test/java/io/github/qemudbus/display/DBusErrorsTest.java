package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.freedesktop.dbus.errors.NoReply;
import org.freedesktop.dbus.errors.UnknownMethod;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.exceptions.NotConnected;
import org.junit.jupiter.api.Test;

class DBusErrorsTest {

    @Test
    void qemuErrorNamesBecomeTypedExceptions() {
        QemuDisplayException e = DBusErrors.map(new org.qemu.Display1.Error.Invalid("Invalid button"),
                "Mouse.Press on console 0");
        assertInstanceOf(InvalidException.class, e);
        assertEquals("org.qemu.Display1.Error.Invalid", e.errorName());
        assertEquals("Mouse.Press on console 0: org.qemu.Display1.Error.Invalid: Invalid button", e.getMessage());

        QemuDisplayException f = DBusErrors.map(new org.qemu.Display1.Error.Failed("boom"), "Clipboard.Request");
        assertInstanceOf(FailedException.class, f);
        assertEquals(FailedException.ERROR_NAME, f.errorName());
        assertEquals("Clipboard.Request: org.qemu.Display1.Error.Failed: boom", f.getMessage());

        QemuDisplayException u = DBusErrors.map(new org.qemu.Display1.Error.Unsupported("Unsupported"),
                "Console.SetUIInfo on console 0");
        assertInstanceOf(UnsupportedException.class, u);
        assertEquals("org.qemu.Display1.Error.Unsupported", u.errorName());
        assertInstanceOf(org.qemu.Display1.Error.Unsupported.class, u.getCause());
    }

    @Test
    void qemusErrorClassesCarryTheirDBusNames() {
        // dbus-java takes an error's D-Bus name from the exception's class name (setType is ignored),
        // so the SDK's org.qemu.Display1.Error classes must be named exactly as QEMU's errors:
        // a class that reported any other name would never be matched to QEMU's replies.
        assertEquals(InvalidException.ERROR_NAME, new org.qemu.Display1.Error.Invalid("x").getType());
        assertEquals(FailedException.ERROR_NAME, new org.qemu.Display1.Error.Failed("x").getType());
        assertEquals(UnsupportedException.ERROR_NAME, new org.qemu.Display1.Error.Unsupported("x").getType());
        assertEquals("org.qemu.Display1.Error.Invalid", InvalidException.ERROR_NAME);
        assertEquals("org.qemu.Display1.Error.Failed", FailedException.ERROR_NAME);
        assertEquals("org.qemu.Display1.Error.Unsupported", UnsupportedException.ERROR_NAME);
    }

    @Test
    void aPlainExecutionExceptionHasNoName() {
        QemuDisplayException e = DBusErrors.map(new DBusExecutionException("Invalid button"), "Mouse.Press");
        assertEquals(QemuDisplayException.class, e.getClass());
        assertNull(e.errorName());
        assertEquals("Mouse.Press: DBusExecutionException: Invalid button", e.getMessage());
    }

    @Test
    void standardNamesComeFromDbusJavaErrorClasses() {
        QemuDisplayException e = DBusErrors.map(new UnknownMethod("No such method 'Foo'"), "Console.Foo");
        assertEquals(QemuDisplayException.class, e.getClass());
        assertEquals("org.freedesktop.DBus.Error.UnknownMethod", e.errorName());
        assertEquals("Console.Foo: org.freedesktop.DBus.Error.UnknownMethod: No such method 'Foo'", e.getMessage());
    }

    @Test
    void timeoutIsNoReply() {
        QemuDisplayException e = DBusErrors.map(new NoReply("No reply within specified time"), "Keyboard.Press");
        assertEquals("org.freedesktop.DBus.Error.NoReply", e.errorName());
        assertEquals("Keyboard.Press: org.freedesktop.DBus.Error.NoReply: No reply within specified time",
                e.getMessage());
    }

    @Test
    void localFailuresHaveNoName() {
        QemuDisplayException nc = DBusErrors.map(new NotConnected("Not Connected"), "Mouse.Press on console 1");
        assertNull(nc.errorName());
        assertEquals("Mouse.Press on console 1: NotConnected: Not Connected", nc.getMessage());

        DBusException checked = new DBusException("Could not find interface");
        QemuDisplayException ck = DBusErrors.map(checked, "proxy for /org/qemu/Display1/VM");
        assertNull(ck.errorName());
        assertSame(checked, ck.getCause());
        assertEquals("proxy for /org/qemu/Display1/VM: DBusException: Could not find interface", ck.getMessage());
    }

    @Test
    void wrappersAreUnwrappedAndCausesSearched() {
        Throwable wrapped = new UndeclaredThrowableException(
                new CompletionException(new ExecutionException(new org.qemu.Display1.Error.Invalid("bad"))));
        QemuDisplayException e = DBusErrors.map(wrapped, "ctx");
        assertInstanceOf(InvalidException.class, e);
        assertEquals("ctx: org.qemu.Display1.Error.Invalid: bad", e.getMessage());
        assertSame(wrapped, e.getCause());

        // dbus-java wraps checked DBusExceptions in a DBusExecutionException with the same text
        QemuDisplayException nested = DBusErrors.map(
                new DBusExecutionException("outer", new org.qemu.Display1.Error.Failed("inner")), "ctx");
        assertInstanceOf(FailedException.class, nested);
    }

    @Test
    void namesInTheTextAreRecognised() {
        QemuDisplayException g = DBusErrors.map(
                new DBusExecutionException("GDBus.Error:org.qemu.Display1.Error.Unsupported: no UI info"), "ctx");
        assertInstanceOf(UnsupportedException.class, g);
        assertEquals("ctx: org.qemu.Display1.Error.Unsupported: no UI info", g.getMessage());

        QemuDisplayException p = DBusErrors.map(
                new DBusExecutionException("org.qemu.Display1.Error.Invalid: not absolute"), "ctx");
        assertInstanceOf(InvalidException.class, p);
        assertEquals("ctx: org.qemu.Display1.Error.Invalid: not absolute", p.getMessage());

        QemuDisplayException other = DBusErrors.map(
                new DBusExecutionException("org.example.Thing: text"), "ctx");
        assertNull(other.errorName());
    }

    @Test
    void alreadyMappedPassesThrough() {
        InvalidException i = new InvalidException("x", null);
        assertSame(i, DBusErrors.map(i, "ctx"));
    }

    @Test
    void otherExceptionsKeepTheirText() {
        QemuDisplayException e = DBusErrors.map(new IllegalStateException("closed"), "Vm.Name");
        assertNull(e.errorName());
        assertEquals("Vm.Name: IllegalStateException: closed", e.getMessage());
        assertEquals("ctx: unknown failure", DBusErrors.map(null, "ctx").getMessage());
    }
}
