package io.github.qemudbus.examples;

import io.github.qemudbus.display.QemuDisplayException;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every error into the one line on stderr and the exit status that the CLI has always
 * given, whether picocli found it while parsing or a command threw it while running.
 * Usage errors: {@code <command>: <what> (usage: <synopsis>)}, status 2. Failures:
 * {@code <command>: <message>}, status 1, never a stack trace.
 */
final class CliErrors implements IParameterExceptionHandler, IExecutionExceptionHandler {
    /** The execution strategy of the examples' command line: {@link #refuseUnmatchedThenRun}. */
    static final CommandLine.IExecutionStrategy STRICT = CliErrors::refuseUnmatchedThenRun;

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        if (cmd.getParent() == null) { // at the top only the command's name can be wrong
            String name = e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                    ? u.getUnmatched().get(0) : args.length > 0 ? args[0] : "";
            System.err.println("unknown command '" + name + "'");
            printCommands(cmd, System.err);
            return ExitCodes.USAGE;
        }
        System.err.println(usageLine(cmd, describe(e)));
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        String name = cmd.getCommandName();
        if (e instanceof UsageException) {
            System.err.println(usageLine(cmd, e.getMessage()));
            return ExitCodes.USAGE;
        }
        if (e instanceof QemuDisplayException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            System.err.println(name + ": " + oneLine(e.getMessage()));
        } else {
            System.err.println(name + ": " + oneLine(e.toString()));
        }
        return ExitCodes.FAILURE;
    }

    /**
     * Runs the command unless a word was not understood. {@code setStopAtUnmatched} stops the
     * parser at the first unknown word but then allows it; an unknown word is an error here, so
     * that word goes to {@link #handleParseException} (unless help was asked for: help wins).
     *
     * @param parsed the parse result
     * @return the exit status
     */
    static int refuseUnmatchedThenRun(ParseResult parsed) {
        boolean help = false;
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            help |= p.isUsageHelpRequested() || p.isVersionHelpRequested();
        }
        for (ParseResult p = parsed; p != null && !help; p = p.subcommand()) {
            if (!p.unmatched().isEmpty()) {
                throw new UnmatchedArgumentException(p.commandSpec().commandLine(), p.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    /** The words the hand-written parser used before picocli, so scripts see the same lines. */
    private static String describe(ParameterException e) {
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                return "unknown option " + (eq >= 0 ? arg.substring(0, eq) : arg);
            }
            return "unexpected argument '" + arg + "'";
        }
        if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
            ArgSpec missing = m.getMissing().get(0);
            if (missing instanceof OptionSpec o) {
                return o.longestName() + " needs a value";
            }
        }
        return oneLine(e.getMessage());
    }

    private static String usageLine(CommandLine cmd, String what) {
        return cmd.getCommandName() + ": " + what + " (usage: " + synopsis(cmd) + ")";
    }

    /** A command's one-line synopsis, e.g. {@code info (--address ADDR | --qmp PATH)}. */
    static String synopsis(CommandLine cmd) {
        String[] custom = cmd.getCommandSpec().usageMessage().customSynopsis();
        return custom.length > 0 ? custom[0] : cmd.getCommandName();
    }

    /**
     * Prints the synopsis of every command, sorted by name, each on its own line.
     *
     * @param root the top command line
     * @param out where to
     */
    static void printCommands(CommandLine root, PrintStream out) {
        Map<String, CommandLine> sorted = new TreeMap<>(root.getSubcommands());
        sorted.values().forEach(c -> out.println("  " + synopsis(c)));
    }

    /**
     * A message on one line.
     *
     * @param s the message, or null
     * @return it with line breaks as spaces, or "failed" for null
     */
    static String oneLine(String s) {
        return s == null ? "failed" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
