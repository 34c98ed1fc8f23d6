package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.MouseButton;
import io.github.qemudbus.display.MultiTouch;

/**
 * Where a console's input goes: its keyboard, mouse, touch device and SetUIInfo. Called from
 * the console's {@link InputLane} only.
 */
interface ConsoleInput {

    void keyPress(int qnum);

    void keyRelease(int qnum);

    void mousePress(MouseButton button);

    void mouseRelease(MouseButton button);

    void mouseMoveTo(int x, int y);

    void mouseMoveBy(int dx, int dy);

    void touch(MultiTouch.Kind kind, int slot, double x, double y);

    /** SetUIInfo; throws an {@code UnsupportedException} where the device cannot follow. */
    void setUiInfo(int widthMm, int heightMm, int width, int height);
}
