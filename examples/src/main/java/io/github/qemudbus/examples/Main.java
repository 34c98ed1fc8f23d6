package io.github.qemudbus.examples;

import io.github.qemudbus.display.QemuDisplayException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entry point of the examples jar: {@code java -jar qemu-dbus-display-examples.jar <command> ...}.
 * Every command is one small class that uses only the SDK's public API.
 */
public final class Main {
    private Main() {
    }

    /** One runnable example. */
    interface Command {
        int run(String[] argv) throws Exception;

        String usage();
    }

    private static Map<String, Command> commands() {
        Map<String, Command> m = new TreeMap<>();
        m.put("info", new InfoCommand());
        m.put("type", new TypeCommand());
        ExtraCommands.register(m);
        return m;
    }

    /**
     * Runs a command and exits with its status.
     *
     * @param argv the command name and its options
     */
    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    static int run(String[] argv) {
        Map<String, Command> commands = commands();
        if (argv.length == 0 || !commands.containsKey(argv[0])) {
            System.err.println(argv.length == 0 ? "usage: <command> [options]" : "unknown command '" + argv[0] + "'");
            commands.forEach((k, v) -> System.err.println("  " + v.usage()));
            return 2;
        }
        try {
            return commands.get(argv[0]).run(argv);
        } catch (Args.UsageException e) {
            System.err.println(argv[0] + ": " + e.getMessage() + " (usage: " + commands.get(argv[0]).usage() + ")");
            return 2;
        } catch (QemuDisplayException | IllegalArgumentException | IllegalStateException e) {
            System.err.println(argv[0] + ": " + oneLine(e.getMessage()));
            return 1;
        } catch (Exception e) {
            System.err.println(argv[0] + ": " + oneLine(e.toString()));
            return 1;
        }
    }

    static String oneLine(String s) {
        return s == null ? "failed" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
