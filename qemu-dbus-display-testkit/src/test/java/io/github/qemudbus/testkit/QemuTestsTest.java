package io.github.qemudbus.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The skip-or-fail gate; needs no QEMU. */
class QemuTestsTest {
    private final String savedEnable = System.getProperty(QemuTests.ENABLE_PROPERTY);
    private final String savedQemu = System.getProperty(Tools.QEMU_PROPERTY);

    @AfterEach
    void restore() {
        set(QemuTests.ENABLE_PROPERTY, savedEnable);
        set(Tools.QEMU_PROPERTY, savedQemu);
    }

    @Test
    void skipsWhenNotRequested() {
        System.setProperty(QemuTests.ENABLE_PROPERTY, "false");
        assertFalse(QemuTests.requested());
        assertFalse(QemuTests.available());
        assertThrows(TestAbortedException.class, QemuTests::assumeAvailable);
    }

    @Test
    void failsWhenRequestedButQemuIsMissing() {
        System.setProperty(QemuTests.ENABLE_PROPERTY, "true");
        System.setProperty(Tools.QEMU_PROPERTY, "/nonexistent/qemu-system-x86_64");
        IllegalStateException e = assertThrows(IllegalStateException.class, QemuTests::assumeAvailable);
        assertTrue(e.getMessage().contains("qemu-system-x86_64"), e.getMessage());
    }

    @Test
    void aSkipFailsWhenQemuTestsAreOn() throws Throwable {
        QemuTestsExtension ext = new QemuTestsExtension();
        TestAbortedException skip = new TestAbortedException("no tablet in this VM");
        System.setProperty(QemuTests.ENABLE_PROPERTY, "true");
        AssertionError e = assertThrows(AssertionError.class, () -> ext.handleTestExecutionException(null, skip));
        assertTrue(e.getMessage().contains("skipped itself: no tablet in this VM"), e.getMessage());
        assertSame(skip, e.getCause());
        assertThrows(AssertionError.class, () -> ext.handleBeforeAllMethodExecutionException(null, skip));
        assertThrows(AssertionError.class, () -> ext.handleBeforeEachMethodExecutionException(null, skip));
        IllegalStateException other = new IllegalStateException("x");
        assertSame(other, QemuTests.noSkip(other), "other failures pass unchanged");

        System.setProperty(QemuTests.ENABLE_PROPERTY, "false");
        assertSame(skip, assertThrows(TestAbortedException.class, () -> ext.handleTestExecutionException(null, skip)),
                "QEMU tests off: a skip stays a skip");
    }

    @Test
    void shellQuote() {
        assertTrue(GuestControl.shellQuote("a'b").equals("'a'\\''b'"));
    }

    private static void set(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
