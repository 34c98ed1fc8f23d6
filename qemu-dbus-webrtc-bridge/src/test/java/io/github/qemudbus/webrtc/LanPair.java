package io.github.qemudbus.webrtc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * "Another host" for browser tests: a second network namespace joined to this one (the test
 * JVM's, which has only loopback) by a veth pair, with a private /30 used only between the
 * two: {@value #HERE} here, {@value #THERE} there. Chromium runs there, so the page reaches the
 * bridge as a browser on a LAN does. {@link #close()} removes the namespace and the pair.
 * Needs root (the tests run as root inside {@code ip netns exec}).
 */
final class LanPair implements AutoCloseable {
    static final String HERE = "10.213.13.1";
    static final String THERE = "10.213.13.2";
    private final String ns;
    private final String link;

    private LanPair(String ns, String link) {
        this.ns = ns;
        this.link = link;
    }

    /** Makes the namespace {@code qd-browsers-lan<pid>} and the veth pair, and brings both ends up. */
    static LanPair create() throws IOException, InterruptedException {
        long pid = ProcessHandle.current().pid();
        String ns = "qd-browsers-lan" + pid;
        String link = "qdb" + (pid % 100000);
        LanPair p = new LanPair(ns, link);
        try {
            run("ip", "netns", "add", ns);
            run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            run("ip", "link", "add", link + "a", "type", "veth", "peer", "name", link + "b", "netns", ns);
            run("ip", "addr", "add", HERE + "/30", "dev", link + "a");
            run("ip", "link", "set", link + "a", "up");
            run("ip", "netns", "exec", ns, "ip", "addr", "add", THERE + "/30", "dev", link + "b");
            run("ip", "netns", "exec", ns, "ip", "link", "set", link + "b", "up");
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    String hereAddress() {
        return HERE;
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
        }
    }

    /** Runs an ip(8) command, ignoring failure (cleanup). */
    private static void quietly(String... cmd) {
        try {
            new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor(20, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing to clean
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * chromedriver in the other namespace: a script that starts it there (Selenium passes the
     * port and the allowed address), and a forwarder from 127.0.0.1 here to it, since Selenium
     * talks to its driver on localhost.
     */
    Driver driver(String chromedriver) throws IOException {
        ServerSocket local = new ServerSocket();
        local.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = local.getLocalPort();
        Path script = Files.createTempFile("chromedriver-" + ns, ".sh",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(script, "#!/bin/sh\nexec ip netns exec " + ns + " " + chromedriver + " \"$@\"\n");
        Driver d = new Driver(script, port, local);
        Thread t = Threads.daemon(d::accept, "lan-forwarder");
        t.start();
        return d;
    }

    /** The driver's start script and the local port Selenium uses. */
    final class Driver implements AutoCloseable {
        private final Path script;
        private final int port;
        private final ServerSocket local;
        private final List<Socket> open = new ArrayList<>();

        Driver(Path script, int port, ServerSocket local) {
            this.script = script;
            this.port = port;
            this.local = local;
        }

        Path executable() {
            return script;
        }

        int port() {
            return port;
        }

        private void accept() {
            while (!local.isClosed()) {
                try {
                    Socket in = local.accept();
                    Socket out;
                    try {
                        out = new Socket(THERE, port);
                    } catch (IOException notYet) {
                        in.close(); // chromedriver is still starting: Selenium polls again
                        continue;
                    }
                    synchronized (open) {
                        open.add(in);
                        open.add(out);
                    }
                    Threads.daemon(() -> pump(in, out), "lan-fwd-up").start();
                    Threads.daemon(() -> pump(out, in), "lan-fwd-down").start();
                } catch (IOException e) {
                    if (local.isClosed()) {
                        return;
                    }
                }
            }
        }

        private static void pump(Socket from, Socket to) {
            try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                i.transferTo(o);
            } catch (IOException e) {
                // one side closed
            } finally {
                try {
                    to.shutdownOutput();
                } catch (IOException e) {
                    // closed already
                }
            }
        }

        @Override
        public void close() throws IOException {
            local.close();
            synchronized (open) {
                for (Socket s : open) {
                    s.close();
                }
            }
            Files.deleteIfExists(script);
        }
    }

    /** Removes the namespace (and with it the veth pair; this end is deleted too, to be sure). */
    @Override
    public void close() {
        quietly("ip", "link", "del", link + "a");
        quietly("ip", "netns", "del", ns);
    }
}
