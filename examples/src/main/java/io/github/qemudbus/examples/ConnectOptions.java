package io.github.qemudbus.examples;

import io.github.qemudbus.display.QemuDisplay;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options that name the VM, shared by every command: {@code --address ADDR} or {@code --qmp PATH}. */
final class ConnectOptions {
    @Option(names = "--address", paramLabel = "ADDR",
            description = "D-Bus address of the bus QEMU's display is on (-display dbus,addr=...), "
                    + "e.g. unix:path=/run/vm1/bus")
    String address;

    @Option(names = "--qmp", paramLabel = "PATH",
            description = "QEMU's QMP socket, for a peer-to-peer display (-display dbus,p2p=on)")
    String qmp;

    @Option(names = "--connect-timeout-ms", paramLabel = "MS",
            description = "How long to wait for QEMU to answer (default: 10000)")
    String connectTimeoutMs;

    /** Whether --address or --qmp was given. */
    boolean named() {
        return address != null || qmp != null;
    }

    /** Fails unless exactly one of --address and --qmp was given. */
    void requireExactlyOne() {
        if ((address == null) == (qmp == null)) {
            throw new UsageException("give exactly one of --address ADDR or --qmp PATH");
        }
    }

    int connectTimeoutMs() {
        return Numbers.integer("connect-timeout-ms", connectTimeoutMs, 10000);
    }

    /** Opens the display named by --address or --qmp (one of them is required). */
    QemuDisplay connect() {
        requireExactlyOne();
        QemuDisplay.Builder b = QemuDisplay.builder().timeout(Duration.ofMillis(connectTimeoutMs()));
        return (address != null ? b.address(address) : b.qmp(Path.of(qmp))).connect();
    }
}
