package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.MouseButton;
import io.github.qemudbus.display.MultiTouch;
import io.github.qemudbus.display.frame.CursorState;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.Rect;
import java.util.Optional;

/**
 * What the bridge needs from one console: its pixels and events, and somewhere to send input.
 * The real implementation wraps a {@code Console} and its {@code FrameSource}; tests use a
 * synthetic one so that signaling, the page and WebRTC can be tested without QEMU.
 */
interface ConsoleBackend extends AutoCloseable {

    /** Receives a console's events, on the backend's own thread; must not block. */
    interface Events {
        /** Pixels changed in {@code damage}; {@code newSurface}: size or format may have changed. */
        void damage(Rect damage, boolean newSurface);

        /** Cursor shape, position or visibility changed. */
        void cursor(CursorState cursor);

        /** The frame path changed. */
        void path(String path, String reason);

        /** The mouse switched between absolute and relative. */
        void absolute(boolean absolute);

        /** The guest turned the display off. */
        void disabled();

        /** The console stopped for good. */
        void closed(String reason);
    }

    /** The console id. */
    int id();

    /** A user-facing name ("VGA", "virtio-gpu 1"...). */
    String label();

    /** Starts delivering events; called once. */
    void start(Events events);

    /** A lease on the current surface, empty before the first one (or while disabled). */
    Optional<Frame> acquire();

    /** The active frame path's short name ("dmabuf", "map", "copy"), or "none". */
    String activePath();

    /** The current console size, as QEMU reports it (0 when unknown). */
    int width();

    /** The current console height (0 when unknown). */
    int height();

    /** Whether the mouse takes absolute positions right now. */
    boolean isAbsolute();

    /** How many touch slots the console has (a sane default when unknown). */
    int maxTouchSlots();

    void keyPress(int qnum);

    void keyRelease(int qnum);

    void mousePress(MouseButton button);

    void mouseRelease(MouseButton button);

    void mouseMoveTo(int x, int y);

    void mouseMoveBy(int dx, int dy);

    void touch(MultiTouch.Kind kind, int slot, double x, double y);

    /** SetUIInfo; throws an {@code UnsupportedException} where the device cannot follow. */
    void setUiInfo(int widthMm, int heightMm, int width, int height);

    /** Stops events and frees the frame source; never throws. */
    @Override
    void close();
}
