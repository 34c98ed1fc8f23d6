import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.Keyboard;
import io.github.qemudbus.display.Mouse;
import io.github.qemudbus.display.MouseButton;
import io.github.qemudbus.display.QemuDisplay;

/** Types a line, presses Escape, moves and clicks the mouse: DriveInput ADDRESS. */
public class DriveInput {
    public static void main(String[] args) {
        try (QemuDisplay qemu = QemuDisplay.builder().address(args[0]).connect()) {
            Console console = qemu.console(0);
            Keyboard keyboard = console.keyboard();
            keyboard.type("echo hello\n"); // US layout; the guest's keymap decides the characters
            keyboard.tap("Escape");        // one key by its KeyboardEvent.code name (KeyCodes.codes())

            Mouse mouse = console.mouse();
            if (mouse.isAbsolute()) {
                mouse.moveTo(100, 200);    // the guest has a tablet: positions in console pixels
            } else {
                mouse.moveBy(10, 20);      // no tablet (add -device usb-ehci -device usb-tablet): relative only
            }
            mouse.click(MouseButton.LEFT);
            System.out.println("mouse absolute: " + mouse.isAbsolute());
        }
    }
}
