package io.github.qemudbus.examples;

/**
 * Entry point of the examples jar: {@code java -jar qemu-dbus-display-examples.jar <command> ...}.
 * Every command is one small class that uses only the SDK's public API; picocli parses the
 * command line ({@link ExamplesCommand}). {@code --help} works at the top and on every command,
 * {@code --version} prints the project's version.
 *
 * <p>Exit status: 0 done; 1 failed while running (QEMU unreachable, no such console, no frame;
 * {@code doctor}: a finding is an ERROR); 2 usage error (unknown command or option, a missing or
 * bad value). Errors are one line on stderr, never a stack trace.
 */
public final class Main {
    private Main() {
    }

    /**
     * Runs a command and exits with its status.
     *
     * @param argv the command name and its options
     */
    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    /** Runs a command in this JVM and returns its exit status (what tests call). */
    static int run(String[] argv) {
        return ExamplesCommand.commandLine().execute(argv);
    }
}
