package io.github.qemudbus.display.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * Internal, not API: may change without notice. Public only because jnr-ffi generates its
 * implementation in another class loader; the module exports this package to the SDK's frame
 * module only.
 *
 * <p>The few libc calls the socket layer needs. Kept here rather than in jnr-posix because
 * recvmsg/sendmsg with SCM_RIGHTS over our own buffers must not allocate per message.
 */
public interface LibC {
    int AF_UNIX = 1;
    int SOCK_STREAM = 1;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SCM_RIGHTS = 1;
    int MSG_CMSG_CLOEXEC = 0x40000000;
    int MSG_NOSIGNAL = 0x4000;
    int MSG_CTRUNC = 0x8;
    int EINTR = 4;
    int EAGAIN = 11;
    int F_GETFD = 1;
    int SO_RCVTIMEO = 20;

    @SaveError int socketpair(int domain, int type, int protocol, @Out int[] sv);
    @SaveError int socket(int domain, int type, int protocol);
    @SaveError int connect(int fd, Pointer addr, int len);
    @SaveError int bind(int fd, Pointer addr, int len);
    @SaveError int listen(int fd, int backlog);
    @SaveError int accept4(int fd, Pointer addr, Pointer len, int flags);
    @SaveError long recvmsg(int fd, Pointer msg, int flags);
    @SaveError long sendmsg(int fd, Pointer msg, int flags);
    @SaveError long send(int fd, Pointer buf, long len, int flags);
    @SaveError int close(int fd);
    @SaveError int dup(int fd);
    @SaveError int fcntl(int fd, int cmd, int arg);
    @SaveError int shutdown(int fd, int how);
    @SaveError int setsockopt(int fd, int level, int name, Pointer value, int len);
    @SaveError int memfd_create(String name, int flags);
    @SaveError int ftruncate(int fd, long length);
    @SaveError int fstat(int fd, Pointer statbuf);
    int getuid();
    String strerror(int errnum);

    /**
     * The loaded library and errno helpers; loading is lazy so merely touching the SDK never
     * needs libc.
     */
    final class Holder {
        /** jnr-ffi's switch between generated (ASM) and reflection-based bindings. */
        static final String ASM_PROPERTY = "jnr.ffi.asm.enabled";
        /** The library. */
        public static final LibC LIBC = load();
        /** Its jnr runtime. */
        public static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

        private Holder() {
        }

        private static LibC load() {
            if (LibC.class.getModule().isNamed() && System.getProperty(ASM_PROPERTY) == null) {
                // On the module path this package is exported to the frame module only, but
                // jnr-ffi defines its generated implementation in a class loader of its own, in
                // that loader's unnamed module, which could not see this interface. Its
                // reflection-based bindings (a JDK proxy, which the JDK grants access) can. The
                // switch is JVM-wide and read once, when jnr-ffi first loads a library; on the
                // class path nothing changes.
                System.setProperty(ASM_PROPERTY, "false");
            }
            try {
                return LibraryLoader.create(LibC.class).load("c");
            } catch (RuntimeException | IllegalAccessError e) {
                if (!LibC.class.getModule().isNamed()) {
                    throw e;
                }
                throw new IllegalStateException("cannot bind libc on the module path (if another library loaded"
                        + " jnr-ffi first, run with -D" + ASM_PROPERTY + "=false): " + e, e);
            }
        }

        /** @return errno of the last call on this thread */
        public static int errno() {
            return RUNTIME.getLastError();
        }

        /** @return errno of the last call, in words */
        public static String lastError() {
            int e = errno();
            return LIBC.strerror(e) + " (errno " + e + ")";
        }
    }
}
