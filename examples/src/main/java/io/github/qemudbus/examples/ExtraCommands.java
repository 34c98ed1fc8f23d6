package io.github.qemudbus.examples;

import java.util.Map;

/** Commands that need the frame and bridge modules; registered here to keep Main short. */
final class ExtraCommands {
    private ExtraCommands() {
    }

    static void register(Map<String, Main.Command> m) {
        m.put("doctor", new DoctorCommand());
        m.put("screenshot", new ScreenshotCommand());
        m.put("viewer", new ViewerCommand());
        m.put("record", new RecordCommand());
        m.put("bridge", new BridgeCommand());
    }
}
