package io.github.qemudbus.webrtc;

import io.github.qemudbus.testkit.Chromium;
import io.github.qemudbus.testkit.QemuTests;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that run real WebRTC between the bridge and Chromium. WebRTC gathers
 * candidates on every interface, and no traffic may leave the machine: such tests run only
 * with {@code -Dwebrtc.netns=true}, which CI sets when it runs Maven inside a network
 * namespace with only {@code lo} ({@code ip netns exec ...}). With the property set, the
 * test checks that nothing but loopback is up and fails otherwise.
 *
 * <p>Without the property the test is skipped, and says so on the console. With
 * {@code -Dqemu.tests=true} (a run that asks for every test) it fails instead: such a run
 * must happen inside the namespace, or it would pass without its browser tests.
 */
final class Isolation {
    static final String PROPERTY = "webrtc.netns";

    private Isolation() {
    }

    static void assumeLoopbackOnly() {
        if (!Boolean.getBoolean(PROPERTY)) {
            String why = "WebRTC browser tests need -D" + PROPERTY + "=true and Maven inside a network namespace "
                    + "that has only lo: ip netns add qd-x; ip netns exec qd-x ip link set lo up; "
                    + "ip netns exec qd-x mvn ... -D" + PROPERTY + "=true (see the module README)";
            if (QemuTests.requested()) {
                throw new IllegalStateException(QemuTests.ENABLE_PROPERTY + "=true runs every test, but " + why);
            }
            System.err.println("SKIPPED (browser test): " + why);
            Assumptions.abort(why);
        }
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
        if (!Chromium.available()) {
            throw new IllegalStateException(PROPERTY + "=true but " + Chromium.binary() + " or " + Chromium.driver()
                    + " is missing (apt-get install chromium chromium-driver)");
        }
    }
}
