package io.github.qemudbus.webrtc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** This JVM's open descriptors, live threads and memory mappings, from /proc/self. */
final class Resources {
    private Resources() {
    }

    /** {fds, threads, maps}. */
    static long[] sample() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")); Stream<Path> tasks = Files.list(Path.of("/proc/self/task"));
                Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return new long[] {fds.count(), tasks.count(), maps.count()};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
