package io.github.qemudbus.testkit;

import java.io.File;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How every browser test of this project starts Chromium: the one place for its binary, its
 * driver and its command line, so that all of them meet the page as users do.
 *
 * <p>What users have and the tests therefore keep: no granted permissions (a test about the
 * microphone or the clipboard grants those, as the page asks for them), and Chromium's
 * privacy defaults, among them host addresses hidden behind mDNS names
 * ({@code WebRtcHideLocalIpsWithMdns} stays on). What the command line adds is only what a
 * headless test run needs (no sandbox as root, no GPU, no first-run or background traffic, a
 * fixed window, autoplay) and one flag where the host has no interface but loopback:
 * {@code --allow-loopback-in-peer-connection}. Chromium never gathers WebRTC candidates on
 * loopback; on such a host it gathers nothing at all, not even with every permission granted
 * (checked with Chromium 14x in a loopback-only network namespace: ICE gathering stays
 * "gathering" for good), so no WebRTC page can work there without it.
 *
 * <p>The binary and driver are {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}
 * unless {@code -Dwebrtc.chromium} / {@code -Dwebrtc.chromedriver} name others.
 */
public final class Chromium {
    private Chromium() {
    }

    /**
     * The Chromium binary.
     *
     * @return its path
     */
    public static String binary() {
        return System.getProperty("webrtc.chromium", "/usr/bin/chromium");
    }

    /**
     * The chromedriver binary.
     *
     * @return its path
     */
    public static String driver() {
        return System.getProperty("webrtc.chromedriver", "/usr/bin/chromedriver");
    }

    /**
     * Whether both are there and executable.
     *
     * @return true when a browser test can start Chromium
     */
    public static boolean available() {
        return new File(binary()).canExecute() && new File(driver()).canExecute();
    }

    /**
     * Whether this process's network namespace has no interface up but loopback.
     *
     * @return true on a loopback-only host
     */
    public static boolean loopbackOnly() {
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (ni.isUp() && !ni.isLoopback()) {
                    return false;
                }
            }
            return true;
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list network interfaces", e);
        }
    }

    /**
     * Chromium's command line for a test, as users run it (see the class comment).
     *
     * @param profile a fresh profile directory
     * @param loopbackOnly whether the browser's host has only loopback (adds the one flag
     *     WebRTC needs there)
     * @param extra more flags (a fake microphone, for instance)
     * @return the arguments
     */
    public static List<String> arguments(Path profile, boolean loopbackOnly, String... extra) {
        List<String> a = new ArrayList<>(List.of("--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--autoplay-policy=no-user-gesture-required", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--user-data-dir=" + profile));
        if (loopbackOnly) {
            a.add("--allow-loopback-in-peer-connection");
        }
        a.addAll(List.of(extra));
        return a;
    }
}
