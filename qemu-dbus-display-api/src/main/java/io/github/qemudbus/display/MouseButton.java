package io.github.qemudbus.display;

/**
 * Mouse buttons as {@code org.qemu.Display1.Mouse} numbers them. An enum on purpose: QEMU
 * 10.0 aborts the whole VM on a button number of 10 or more, so raw numbers never leave the SDK.
 */
public enum MouseButton {
    /** Left button (0). */
    LEFT,
    /** Middle button (1). */
    MIDDLE,
    /** Right button (2). */
    RIGHT,
    /** Wheel up (3): press and release for one notch. */
    WHEEL_UP,
    /** Wheel down (4). */
    WHEEL_DOWN,
    /** Side / back button (5). */
    SIDE,
    /** Extra / forward button (6). */
    EXTRA;

    /**
     * QEMU's number for this button.
     *
     * @return 0 to 6
     */
    public int qemuValue() {
        return ordinal();
    }
}
