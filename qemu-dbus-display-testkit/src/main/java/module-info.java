/**
 * For tests, the SDK's and its users': a private dbus-daemon, QEMU and a tiny guest
 * ({@link io.github.qemudbus.testkit.QemuFixture}), QMP, the guest's control channel, a fake
 * QEMU listener peer and a stand-in guest clipboard agent.
 */
module io.github.qemudbus.testkit {
    requires transitive io.github.qemudbus.display.qmp; // Qmp.client() returns the shared client
    requires static org.junit.jupiter.api; // @RequiresQemu and its extension: the user's own JUnit 5 or 6
    requires com.fasterxml.jackson.databind;
    requires java.desktop; // screendumps as images
    requires org.slf4j;

    exports io.github.qemudbus.testkit;
}
