package io.github.qemudbus.examples;

import io.github.qemudbus.display.Keyboard;
import io.github.qemudbus.display.KeyCodes;
import io.github.qemudbus.display.QemuDisplay;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code type}: types text (US layout) and/or taps keys named by KeyboardEvent.code. */
@Command(name = "type", mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        customSynopsis = "type (--address ADDR | --qmp PATH | --libvirt NAME [--libvirt-uri URI])"
                + " --console N [--text TEXT] [--key CODE]...",
        description = {"Types text and taps keys on a console.",
            "Types TEXT (US layout), then presses and releases each key named by its KeyboardEvent.code "
                + "(Enter, KeyA, F1...), in order. Exit status 0 once QEMU accepted every event."},
        sortOptions = false,
        footer = ExitCodes.FOOTER)
final class TypeCommand implements Callable<Integer> {
    @Mixin
    ConnectOptions connection;

    @Option(names = "--console", paramLabel = "N", description = "The console to type on (required)")
    String console;

    @Option(names = "--text", paramLabel = "TEXT", description = "Text to type, US keyboard layout")
    String text;

    @Option(names = "--key", paramLabel = "CODE", description = "A key to tap, by KeyboardEvent.code; repeatable")
    List<String> keys;

    /** The --key values in order, none when not given. */
    List<String> keys() {
        return keys == null ? List.of() : keys;
    }

    @Override
    public Integer call() throws Exception {
        if (console == null) {
            throw new UsageException("--console N is required");
        }
        if (text == null && keys == null) {
            throw new UsageException("nothing to type: give --text and/or --key");
        }
        for (String k : keys()) {
            if (KeyCodes.qnum(k).isEmpty()) {
                List<String> near = KeyCodes.suggest(k);
                throw new UsageException("unknown key code '" + k + "' (" + (near.isEmpty()
                        ? "use KeyboardEvent.code names such as Enter, KeyA, F1"
                        : "did you mean " + String.join(" or ", near) + "?") + ")");
            }
        }
        if (text != null) {
            KeyCodes.usLayout(text); // fail before connecting on a character a US keyboard lacks
        }
        try (QemuDisplay qemu = connection.connect()) {
            Keyboard kb = qemu.console(Numbers.integer("console", console, 0)).keyboard();
            if (text != null) {
                kb.type(text);
            }
            for (String k : keys()) {
                kb.tap(k);
            }
        }
        return ExitCodes.OK;
    }
}
