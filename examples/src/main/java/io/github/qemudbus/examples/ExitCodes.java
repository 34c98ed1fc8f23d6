package io.github.qemudbus.examples;

/** The exit status of every command, and the help footer that documents it. */
final class ExitCodes {
    /** The command did what it was asked. */
    static final int OK = 0;
    /** It failed while running: QEMU unreachable, no such console, no frame... (one line on stderr). */
    static final int FAILURE = 1;
    /** The command line is wrong: unknown command or option, missing or bad value (one line on stderr). */
    static final int USAGE = 2;

    /** The help footer of commands that follow the rule exactly. */
    static final String FOOTER = "%nExit status: 0 done; 1 failed while running (one line on stderr); "
            + "2 usage error (one line on stderr).";

    private ExitCodes() {
    }
}
