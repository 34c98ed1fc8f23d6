package io.github.qemudbus.display.internal.libvirt;

/**
 * Internal, not API. Where a running libvirt domain's D-Bus display is, read from its live XML.
 *
 * @param domain the domain's name
 * @param uri the libvirt connection URI it was found through
 * @param graphicsIndex the index of its {@code <graphics type='dbus'>} among all its
 *     {@code <graphics>} elements (what {@code virDomainOpenGraphics} takes)
 * @param address the bus address ({@code unix:path=...}), or null when {@code p2p='yes'}
 * @param p2p whether the display is peer-to-peer: clients get a socket through libvirt
 */
public record DomainDisplay(String domain, String uri, int graphicsIndex, String address, boolean p2p) {
}
