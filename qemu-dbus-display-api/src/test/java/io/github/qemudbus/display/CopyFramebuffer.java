package io.github.qemudbus.display;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A test-only framebuffer assembled from Scanout/Update (the copy path), recording which
 * calls arrived. Grows when QEMU sends updates beyond the last scanout (it does after a
 * guest mode switch).
 */
final class CopyFramebuffer implements ConsoleListener {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private int width;
    private int height;
    private int[] argb = new int[0];
    private volatile long updates;

    @Override
    public synchronized void scanout(int w, int h, int stride, int fmt, ByteBuffer data) {
        calls.add("Scanout");
        width = w;
        height = h;
        argb = new int[w * h];
        blit(0, 0, w, h, stride, fmt, data);
        updates++;
    }

    @Override
    public synchronized void update(int x, int y, int w, int h, int stride, int fmt, ByteBuffer data) {
        calls.add("Update");
        if (x + w > width || y + h > height) {
            int nw = Math.max(width, x + w);
            int nh = Math.max(height, y + h);
            int[] n = new int[nw * nh];
            for (int r = 0; r < height; r++) {
                System.arraycopy(argb, r * width, n, r * nw, width);
            }
            argb = n;
            width = nw;
            height = nh;
        }
        blit(x, y, w, h, stride, fmt, data);
        updates++;
    }

    @Override
    public void scanoutMap(UnixFd memfd, long offset, int w, int h, int stride, int fmt) {
        calls.add("ScanoutMap");
        throw new UnsupportedOperationException("this test listener only copies");
    }

    @Override
    public void updateMap(int x, int y, int w, int h) {
        calls.add("UpdateMap");
    }

    private void blit(int x, int y, int w, int h, int stride, int fmt, ByteBuffer data) {
        PixelFormat pf = PixelFormat.fromPixman(fmt).orElseThrow(() -> new IllegalArgumentException("format " + fmt));
        int base = data.position();
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                argb[(y + r) * width + x + c] = pf.argbAt(data, base + r * stride + c * pf.bytesPerPixel()) | 0xff000000;
            }
        }
    }

    long updates() {
        return updates;
    }

    synchronized BufferedImage image() {
        BufferedImage img = new BufferedImage(Math.max(1, width), Math.max(1, height), BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, width, height, argb, 0, width);
        return img;
    }
}
