package io.github.qemudbus.testkit;

import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that need QEMU, dbus-daemon and the test guest.
 *
 * <p>Such tests run only when the system property {@code qemu.tests} is {@code true} (the
 * project's build passes it to the test JVM; CI sets it). Then the tools must be there: a
 * missing tool fails the test instead of skipping it, so CI cannot pass by running nothing.
 * Without the property the tests are skipped.
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

    static void checkTools() {
        List<String> missing = missingTools();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(ENABLE_PROPERTY + "=true but QEMU tests cannot run; missing: "
                    + String.join("; ", missing));
        }
    }
}
