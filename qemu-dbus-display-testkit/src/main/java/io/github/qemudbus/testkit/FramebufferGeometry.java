package io.github.qemudbus.testkit;

/**
 * The guest's framebuffer ({@code /dev/fb0}) as the guest kernel sees it.
 *
 * @param width visible width in pixels
 * @param height visible height in pixels
 * @param stride bytes per line
 * @param bitsPerPixel bits per pixel (32: XRGB8888, little-endian)
 * @param driver the framebuffer's name, e.g. {@code bochs-drmdrmfb}, {@code virtio_gpudrmfb}
 *     or {@code VESA VGA}
 */
public record FramebufferGeometry(int width, int height, int stride, int bitsPerPixel, String driver) {}
