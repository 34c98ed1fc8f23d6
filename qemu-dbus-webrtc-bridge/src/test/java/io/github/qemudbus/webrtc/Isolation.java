package io.github.qemudbus.webrtc;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import io.github.qemudbus.testkit.QemuTests;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that run real WebRTC between the bridge and Chromium. WebRTC gathers
 * candidates on every interface, and no traffic may leave loopback: such tests run only
 * with {@code -Dwebrtc.netns=true}, which CI sets when it runs Maven inside a network
 * namespace with only {@code lo} ({@code ip netns exec ...}). With the property set, the
 * test checks that nothing but loopback is up and fails otherwise.
 */
final class Isolation {
    static final String PROPERTY = "webrtc.netns";

    private Isolation() {
    }

    static void assumeLoopbackOnly() {
        if (!Boolean.getBoolean(PROPERTY) && QemuTests.requested()) {
            // a CI-like run (qemu.tests=true) must not pass by skipping the WebRTC tests
            throw new AssertionError("qemu.tests=true but WebRTC tests cannot run: run Maven with -D" + PROPERTY
                    + "=true inside a network namespace that has only lo (scripts/run-tests.sh does)");
        }
        Assumptions.assumeTrue(Boolean.getBoolean(PROPERTY), "WebRTC browser tests are off; run Maven with -D"
                + PROPERTY + "=true inside a network namespace that has only lo (see the module README)");
        List<String> up = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (ni.isUp() && !ni.isLoopback()) {
                    up.add(ni.getName());
                }
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list network interfaces", e);
        }
        if (!up.isEmpty()) {
            throw new IllegalStateException(PROPERTY + "=true but interfaces other than loopback are up " + up
                    + ": refusing to run WebRTC where its traffic could leave loopback");
        }
        if (!Browser.available()) {
            throw new IllegalStateException(PROPERTY + "=true but " + Browser.CHROMIUM + " or " + Browser.CHROMEDRIVER
                    + " is missing (apt-get install chromium chromium-driver)");
        }
    }
}
