package io.github.qemudbus.display.frame;

import java.awt.image.BufferedImage;

/** The fake peer's pixel patterns (see fake-qemu-peer.c), computed in Java, plus a picture model. */
final class Patterns {
    private Patterns() {
    }

    static long splitmix64(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** ARGB of a pattern at absolute coordinates. */
    static int argb(String pattern, int x, int y) {
        if (pattern.equals("gradient")) {
            return 0xff000000 | (x & 255) << 16 | (y & 255) << 8 | (((x >> 8) & 15) | ((y >> 8) & 15) << 4);
        }
        if (pattern.startsWith("noise:")) {
            long seed = Long.parseLong(pattern.substring(6));
            return 0xff000000 | (int) (splitmix64(seed ^ ((long) y << 32 | (x & 0xffffffffL))) & 0xffffff);
        }
        if (pattern.startsWith("solid:")) {
            String hex = pattern.substring(6);
            long v = Long.parseLong(hex, 16);
            return hex.length() > 6 ? (int) v : 0xff000000 | (int) v;
        }
        throw new IllegalArgumentException(pattern);
    }

    /** An RGB picture the tests keep in step with what the peer shows. */
    static final class Model {
        int width;
        int height;
        int[] rgb;

        Model(int w, int h) {
            resize(w, h);
        }

        void resize(int w, int h) {
            int[] n = new int[w * h];
            for (int y = 0; y < Math.min(h, height); y++) {
                for (int x = 0; x < Math.min(w, width); x++) {
                    n[y * w + x] = rgb[y * width + x];
                }
            }
            width = w;
            height = h;
            rgb = n;
        }

        /** Paints {@code pattern} over a rectangle; pattern coordinates are offset by ox/oy. */
        void paint(int x0, int y0, int w, int h, String pattern, int ox, int oy) {
            for (int y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) {
                for (int x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) {
                    rgb[y * width + x] = argb(pattern, x + ox, y + oy) & 0xffffff;
                }
            }
        }

        BufferedImage image() {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            img.setRGB(0, 0, width, height, rgb, 0, width);
            return img;
        }
    }
}
