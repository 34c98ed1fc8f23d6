package io.github.qemudbus.testkit;

/**
 * What a shell command run in the test guest produced.
 *
 * @param output its standard output and standard error, interleaved, exactly as written
 * @param exitCode its exit status
 */
public record CommandResult(String output, int exitCode) {
    /**
     * Whether the command exited with status 0.
     *
     * @return {@code true} on success
     */
    public boolean succeeded() {
        return exitCode == 0;
    }
}
