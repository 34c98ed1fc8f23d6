package io.github.qemudbus.webrtc;

import dev.onvoid.webrtc.logging.Logging;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards libwebrtc's own log to SLF4J (logger {@code dev.onvoid.webrtc.native}) when the
 * system property {@code qemu.webrtc.nativeLog} names a severity (verbose, info, warning,
 * error). Off by default: libwebrtc is chatty. Installed at most once per JVM (a native log
 * sink cannot be removed).
 */
final class NativeLog {
    private static final Logger LOG = LoggerFactory.getLogger("dev.onvoid.webrtc.native");
    private static boolean installed;

    private NativeLog() {
    }

    static synchronized void install() {
        String level = System.getProperty("qemu.webrtc.nativeLog");
        if (installed || level == null || level.isBlank()) {
            return;
        }
        Logging.Severity s;
        try {
            s = Logging.Severity.valueOf(level.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            LOG.warn("qemu.webrtc.nativeLog: unknown severity '{}'", level);
            return;
        }
        installed = true;
        Logging.addLogSink(s, (severity, message) -> {
            String m = message.endsWith("\n") ? message.substring(0, message.length() - 1) : message;
            switch (severity) {
                case ERROR -> LOG.error(m);
                case WARNING -> LOG.warn(m);
                default -> LOG.info(m);
            }
        });
    }
}
