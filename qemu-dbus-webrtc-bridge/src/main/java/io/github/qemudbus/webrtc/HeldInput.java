package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.KeyCodes;
import io.github.qemudbus.display.KeyStroke;
import io.github.qemudbus.display.Keyboard;
import io.github.qemudbus.display.MouseButton;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyboard, mouse and touch messages applied to a console, remembering which keys and
 * buttons are down so they can all be released when their sender goes away. Shared by
 * direct viewers (data channel) and SFU viewers ({@code POST /input}). Not thread-safe:
 * callers use it from their console's input lane only.
 */
final class HeldInput {
    private static final Logger LOG = LoggerFactory.getLogger(HeldInput.class);

    /** What {@link #apply} did with a message. */
    enum Outcome {
        /** Sent to QEMU. */
        APPLIED,
        /** An absolute move while the guest's mouse is relative: not sent. */
        NOT_ABSOLUTE,
        /** Not a key, mouse or touch message: the caller handles it. */
        OTHER
    }

    private final Set<Integer> keys = new HashSet<>();
    private final EnumSet<MouseButton> buttons = EnumSet.noneOf(MouseButton.class);

    Outcome apply(Protocol.Inbound msg, ConsoleInput q, boolean absolute) {
        if (msg instanceof Protocol.Key k) {
            if (k.down()) {
                keys.add(k.qnum());
                q.keyPress(k.qnum());
            } else {
                keys.remove(k.qnum());
                q.keyRelease(k.qnum());
            }
        } else if (msg instanceof Protocol.Text t) {
            type(t, q);
        } else if (msg instanceof Protocol.Move m) {
            if (!absolute) {
                return Outcome.NOT_ABSOLUTE;
            }
            q.mouseMoveTo(m.x(), m.y());
        } else if (msg instanceof Protocol.Rel r) {
            if (r.dx() != 0 || r.dy() != 0) {
                q.mouseMoveBy(r.dx(), r.dy());
            }
        } else if (msg instanceof Protocol.Button b) {
            if (b.down()) {
                buttons.add(b.button());
                q.mousePress(b.button());
            } else {
                buttons.remove(b.button());
                q.mouseRelease(b.button());
            }
        } else if (msg instanceof Protocol.Wheel w) {
            MouseButton b = w.dy() < 0 ? MouseButton.WHEEL_UP : MouseButton.WHEEL_DOWN;
            for (int i = 0; i < Math.abs(w.dy()); i++) {
                q.mousePress(b);
                q.mouseRelease(b);
            }
        } else if (msg instanceof Protocol.Touch t) {
            q.touch(t.kind(), t.slot(), t.x(), t.y());
        } else {
            return Outcome.OTHER;
        }
        return Outcome.APPLIED;
    }

    /**
     * Types characters as a US keyboard does: Shift around the shifted ones, with the shift keys
     * this viewer holds lifted meanwhile (so "a" stays "a") and pressed again after. Paced like
     * {@link Keyboard#type(String)}: QEMU's PS/2 queue drops scancodes a busy guest reads late.
     */
    private void type(Protocol.Text t, ConsoleInput q) {
        int shift = KeyCodes.qnum("ShiftLeft").getAsInt();
        List<Integer> heldShifts = new ArrayList<>();
        for (int k : new int[] {shift, KeyCodes.qnum("ShiftRight").getAsInt()}) {
            if (keys.contains(k)) {
                heldShifts.add(k);
                q.keyRelease(k);
            }
        }
        try {
            for (KeyStroke s : t.strokes()) {
                int key = KeyCodes.qnum(s.code()).getAsInt();
                if (s.shift()) {
                    q.keyPress(shift);
                    pause();
                }
                try {
                    q.keyPress(key);
                    pause();
                    q.keyRelease(key);
                    pause();
                } finally {
                    if (s.shift()) {
                        q.keyRelease(shift);
                        pause();
                    }
                }
            }
        } finally {
            heldShifts.forEach(q::keyPress);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(Keyboard.DEFAULT_KEY_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Releases every key and button still down; failures are logged, never thrown. */
    void releaseAll(ConsoleInput q, String who) {
        for (Integer k : new ArrayList<>(keys)) {
            try {
                q.keyRelease(k);
            } catch (RuntimeException e) {
                LOG.debug("{}: release of key {} failed", who, k, e);
            }
        }
        keys.clear();
        for (MouseButton b : new ArrayList<>(buttons)) {
            try {
                q.mouseRelease(b);
            } catch (RuntimeException e) {
                LOG.debug("{}: release of button {} failed", who, b, e);
            }
        }
        buttons.clear();
    }

    int keyCount() {
        return keys.size();
    }

    int count() {
        return keys.size() + buttons.size();
    }
}
