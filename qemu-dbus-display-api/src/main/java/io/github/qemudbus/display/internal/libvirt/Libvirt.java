package io.github.qemudbus.display.internal.libvirt;

import io.github.qemudbus.display.LibvirtException;

/**
 * Internal, not API: the few questions the SDK asks libvirt, behind one seam so the rest of the
 * SDK never sees how libvirt is reached. Failures are {@link LibvirtException}s with a reason.
 */
public interface Libvirt {
    /** The URI used when none is given. */
    String DEFAULT_URI = "qemu:///system";

    /**
     * Looks the running domain up and reads where its D-Bus display is (a read-only connection
     * is enough).
     *
     * @param uri the libvirt connection URI
     * @param domain the domain's name
     * @return where its display is
     * @throws LibvirtException no such domain, not running, no D-Bus graphics, libvirt unreachable,
     *     permission denied
     */
    DomainDisplay locate(String uri, String domain);

    /**
     * Hands QEMU one end of a socket as a new peer-to-peer D-Bus display client
     * ({@code virDomainOpenGraphics}; needs a read-write connection). The caller keeps and closes
     * its own {@code fd}; QEMU gets a duplicate.
     *
     * @param display a peer-to-peer display found by {@link #locate}
     * @param fd a connected unix socket
     * @throws LibvirtException when libvirt refuses
     */
    void openGraphics(DomainDisplay display, int fd);

    /**
     * libvirt reached through its C library.
     *
     * @return the shared instance
     * @throws LibvirtException ({@code NO_CLIENT_LIBRARY}) when libvirt.so.0 cannot be loaded
     */
    static Libvirt system() {
        return NativeLibvirt.get();
    }
}
