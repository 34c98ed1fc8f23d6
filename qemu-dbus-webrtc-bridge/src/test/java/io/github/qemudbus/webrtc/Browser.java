package io.github.qemudbus.webrtc;

import io.github.qemudbus.testkit.Chromium;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Debian Chromium through Selenium, with a fresh profile, started as every browser test
 * starts it: {@link Chromium} (the testkit) has the command line, which keeps what users have
 * (no permissions granted, host addresses behind mDNS names). A test about the microphone or
 * the clipboard grants that permission itself ({@link #grantMicrophone}, {@link #openWithClipboard}).
 */
final class Browser implements AutoCloseable {
    static final String CHROMIUM = Chromium.binary();
    static final String CHROMEDRIVER = Chromium.driver();

    final ChromeDriver driver;
    private final Path profile;
    private final AutoCloseable peer;

    /** Chromium on this host (this network namespace). */
    Browser(String... extraFlags) throws IOException {
        this(null, Map.of(), extraFlags);
    }

    /** Chromium on this host whose processes get these environment variables too (e.g. a HOME with an NSS db of test CAs). */
    Browser(Map<String, String> environment, String... extraFlags) throws IOException {
        this(null, environment, extraFlags);
    }

    /**
     * Chromium in another host: {@code elsewhere} is a network namespace joined to this one
     * (see {@link LanPair}); chromedriver runs there too and is reached through a forwarder.
     */
    Browser(LanPair elsewhere, String... extraFlags) throws IOException {
        this(elsewhere, Map.of(), extraFlags);
    }

    private Browser(LanPair elsewhere, Map<String, String> environment, String... extraFlags) throws IOException {
        profile = Files.createTempDirectory("qemu-webrtc-chromium");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments(Chromium.arguments(profile, elsewhere == null && Chromium.loopbackOnly(), extraFlags));
        ChromeDriverService service;
        if (elsewhere == null) {
            peer = null;
            service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                    .usingAnyFreePort().withEnvironment(environment).build();
        } else {
            LanPair.Driver d = elsewhere.driver(CHROMEDRIVER);
            peer = d;
            service = new ChromeDriverService.Builder().usingDriverExecutable(d.executable().toFile())
                    .usingPort(d.port()).withAllowedListIps(elsewhere.hereAddress()).build();
        }
        driver = new ChromeDriver(service, o);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    }

    static boolean available() {
        return Chromium.available();
    }

    /** Grants the page's origin the microphone, as a user answering the page's prompt would. */
    void grantMicrophone(java.net.URI url) {
        driver.executeCdpCommand("Browser.grantPermissions",
                Map.of("origin", url.getScheme() + "://" + url.getRawAuthority(), "permissions", List.of("audioCapture")));
    }

    /** Opens a page of the bridge, with no permission granted. */
    void open(java.net.URI url) {
        driver.get(url.toString());
    }

    /** Opens a page after granting its origin the clipboard (what the page's clipboard buttons ask for). */
    void openWithClipboard(java.net.URI url) {
        driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", url.getScheme() + "://" + url.getRawAuthority(),
                "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
        driver.get(url.toString());
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    Object asyncJs(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    byte[] screenshot() {
        return ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> state() {
        return (Map<String, Object>) js("return JSON.parse(JSON.stringify(window.qemuConsole || {}))");
    }

    /** Average colour [r, g, b] of the page's video, grabbed through a canvas; null before a picture. */
    @SuppressWarnings("unchecked")
    List<Number> videoAverage() {
        return (List<Number>) js("const v = document.getElementById('video');"
                + "if (!v || v.readyState < 2 || !v.videoWidth) return null;"
                + "const c = document.createElement('canvas'); c.width = 64; c.height = 48;"
                + "const g = c.getContext('2d'); g.drawImage(v, 0, 0, 64, 48);"
                + "const d = g.getImageData(0, 0, 64, 48).data; let r = 0, gr = 0, b = 0;"
                + "for (let i = 0; i < d.length; i += 4) { r += d[i]; gr += d[i + 1]; b += d[i + 2]; }"
                + "const n = d.length / 4; return [r / n, gr / n, b / n];");
    }

    /** Mean colour of each cell of a cols x rows grid over the page's video, row by row: [[r,g,b]...]. */
    @SuppressWarnings("unchecked")
    List<List<Number>> videoGrid(int cols, int rows) {
        return (List<List<Number>>) js("const [cols, rows] = [arguments[0], arguments[1]];"
                + "const v = document.getElementById('video');"
                + "if (!v || v.readyState < 2 || !v.videoWidth) return null;"
                + "const w = cols * 16, h = rows * 16;"
                + "const c = document.createElement('canvas'); c.width = w; c.height = h;"
                + "const g = c.getContext('2d'); g.drawImage(v, 0, 0, w, h);"
                + "const d = g.getImageData(0, 0, w, h).data; const out = [];"
                + "for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) {"
                + "  let s = [0, 0, 0];"
                + "  for (let y = r * 16; y < r * 16 + 16; y++) for (let x = k * 16; x < k * 16 + 16; x++) {"
                + "    const i = (y * w + x) * 4; s[0] += d[i]; s[1] += d[i + 1]; s[2] += d[i + 2]; }"
                + "  out.push(s.map((t) => t / 256)); }"
                + "return out;", cols, rows);
    }

    static <T> T await(String what, Duration timeout, Supplier<T> probe) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (System.nanoTime() < end) {
            last = probe.get();
            if (last != null && !Boolean.FALSE.equals(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + " (last: " + last + ")");
    }

    /** Leaves the page as closing its tab would (pagehide runs), without ending the browser. */
    void leavePage() {
        try {
            driver.get("about:blank");
        } catch (RuntimeException e) {
            // the browser is gone already
        }
    }

    @Override
    public void close() {
        leavePage();
        try {
            driver.quit();
        } finally {
            if (peer != null) {
                try {
                    peer.close();
                } catch (Exception e) {
                    // best effort
                }
            }
            try (Stream<Path> s = Files.walk(profile)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
