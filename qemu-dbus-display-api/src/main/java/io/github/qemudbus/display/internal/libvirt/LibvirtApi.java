package io.github.qemudbus.display.internal.libvirt;

import jnr.ffi.Pointer;

/**
 * Internal, not API: may change without notice. Public only because jnr-ffi generates its
 * implementation in another class loader.
 *
 * <p>The handful of functions of libvirt's public, stable C API ({@code libvirt.so.0}) the SDK
 * calls; each is documented in libvirt's API reference. Pointers are opaque handles.
 */
public interface LibvirtApi {
    int virInitialize();

    void virSetErrorFunc(Pointer userData, Pointer handler);

    Pointer virConnectOpen(String uri);

    Pointer virConnectOpenReadOnly(String uri);

    int virConnectClose(Pointer conn);

    Pointer virDomainLookupByName(Pointer conn, String name);

    int virDomainIsActive(Pointer domain);

    /** Returns a string the caller frees with {@link #free}. */
    Pointer virDomainGetXMLDesc(Pointer domain, int flags);

    int virDomainOpenGraphics(Pointer domain, int idx, int fd, int flags);

    int virDomainFree(Pointer domain);

    int virGetLastErrorCode();

    String virGetLastErrorMessage();

    void virResetLastError();

    /** libc's free(3), found through libvirt's own dependencies. */
    void free(Pointer p);
}
