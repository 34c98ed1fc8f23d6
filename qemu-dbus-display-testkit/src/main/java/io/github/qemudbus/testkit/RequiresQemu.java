package io.github.qemudbus.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a JUnit Jupiter test class or method (JUnit 5.x or 6.x) that needs QEMU: it is skipped
 * unless {@code -Dqemu.tests=true}, and fails (rather than skips) when that is set but QEMU, its
 * dbus display module or dbus-daemon is missing. See {@link QemuTests}.
 *
 * <p>The testkit does not bring JUnit (its dependency on {@code junit-jupiter-api} is
 * {@code provided}): your project's own {@code junit-jupiter}, 5.x or 6.x, is the one used.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(QemuTestsExtension.class)
public @interface RequiresQemu {}
