package io.github.qemudbus.display.internal.libvirt;

import com.kenai.jffi.Library;
import io.github.qemudbus.display.LibvirtException;
import io.github.qemudbus.display.LibvirtException.Reason;
import java.nio.charset.StandardCharsets;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal, not API: {@link Libvirt} through libvirt's C library, the same one {@code virsh} uses.
 * Each question opens its own connection and closes it again, so a restarted libvirtd or a
 * restarted domain is always asked afresh.
 */
final class NativeLibvirt implements Libvirt {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLibvirt.class);
    /** jnr-ffi's switch between generated (ASM) and reflection-based bindings (see LibC). */
    private static final String ASM_PROPERTY = "jnr.ffi.asm.enabled";
    private static final int MAX_XML = 1 << 24;
    private static NativeLibvirt instance;

    private final LibvirtApi api;

    private NativeLibvirt(LibvirtApi api) {
        this.api = api;
    }

    static synchronized NativeLibvirt get() {
        if (instance == null) {
            instance = new NativeLibvirt(load());
        }
        return instance;
    }

    private static LibvirtApi load() {
        if (LibvirtApi.class.getModule().isNamed() && System.getProperty(ASM_PROPERTY) == null) {
            System.setProperty(ASM_PROPERTY, "false"); // as LibC does: see there why
        }
        LibvirtApi api;
        try {
            api = LibraryLoader.create(LibvirtApi.class).failImmediately().load("libvirt.so.0");
        } catch (RuntimeException | LinkageError e) {
            throw new LibvirtException(Reason.NO_CLIENT_LIBRARY, null, "cannot load libvirt's client library"
                    + " libvirt.so.0 (Debian: apt-get install libvirt0, or libvirt-clients): " + e.getMessage(), e);
        }
        if (api.virInitialize() < 0) {
            throw new LibvirtException(Reason.FAILED, null, "virInitialize failed: " + api.virGetLastErrorMessage(),
                    null);
        }
        // Without a handler libvirt prints every error on stderr. The handler's signature is
        // void (void *userData, virErrorPtr err); libc's free, called as free(NULL, err), reads
        // only its first argument and frees nothing: a handler that does nothing, without a
        // callback into the JVM. Errors are read with virGetLastErrorCode/Message instead.
        long free = Library.getDefault().getSymbolAddress("free");
        if (free != 0) {
            api.virSetErrorFunc(null, Pointer.wrap(Runtime.getRuntime(api), free));
        } else {
            LOG.debug("libc free not found: libvirt will print its errors on stderr");
        }
        return api;
    }

    @Override
    public DomainDisplay locate(String uri, String domain) {
        Pointer conn = open(uri, domain, true);
        try {
            Pointer dom = lookup(conn, uri, domain);
            try {
                requireRunning(dom, uri, domain);
                Pointer xml = api.virDomainGetXMLDesc(dom, 0);
                if (xml == null) {
                    throw error(uri, domain, "reading the domain's XML");
                }
                String text;
                try {
                    text = xml.getString(0, MAX_XML, StandardCharsets.UTF_8);
                } finally {
                    api.free(xml);
                }
                return DomainXml.dbusGraphics(domain, uri, text);
            } finally {
                api.virDomainFree(dom);
            }
        } finally {
            api.virConnectClose(conn);
        }
    }

    @Override
    public void openGraphics(DomainDisplay display, int fd) {
        String uri = display.uri();
        String domain = display.domain();
        Pointer conn = open(uri, domain, false);
        try {
            Pointer dom = lookup(conn, uri, domain);
            try {
                requireRunning(dom, uri, domain);
                if (api.virDomainOpenGraphics(dom, display.graphicsIndex(), fd, 0) < 0) {
                    throw error(uri, domain, "handing QEMU a peer-to-peer D-Bus socket (virDomainOpenGraphics)");
                }
            } finally {
                api.virDomainFree(dom);
            }
        } finally {
            api.virConnectClose(conn);
        }
    }

    private Pointer open(String uri, String domain, boolean readOnly) {
        api.virResetLastError();
        Pointer conn = readOnly ? api.virConnectOpenReadOnly(uri) : api.virConnectOpen(uri);
        if (conn == null) {
            throw error(uri, domain, "connecting" + (readOnly ? " read-only" : ""));
        }
        return conn;
    }

    private Pointer lookup(Pointer conn, String uri, String domain) {
        Pointer dom = api.virDomainLookupByName(conn, domain);
        if (dom == null) {
            throw error(uri, domain, "looking the domain up");
        }
        return dom;
    }

    private void requireRunning(Pointer dom, String uri, String domain) {
        int active = api.virDomainIsActive(dom);
        if (active < 0) {
            throw error(uri, domain, "asking whether the domain runs");
        }
        if (active == 0) {
            throw new LibvirtException(Reason.NOT_RUNNING, domain, "libvirt domain '" + domain + "' (" + uri
                    + ") is not running (start it: virsh -c " + uri + " start " + domain + ")", null);
        }
    }

    private LibvirtException error(String uri, String domain, String doing) {
        int code = api.virGetLastErrorCode();
        String message = api.virGetLastErrorMessage();
        return LibvirtErrors.of(code, message, uri, domain, doing);
    }
}
