package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.UnixFd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/** memfds, pipes and mapping counts for tests that play the peer themselves. */
final class TestFds {
    /** libc as the tests need it. */
    public interface C {
        int memfd_create(String name, int flags);

        int ftruncate(int fd, long length);

        long pwrite(int fd, @In byte[] buf, long count, long offset);

        int pipe(@Out int[] fds);
    }

    private static final C C = LibraryLoader.create(C.class).load("c");

    private TestFds() {
    }

    /** A memfd holding {@code content}, grown to {@code size} bytes. */
    static UnixFd memfd(String name, byte[] content, long size) {
        int fd = C.memfd_create(name, 1 /* MFD_CLOEXEC */);
        if (fd < 0) {
            throw new IllegalStateException("memfd_create failed");
        }
        if (C.ftruncate(fd, size) != 0) {
            throw new IllegalStateException("ftruncate failed");
        }
        if (content.length > 0 && C.pwrite(fd, content, Math.min(content.length, size), 0) < 0) {
            throw new IllegalStateException("pwrite failed");
        }
        return UnixFd.adopt(fd);
    }

    static void truncate(UnixFd fd, long size) {
        if (C.ftruncate(fd.value(), size) != 0) {
            throw new IllegalStateException("ftruncate failed");
        }
    }

    /** Both ends of a pipe. */
    static UnixFd[] pipe() {
        int[] p = new int[2];
        if (C.pipe(p) != 0) {
            throw new IllegalStateException("pipe failed");
        }
        return new UnixFd[] {UnixFd.adopt(p[0]), UnixFd.adopt(p[1])};
    }

    /** Lines of /proc/self/maps that map a memfd. */
    static long memfdMappings() {
        try (Stream<String> s = Files.lines(Path.of("/proc/self/maps"))) {
            return s.filter(l -> l.contains("/memfd:")).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a live thread has this name. */
    static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
