package io.github.qemudbus.examples;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top of the command line: lists the commands; with none named, says how to name one. */
@Command(name = "qemu-dbus-display-examples", mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        customSynopsis = "java -jar qemu-dbus-display-examples.jar [-hV] <command> [options]",
        description = {"Runnable examples of the qemu-dbus-display SDK; each command uses only its public API.",
            "Every command takes --help."},
        commandListHeading = "%nCommands:%n",
        subcommands = {BridgeCommand.class, DoctorCommand.class, InfoCommand.class, RecordCommand.class,
            ScreenshotCommand.class, TypeCommand.class, ViewerCommand.class},
        footer = ExitCodes.FOOTER)
final class ExamplesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        System.err.println("usage: <command> [options]");
        CliErrors.printCommands(spec.commandLine(), System.err);
        return ExitCodes.USAGE;
    }

    /**
     * The command line of the examples, configured to parse the way the CLI always has.
     *
     * @return a new command line; run it with {@link CommandLine#execute(String...)}
     */
    static CommandLine commandLine() {
        CliErrors errors = new CliErrors();
        return new CommandLine(new ExamplesCommand())
                // A repeated option: the last one counts (--key collects them all).
                .setOverwrittenOptionsAllowed(true)
                // An option's value is the next word, whatever it looks like: --text --help types "--help".
                .setAllowOptionsAsOptionParameters(true)
                // Words are words: "@file" is not read as a file of arguments...
                .setExpandAtFiles(false)
                // ...and "--" is not an end-of-options marker (no command takes positional arguments,
                // so it stays the unknown option it always was). NUL cannot occur in a program argument.
                .setEndOfOptionsDelimiter("\0")
                // Stop at the first word that is no option: it is the one the error names
                // (this lets unmatched words through; the execution strategy refuses them).
                .setStopAtUnmatched(true)
                .setExecutionStrategy(CliErrors.STRICT)
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
    }
}
