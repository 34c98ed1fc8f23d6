package io.github.qemudbus.examples;

import io.github.qemudbus.display.Keyboard;
import io.github.qemudbus.display.KeyCodes;
import io.github.qemudbus.display.QemuDisplay;
import java.util.Set;

/** {@code type}: types text (US layout) and/or taps keys named by KeyboardEvent.code. */
final class TypeCommand implements Main.Command {
    @Override
    public String usage() {
        return "type (--address ADDR | --qmp PATH) --console N [--text TEXT] [--key CODE]...";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args a = Args.parse(argv, 1, Set.of("address", "qmp", "console", "text", "key", "connect-timeout-ms"), Set.of());
        if (!a.has("console")) {
            throw new Args.UsageException("--console N is required");
        }
        if (!a.has("text") && !a.has("key")) {
            throw new Args.UsageException("nothing to type: give --text and/or --key");
        }
        for (String k : a.all("key")) {
            if (KeyCodes.qnum(k).isEmpty()) {
                throw new Args.UsageException("unknown key code '" + k + "' (use KeyboardEvent.code names such as Enter, KeyA, F1)");
            }
        }
        String text = a.get("text");
        if (text != null) {
            KeyCodes.usLayout(text); // fail before connecting on a character a US keyboard lacks
        }
        try (QemuDisplay qemu = a.connect()) {
            Keyboard kb = qemu.console(a.integer("console", 0)).keyboard();
            if (text != null) {
                kb.type(text);
            }
            for (String k : a.all("key")) {
                kb.tap(k);
            }
        }
        return 0;
    }
}
