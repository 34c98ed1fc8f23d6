package io.github.qemudbus.display.frame;

/**
 * A rectangle in console pixels.
 *
 * @param x left edge
 * @param y top edge
 * @param width width, 0 or more
 * @param height height, 0 or more
 */
public record Rect(int x, int y, int width, int height) {
    /**
     * Validates the value.
     *
     * @param x left
     * @param y top
     * @param width width
     * @param height height
     */
    public Rect {
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("negative size " + width + "x" + height);
        }
    }

    /**
     * Whether the rectangle covers no pixel.
     *
     * @return true when empty
     */
    public boolean isEmpty() {
        return width == 0 || height == 0;
    }

    /**
     * The smallest rectangle holding both.
     *
     * @param o the other rectangle
     * @return the union's bounding box
     */
    public Rect union(Rect o) {
        if (isEmpty()) {
            return o;
        }
        if (o.isEmpty()) {
            return this;
        }
        int x0 = Math.min(x, o.x);
        int y0 = Math.min(y, o.y);
        long x1 = Math.max((long) x + width, (long) o.x + o.width);
        long y1 = Math.max((long) y + height, (long) o.y + o.height);
        return new Rect(x0, y0, (int) Math.min(Integer.MAX_VALUE, x1 - x0), (int) Math.min(Integer.MAX_VALUE, y1 - y0));
    }

    /**
     * The part of this rectangle inside {@code 0,0,w,h}.
     *
     * @param w bounds width
     * @param h bounds height
     * @return the clipped rectangle, possibly empty
     */
    public Rect clip(int w, int h) {
        long x0 = Math.max(0, x);
        long y0 = Math.max(0, y);
        long x1 = Math.min(w, (long) x + width);
        long y1 = Math.min(h, (long) y + height);
        if (x1 <= x0 || y1 <= y0) {
            return new Rect(0, 0, 0, 0);
        }
        return new Rect((int) x0, (int) y0, (int) (x1 - x0), (int) (y1 - y0));
    }
}
