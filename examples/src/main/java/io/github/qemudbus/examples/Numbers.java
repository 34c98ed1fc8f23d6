package io.github.qemudbus.examples;

/**
 * Number options. They arrive as text and are read only where a command uses them, as the CLI
 * always did: the order of its checks (and so which error a wrong command line gets) stays the
 * same, and {@code 010} stays ten (picocli's own converter would read it as octal).
 */
final class Numbers {
    private Numbers() {
    }

    /**
     * Reads an integer option.
     *
     * @param option the option's name without dashes, for the message
     * @param value what was given, or null when the option was not
     * @param dflt the value when the option was not given
     * @return the number
     * @throws UsageException when the value is not a decimal integer
     */
    static int integer(String option, String value, int dflt) {
        if (value == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + option + " must be a number, not '" + value + "'");
        }
    }
}
