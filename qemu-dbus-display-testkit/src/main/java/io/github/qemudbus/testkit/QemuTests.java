package io.github.qemudbus.testkit;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.opentest4j.TestAbortedException;

/**
 * Gate for tests that need QEMU, dbus-daemon and the test guest.
 *
 * <p>Such tests run only when the system property {@code qemu.tests} is {@code true} (the
 * project's build passes it to the test JVM; CI sets it). Then the tools must be there: a
 * missing tool fails the test instead of skipping it, so CI cannot pass by running nothing.
 * Without the property the tests are skipped. With it, a test that skips itself anyway (a failed
 * assumption) fails under {@link RequiresQemu}, or wherever {@link #noSkip} is applied.
 *
 * <pre>{@code
 * @BeforeAll static void qemu() { QemuTests.assumeAvailable(); }
 * }</pre>
 *
 * or annotate the test class with {@link RequiresQemu}.
 */
public final class QemuTests {
    /** The system property that enables QEMU tests. */
    public static final String ENABLE_PROPERTY = "qemu.tests";

    private QemuTests() {}

    /**
     * Whether QEMU tests were asked for ({@code -Dqemu.tests=true}).
     *
     * @return the property's value
     */
    public static boolean requested() {
        return Boolean.parseBoolean(System.getProperty(ENABLE_PROPERTY, "false"));
    }

    /**
     * What is missing to run QEMU tests: qemu-system-x86_64 (from {@code -Dqemudbus.qemu},
     * {@code QEMUDBUS_QEMU} or PATH) with its dbus display module, dbus-daemon, dbus-send,
     * and apt-get when the guest is not built yet.
     *
     * @return descriptions of missing pieces; empty when everything is there
     */
    public static List<String> missingTools() {
        return Tools.missing();
    }

    /**
     * Whether QEMU tests were asked for and can run.
     *
     * @return {@code true} when {@link #requested()} and nothing is missing
     */
    public static boolean available() {
        return requested() && missingTools().isEmpty();
    }

    /**
     * Skips the calling test unless {@code qemu.tests=true}; fails it when that is set but a
     * tool is missing.
     *
     * @throws org.opentest4j.TestAbortedException (skip) when QEMU tests are not requested
     * @throws IllegalStateException when they are requested but cannot run
     */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(requested(),
                "QEMU tests are off; run with -D" + ENABLE_PROPERTY + "=true to enable them");
        checkTools();
    }

    /**
     * What a test's skip becomes when {@code qemu.tests=true}: the same skip when QEMU tests are off; a
     * failure naming the skip's reason when they are on (a QEMU run that passes by skipping proves
     * nothing). Any other throwable is returned as it is.
     *
     * <pre>{@code
     * try { ... } catch (TestAbortedException e) { throw QemuTests.noSkip(e); }
     * }</pre>
     *
     * @param thrown what the test threw
     * @return the throwable to rethrow
     */
    public static Throwable noSkip(Throwable thrown) {
        if (thrown instanceof TestAbortedException && requested()) {
            AssertionError e = new AssertionError(ENABLE_PROPERTY + "=true, but the test skipped itself: "
                    + thrown.getMessage());
            e.initCause(thrown);
            return e;
        }
        return thrown;
    }

    static void checkTools() {
        List<String> missing = missingTools();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(ENABLE_PROPERTY + "=true but QEMU tests cannot run; missing: "
                    + String.join("; ", missing));
        }
    }
}
