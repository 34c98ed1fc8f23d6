package io.github.qemudbus.webrtc;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Janus (the Debian package's {@code /usr/bin/janus}) for tests, on loopback only, with a
 * configuration written here: only the VideoRoom plugin and the HTTP transport (plugin and
 * transport folders of their own holding just those two), the HTTP API on 127.0.0.1 at a free
 * port, CORS restricted to the test page's origin, ICE restricted to {@code lo} with mDNS
 * ignored and no STUN/TURN.
 *
 * <p>Janus skips interfaces flagged {@code IFF_LOOPBACK} when it gathers ICE candidates (even
 * with {@code ice_enforce_list = "lo"}), and then refuses every offer ("Error gathering
 * candidates") in a namespace that has only {@code lo}. So Janus runs with a small
 * {@code LD_PRELOAD} shim, compiled here with gcc, that clears that flag in what
 * {@code getifaddrs()} returns: Janus then gathers a plain {@code 127.0.0.1} host candidate.
 * Nothing else of Janus is changed; its traffic stays on {@code lo}.
 */
final class JanusServer implements AutoCloseable {
    static final String BINARY = System.getProperty("janus.binary", "/usr/bin/janus");
    static final String LIBDIR = System.getProperty("janus.libdir", "/usr/lib/x86_64-linux-gnu/janus");
    private static final String SHIM = """
            #define _GNU_SOURCE
            #include <dlfcn.h>
            #include <ifaddrs.h>
            #include <net/if.h>
            /* Janus ignores loopback interfaces for ICE: present lo as an ordinary interface. */
            int getifaddrs(struct ifaddrs **ifap) {
                static int (*real)(struct ifaddrs **);
                if (!real) real = (int (*)(struct ifaddrs **)) dlsym(RTLD_NEXT, "getifaddrs");
                int r = real(ifap);
                if (r == 0)
                    for (struct ifaddrs *i = *ifap; i; i = i->ifa_next)
                        i->ifa_flags &= ~IFF_LOOPBACK;
                return r;
            }
            """;

    /**
     * Serves the subscriber page ({@code janus-subscriber.html}, at any path) on 127.0.0.1 at a
     * free port: a page of its own origin, as a real SFU viewer would be; stop it when done.
     */
    static HttpServer subscriberPages() throws IOException {
        HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        pages.createContext("/", ex -> {
            try (ex; InputStream in = JanusServer.class.getResourceAsStream("janus-subscriber.html")) {
                byte[] page = in.readAllBytes();
                ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                ex.sendResponseHeaders(200, page.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(page);
                }
            }
        });
        pages.start();
        return pages;
    }

    final Path dir;
    final int port;
    private final Path shim;
    private Process process;
    private int starts;
    // the subscriber page's STUN server: a page without media permission on a loopback-only host
    // has no usable candidate without one (see StunResponder), and Janus names none to it
    private final StunResponder stun = StunResponder.start(InetAddress.getLoopbackAddress(), 0);

    /**
     * Writes the configuration and starts Janus.
     *
     * @param corsOrigin the only web origin allowed to call the API from a page
     */
    JanusServer(String corsOrigin) throws IOException, InterruptedException {
        dir = Files.createTempDirectory("qemu-janus");
        port = freeTcpPort();
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path transports = Files.createDirectories(dir.resolve("transports"));
        Path none = Files.createDirectories(dir.resolve("none"));
        Files.createSymbolicLink(plugins.resolve("libjanus_videoroom.so"), Path.of(LIBDIR, "plugins", "libjanus_videoroom.so"));
        Files.createSymbolicLink(transports.resolve("libjanus_http.so"), Path.of(LIBDIR, "transports", "libjanus_http.so"));
        Files.writeString(conf.resolve("janus.jcfg"), """
                general: {
                    configs_folder = "%1$s"
                    plugins_folder = "%2$s"
                    transports_folder = "%3$s"
                    events_folder = "%4$s"
                    loggers_folder = "%4$s"
                    debug_level = 4
                    session_timeout = 60
                    server_name = "qemu-dbus-test"
                }
                certificates: {
                }
                media: {
                    ipv6 = false
                }
                nat: {
                    nice_debug = false
                    ice_enforce_list = "lo"
                    ignore_mdns = true
                    full_trickle = false
                }
                plugins: {
                }
                transports: {
                }
                events: {
                    broadcast = false
                }
                loggers: {
                }
                """.formatted(conf, plugins, transports, none));
        Files.writeString(conf.resolve("janus.transport.http.jcfg"), """
                general: {
                    json = "compact"
                    base_path = "/janus"
                    http = true
                    port = %d
                    ip = "127.0.0.1"
                    https = false
                }
                admin: {
                    admin_http = false
                }
                cors: {
                    allow_origin = "%s"
                }
                """.formatted(port, corsOrigin));
        Files.writeString(conf.resolve("janus.plugin.videoroom.jcfg"), "general: {\n}\n");
        Path src = dir.resolve("lo-shim.c");
        Files.writeString(src, SHIM);
        shim = dir.resolve("lo-shim.so");
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-o", shim.toString(), src.toString(), "-ldl")
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (gcc.waitFor() != 0) {
            throw new IllegalStateException("cannot compile the loopback shim: " + out);
        }
        start();
    }

    static boolean available() {
        return new File(BINARY).canExecute() && Files.exists(Path.of(LIBDIR, "plugins", "libjanus_videoroom.so"));
    }

    /** The HTTP API root, {@code http://127.0.0.1:<port>/janus}. */
    URI api() {
        return URI.create("http://127.0.0.1:" + port + "/janus");
    }

    /** The STUN server the subscriber page should name, {@code 127.0.0.1:<port>}. */
    String stun() {
        return "127.0.0.1:" + stun.port();
    }

    /** Starts (or starts again, on the same port) and waits until the API answers. */
    void start() throws IOException, InterruptedException {
        Path conf = dir.resolve("conf");
        ProcessBuilder pb = new ProcessBuilder(BINARY, "-C", conf.resolve("janus.jcfg").toString(), "-F", conf.toString(),
                "-P", dir.resolve("plugins").toString(), "-o");
        pb.environment().put("LD_PRELOAD", shim.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("janus.log").toFile()));
        process = pb.start();
        starts++;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("janus exited (" + process.exitValue() + "):\n" + log());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api() + "/info"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("janus.plugin.videoroom")) {
                    return;
                }
            } catch (IOException e) {
                // not yet listening
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("janus did not answer on " + api() + ":\n" + log());
    }

    long pid() {
        return process.pid();
    }

    int starts() {
        return starts;
    }

    /** Kills Janus at once (SIGKILL), as a crash would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    String log() {
        try {
            return Files.readString(dir.resolve("janus.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        stun.close();
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
