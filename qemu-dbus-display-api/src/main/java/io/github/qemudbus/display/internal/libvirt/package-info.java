/**
 * Internal, not API: finds a libvirt domain's D-Bus display through libvirt's own C library
 * ({@code libvirt.so.0}), bound with jnr-ffi. Not exported; {@code QemuDisplay.Builder.libvirt}
 * is the public face.
 */
package io.github.qemudbus.display.internal.libvirt;
