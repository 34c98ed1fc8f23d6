package io.github.qemudbus.display.frame;

/**
 * The guest cursor: shape (from {@code CursorDefine}) and position/visibility (from {@code MouseSet}).
 *
 * @param width shape width (0 when no shape was defined)
 * @param height shape height
 * @param hotX hot spot x
 * @param hotY hot spot y
 * @param argb shape pixels as 0xAARRGGBB, row-major; a private copy
 * @param x pointer x in console pixels
 * @param y pointer y in console pixels
 * @param visible whether the guest shows the cursor
 * @param serial increases on every change
 */
public record CursorState(int width, int height, int hotX, int hotY, int[] argb, int x, int y, boolean visible,
        long serial) {
    /**
     * Copies the shape array so the value stays immutable.
     *
     * @param width width
     * @param height height
     * @param hotX hot x
     * @param hotY hot y
     * @param argb pixels
     * @param x x
     * @param y y
     * @param visible visible
     * @param serial serial
     */
    public CursorState {
        argb = argb.clone();
    }

    /**
     * The shape pixels (a copy).
     *
     * @return 0xAARRGGBB pixels
     */
    @Override
    public int[] argb() {
        return argb.clone();
    }
}
