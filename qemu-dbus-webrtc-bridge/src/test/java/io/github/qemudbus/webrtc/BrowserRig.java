package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.testkit.QemuFixture;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What the browser tests set up the same way, step by step in their {@code @BeforeAll}: a test
 * VM, its display, a bridge on 127.0.0.1 (over that display, or over whatever backends the test
 * gives) and one headless Chromium. Each step keeps what it started, so that {@link #close()}
 * in {@code @AfterAll} ends whatever came up (browser, bridge, display, VM: the reverse order)
 * even when a later step failed.
 */
final class BrowserRig implements AutoCloseable {
    private QemuFixture qemu;
    private QemuDisplay display;
    private WebRtcBridge bridge;
    private Browser browser;

    /** Starts the test VM. */
    QemuFixture qemu(QemuFixture.Builder vm) throws Exception {
        qemu = vm.start();
        return qemu;
    }

    /** Connects to the VM's display, with the test's own options on top. */
    QemuDisplay display(UnaryOperator<QemuDisplay.Builder> options) throws Exception {
        display = options.apply(QemuDisplay.builder().address(qemu.dbusAddress())).connect();
        return display;
    }

    /** Starts a bridge listening on 127.0.0.1 (any port), over the display if there is one. */
    WebRtcBridge bridge(UnaryOperator<WebRtcBridge.Builder> options) {
        WebRtcBridge.Builder b = WebRtcBridge.builder();
        if (display != null) {
            b.display(display);
        }
        bridge = options.apply(b.listen(new InetSocketAddress("127.0.0.1", 0))).build().start();
        return bridge;
    }

    /** Starts Chromium (seconds: one browser for a whole test class). */
    Browser browser() throws IOException {
        browser = new Browser();
        return browser;
    }

    /** Leaves the browser's page and waits until the bridge has no viewer: each test starts from none. */
    void noViewers(Duration wait) throws InterruptedException {
        browser.leavePage();
        Browser.await("no viewers left from the previous test", wait, () -> bridge.viewerCount() == 0);
    }

    /** Waits until a page of the bridge is connected and has had the bridge's hello. */
    static void awaitConnected(Browser br, Duration wait) throws InterruptedException {
        Browser.await("the page to connect", wait,
                () -> "connected".equals(br.state().get("phase")) && br.state().get("hello") != null);
    }

    /**
     * Mean RGB of each cell of a {@code cols} x {@code rows} grid over an image (every second
     * pixel each way), row by row: the same grid as {@link Browser#videoGrid}.
     */
    static List<double[]> cellMeans(BufferedImage img, int cols, int rows) {
        List<double[]> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double[] s = new double[3];
                int x0 = c * img.getWidth() / cols;
                int x1 = (c + 1) * img.getWidth() / cols;
                int y0 = r * img.getHeight() / rows;
                int y1 = (r + 1) * img.getHeight() / rows;
                long n = 0;
                for (int y = y0; y < y1; y += 2) {
                    for (int x = x0; x < x1; x += 2) {
                        int p = img.getRGB(x, y);
                        s[0] += (p >> 16) & 0xff;
                        s[1] += (p >> 8) & 0xff;
                        s[2] += p & 0xff;
                        n++;
                    }
                }
                for (int i = 0; i < 3; i++) {
                    s[i] /= n;
                }
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (browser != null) {
            browser.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        if (display != null) {
            display.close();
        }
        if (qemu != null) {
            qemu.close();
        }
    }
}
