package io.github.qemudbus.examples;

import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.webrtc.VmLocator;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options that name the VM, shared by every command: {@code --address ADDR}, {@code --qmp PATH}
 * or {@code --libvirt NAME [--libvirt-uri URI]}.
 */
final class ConnectOptions {
    @Option(names = "--address", paramLabel = "ADDR",
            description = "D-Bus address of the bus QEMU's display is on (-display dbus,addr=...), "
                    + "e.g. unix:path=/run/vm1/bus")
    String address;

    @Option(names = "--qmp", paramLabel = "PATH",
            description = "QEMU's QMP socket, for a peer-to-peer display (-display dbus,p2p=on)")
    String qmp;

    @Option(names = "--libvirt", paramLabel = "NAME",
            description = "A libvirt domain with <graphics type='dbus'/>, by name: libvirt says where its display is")
    String libvirt;

    @Option(names = "--libvirt-uri", paramLabel = "URI",
            description = "The libvirt connection URI for --libvirt and --vm NAME=libvirt:DOMAIN "
                    + "(default: qemu:///system)")
    String libvirtUri;

    @Option(names = "--connect-timeout-ms", paramLabel = "MS",
            description = "How long to wait for QEMU to answer (default: 10000)")
    String connectTimeoutMs;

    /** Whether --address, --qmp or --libvirt was given. */
    boolean named() {
        return address != null || qmp != null || libvirt != null;
    }

    /** Fails unless exactly one of --address, --qmp and --libvirt was given. */
    void requireExactlyOne() {
        requireExactlyOne(false);
    }

    /**
     * Fails unless exactly one of --address, --qmp and --libvirt was given.
     *
     * @param uriServesOthers whether --libvirt-uri may come without --libvirt (the bridge's libvirt: VMs use it)
     */
    void requireExactlyOne(boolean uriServesOthers) {
        if (libvirtUri != null && libvirt == null && !uriServesOthers) {
            throw new UsageException("--libvirt-uri goes with --libvirt NAME");
        }
        int given = (address != null ? 1 : 0) + (qmp != null ? 1 : 0) + (libvirt != null ? 1 : 0);
        if (given != 1) {
            throw new UsageException("give exactly one of --address ADDR, --qmp PATH or --libvirt NAME");
        }
        if (libvirt != null && libvirt.isBlank()) {
            throw new UsageException("--libvirt needs a domain name");
        }
    }

    /** --libvirt-uri, or qemu:///system. */
    String libvirtUri() {
        if (libvirtUri != null && libvirtUri.isBlank()) {
            throw new UsageException("--libvirt-uri must not be empty");
        }
        return libvirtUri != null ? libvirtUri : "qemu:///system";
    }

    /** A builder for the VM named by --address, --qmp or --libvirt (one of them is required). */
    QemuDisplay.Builder builder() {
        requireExactlyOne(true);
        QemuDisplay.Builder b = QemuDisplay.builder().timeout(Duration.ofMillis(connectTimeoutMs()));
        if (libvirt != null) {
            return b.libvirt(libvirt, libvirtUri());
        }
        return address != null ? b.address(address) : b.qmp(Path.of(qmp));
    }

    int connectTimeoutMs() {
        return Numbers.integer("connect-timeout-ms", connectTimeoutMs, 10000);
    }

    /** Where the VM named by --address, --qmp or --libvirt is, for a bridge that follows it across restarts. */
    VmLocator locator() {
        requireExactlyOne(true);
        if (libvirt != null) {
            return VmLocator.libvirt(libvirt, libvirtUri());
        }
        return address != null ? VmLocator.bus(address) : VmLocator.qmp(Path.of(qmp));
    }

    /** Opens the display named by --address, --qmp or --libvirt (one of them is required). */
    QemuDisplay connect() {
        requireExactlyOne();
        return builder().connect();
    }
}
