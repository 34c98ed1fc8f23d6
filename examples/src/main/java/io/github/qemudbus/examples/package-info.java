/**
 * Runnable examples of the SDK, one small class per command, each using only the public API:
 * {@code java -jar examples/target/qemu-dbus-display-examples.jar <command> [options]} with the
 * commands {@code info}, {@code type}, {@code screenshot}, {@code doctor}, {@code bridge},
 * {@code viewer} and {@code record}. picocli parses the command line: {@code --help} at the top
 * and on every command, {@code --version} for the project's version.
 *
 * <p>Exit status of every command: 0 done; 1 failed while running (QEMU unreachable, no such
 * console, no frame; for {@code doctor} also: a finding is an ERROR); 2 usage error (unknown
 * command or option, a missing or bad value). Errors are one line on stderr, never a stack
 * trace. {@code bridge} runs until Ctrl-C or SIGTERM (the JVM then exits with 130 or 143).
 */
package io.github.qemudbus.examples;
