package io.github.qemudbus.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The JUnit Jupiter extension (JUnit 5.x or 6.x) behind {@link RequiresQemu}: disables tests unless {@code
 * qemu.tests=true}, and fails them when it is set but tools are missing. With {@code qemu.tests=true} a test
 * that skips itself anyway (a failed assumption in the test or in its {@code @BeforeAll}/{@code @BeforeEach})
 * fails instead, naming the reason: a QEMU run that passes by skipping would prove nothing.
 */
public final class QemuTestsExtension implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback,
        TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    /** Creates the extension (JUnit does). */
    public QemuTestsExtension() {}

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!QemuTests.requested()) {
            return ConditionEvaluationResult.disabled(
                    "QEMU tests are off; run with -D" + QemuTests.ENABLE_PROPERTY + "=true to enable them");
        }
        return ConditionEvaluationResult.enabled(QemuTests.ENABLE_PROPERTY + "=true");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        QemuTests.checkTools();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        QemuTests.checkTools();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw QemuTests.noSkip(throwable);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        throw QemuTests.noSkip(throwable);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        throw QemuTests.noSkip(throwable);
    }
}
