package io.github.qemudbus.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.examples.CliContractTest.Result;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command line without QEMU: help, version, exit statuses and error lines of every command,
 * and every option's value checked against the parser the CLI had before picocli ({@link LegacyArgs}).
 * Nothing here runs a command past its parsing: no case may reach QEMU or boot the demo VM
 * ({@link #runRefused} checks first; the timeout interrupts one that got through anyway, and the
 * bridge then shuts its demo VM down).
 */
@Timeout(120)
class CliParsingTest {
    /** A command as it was before picocli: its usage line, its options and its flags (names without dashes). */
    record Cmd(String name, String usage, Set<String> options, Set<String> flags) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Copied from the commands' usage() and Args.parse(...) calls at commit 1767e5b. */
    static final List<Cmd> COMMANDS = List.of(
            // issue 15 added --vm NAME=ADDR (repeatable)
            // issue 17 added --libvirt NAME and --libvirt-uri URI to every command; issue 21 the TLS options and --insecure-no-auth
            new Cmd("bridge", "bridge [--address ADDR | --qmp PATH | --libvirt NAME] [--libvirt-uri URI]"
                    + " [--vm NAME=ADDR]... [--listen HOST:PORT] [--token T]"
                    + " [--console N] [--tls-cert PEM --tls-key PEM | --tls-self-signed] [--insecure-no-auth]",
                    Set.of("address", "qmp", "vm", "listen", "token", "console", "connect-timeout-ms", "libvirt",
                    "libvirt-uri", "tls-cert", "tls-key"), Set.of("tls-self-signed", "insecure-no-auth")),
            new Cmd("doctor", "doctor (--address ADDR | --qmp PATH | --libvirt NAME [--libvirt-uri URI]) [--console N] [--json] [--observe-ms MS]"
                    + " [--version-qmp PATH]", Set.of("address", "qmp", "console", "observe-ms", "version-qmp",
                    "connect-timeout-ms", "frame-timeout-ms", "libvirt", "libvirt-uri"), Set.of("json")),
            new Cmd("info", "info (--address ADDR | --qmp PATH | --libvirt NAME [--libvirt-uri URI])",
                    Set.of("address", "qmp", "connect-timeout-ms", "libvirt", "libvirt-uri"), Set.of()),
            new Cmd("record", "record (--address ADDR | --qmp PATH | --libvirt NAME [--libvirt-uri URI]) [--console N] --dir DIR [--frames N]"
                    + " [--min-interval-ms MS]", Set.of("address", "qmp", "console", "dir", "frames",
                    "min-interval-ms", "connect-timeout-ms", "libvirt", "libvirt-uri"), Set.of()),
            new Cmd("screenshot", "screenshot (--address ADDR | --qmp PATH | --libvirt NAME [--libvirt-uri URI]) --console N --out FILE.png"
                    + " [--path auto|dmabuf|map|copy] [--timeout-ms MS]", Set.of("address", "qmp", "console", "out",
                    "path", "timeout-ms", "connect-timeout-ms", "libvirt", "libvirt-uri"), Set.of()),
            new Cmd("type", "type (--address ADDR | --qmp PATH | --libvirt NAME [--libvirt-uri URI]) --console N"
                    + " [--text TEXT] [--key CODE]...",
                    Set.of("address", "qmp", "console", "text", "key", "connect-timeout-ms", "libvirt", "libvirt-uri"),
                    Set.of()),
            new Cmd("viewer", "viewer (--address ADDR | --qmp PATH | --libvirt NAME [--libvirt-uri URI]) [--console N]",
                    Set.of("address", "qmp", "console", "connect-timeout-ms", "libvirt", "libvirt-uri"), Set.of()));

    /** The options whose values add up instead of the last one counting. */
    private static final Set<String> REPEATABLE = Set.of("key", "vm");

    /** Values an option may be given: plain, empty, or looking like an option, a number, a file. */
    private static final List<String> VALUES = List.of("v", "", "--help", "-h", "-V", "--version", "--", "-1", "010",
            "a=b", "@pom.xml", "ä ö", "--address", "--frobnicate", "unix:path=/x,guid=1");

    static Stream<Cmd> commands() {
        return COMMANDS.stream();
    }

    private static String version() {
        String v = System.getProperty("examples.version");
        assertNotNull(v, "surefire passes the project version as examples.version");
        return v;
    }

    private static String[] argv(String... words) {
        return words;
    }

    private static String usageError(Cmd c, String what) {
        return c.name() + ": " + what + " (usage: " + c.usage() + ")" + System.lineSeparator();
    }

    private static String listing() {
        return COMMANDS.stream().map(c -> "  " + c.usage() + System.lineSeparator()).collect(Collectors.joining());
    }

    private static String squash(String s) {
        return s.replaceAll("\\s+", " ");
    }

    // ---- the top ----

    @Test
    void noCommandListsTheCommandsAndExits2() {
        Result r = CliContractTest.run();
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertEquals("usage: <command> [options]" + System.lineSeparator() + listing(), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"frobnicate", "--frobnicate", "-x", "", "INFO", "help", "--"})
    void anUnknownCommandIsNamedAndExits2(String word) {
        Result r = runRefused(word, "--address", "x");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertEquals("unknown command '" + word + "'" + System.lineSeparator() + listing(), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void helpAtTheTopListsEveryCommandAndTheExitStatuses(String help) {
        Result r = CliContractTest.run(help);
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("Usage: java -jar qemu-dbus-display-examples.jar"), r.out());
        for (Cmd c : COMMANDS) {
            assertTrue(r.out().contains(System.lineSeparator() + "  " + c.name() + " "), c + " missing: " + r.out());
        }
        assertTrue(squash(r.out()).contains("Exit status: 0 done; 1 failed while running (one line on stderr); "
                + "2 usage error (one line on stderr)."), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--version", "-V"})
    void versionAtTheTop(String version) {
        Result r = CliContractTest.run(version);
        assertEquals(0, r.code(), r.err());
        assertEquals("qemu-dbus-display-examples " + version() + System.lineSeparator(), r.out());
        assertEquals("", r.err());
    }

    @Test
    void theVersionIsTheProjectsFilledInByTheBuild() {
        assertEquals(version(), ProjectVersion.version());
        assertFalse(ProjectVersion.version().contains("${"), "resource not filtered");
    }

    // ---- every command ----

    @ParameterizedTest
    @MethodSource("commands")
    void helpOnEveryCommand(Cmd c) {
        for (String help : new String[] {"--help", "-h"}) {
            Result r = runHelp(c.name(), help);
            assertEquals(0, r.code(), r.err());
            assertEquals("", r.err());
            assertTrue(squash(r.out()).startsWith("Usage: " + c.usage() + " "), r.out());
            for (String o : c.options()) {
                assertTrue(r.out().contains("--" + o + "="), "--" + o + " undocumented: " + r.out());
            }
            for (String f : c.flags()) {
                assertTrue(r.out().contains("--" + f + " "), "--" + f + " undocumented: " + r.out());
            }
            assertTrue(squash(r.out()).contains("2 usage error (one line on stderr)."), "exit statuses: " + r.out());
        }
    }

    @ParameterizedTest
    @MethodSource("commands")
    void helpWinsOverWhatFollowsIt(Cmd c) {
        Result r = CliContractTest.run(c.name(), "--address", "x", "--help", "--frobnicate");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: "), r.out());
        // ...but not over an unknown word before it: parsing stops there, as the old parser did.
        Result after = runRefused(c.name(), "--frobnicate", "--help");
        assertEquals(2, after.code());
        assertEquals(usageError(c, "unknown option --frobnicate"), after.err());
    }

    @ParameterizedTest
    @MethodSource("commands")
    void versionOnEveryCommand(Cmd c) {
        Result r = runHelp(c.name(), "--version");
        assertEquals(0, r.code(), r.err());
        assertEquals("qemu-dbus-display-examples " + version() + System.lineSeparator(), r.out());
    }

    @ParameterizedTest
    @MethodSource("commands")
    void usageErrorsAreOneLineWithTheUsageAndExit2(Cmd c) {
        String any = c.options().iterator().next();
        Object[][] cases = {
            {argv("--frobnicate"), "unknown option --frobnicate"},
            {argv("--frobnicate=1", "--address", "x"), "unknown option --frobnicate"},
            {argv("--address", "x", "stray"), "unexpected argument 'stray'"},
            {argv("-x"), "unexpected argument '-x'"},
            {argv("--"), "unknown option --"},
            {argv("--", "--address", "x"), "unknown option --"},
            {argv("--frobnicate", "--address"), "unknown option --frobnicate"},
            {argv("--" + any), "--" + any + " needs a value"},
            {argv("--address", "x", "--" + any), "--" + any + " needs a value"},
        };
        for (Object[] k : cases) {
            String[] words = (String[]) k[0];
            String[] full = Stream.concat(Stream.of(c.name()), Arrays.stream(words)).toArray(String[]::new);
            Result r = runRefused(full);
            assertEquals(2, r.code(), Arrays.toString(full));
            assertEquals("", r.out());
            assertEquals(usageError(c, (String) k[1]), r.err(), Arrays.toString(full));
        }
    }

    @ParameterizedTest
    @MethodSource("commands")
    void theSameOptionsAsBefore(Cmd c) {
        CommandSpec spec = ExamplesCommand.commandLine().getSubcommands().get(c.name()).getCommandSpec();
        Set<String> names = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            names.addAll(List.of(o.names()));
        }
        names.removeAll(Set.of("-h", "--help", "-V", "--version"));
        Set<String> before = new TreeSet<>();
        c.options().forEach(o -> before.add("--" + o));
        c.flags().forEach(f -> before.add("--" + f));
        assertEquals(before, names);
        assertEquals(c.usage(), spec.usageMessage().customSynopsis()[0]);
    }

    /**
     * Every option gets the value the old parser gave it, over plain, inline, repeated and odd
     * values; what the old parser refused is refused with the same line and exit status 2.
     */
    @ParameterizedTest
    @MethodSource("commands")
    void everyOptionMapsToTheValueItHadBefore(Cmd c) {
        List<String[]> lines = new ArrayList<>();
        List<String> opts = new ArrayList<>(new TreeSet<>(c.options()));
        for (String o : opts) {
            for (String v : VALUES) {
                lines.add(argv("--" + o, v));
                lines.add(argv("--" + o + "=" + v));
                lines.add(argv("--" + o, "first", "--" + o, v)); // the last counts (--key: both)
                lines.add(argv("--" + o + "=first", "--" + o + "=" + v, "--" + o));
            }
            // Refusals run the whole command line (slower): every value on one option is enough.
            for (String v : o.equals(opts.get(0)) ? VALUES : List.of("v")) {
                lines.add(argv("--" + o, v, "stray"));
                lines.add(argv("--" + o, v, "--frobnicate", "x"));
            }
            lines.add(argv("--" + o));
        }
        List<String> all = new ArrayList<>();
        List<String> reversed = new ArrayList<>();
        for (int i = 0; i < opts.size(); i++) {
            all.addAll(List.of("--" + opts.get(i), "value" + i));
            reversed.addAll(0, List.of("--" + opts.get(i) + "=" + VALUES.get(i % VALUES.size())));
        }
        for (String f : c.flags()) {
            lines.add(argv("--" + f));
            lines.add(argv("--" + f, "--" + f));
            lines.add(argv("--" + f, "false"));
            all.add("--" + f);
        }
        lines.add(all.toArray(String[]::new));
        lines.add(reversed.toArray(String[]::new));
        lines.add(Stream.concat(all.stream(), reversed.stream()).toArray(String[]::new));
        lines.add(argv());

        CommandLine parser = ExamplesCommand.commandLine(); // each parse starts from the options' initial values
        for (String[] words : lines) {
            String[] full = Stream.concat(Stream.of(c.name()), Arrays.stream(words)).toArray(String[]::new);
            String what = String.join(" ", full);
            LegacyArgs legacy;
            try {
                legacy = LegacyArgs.parse(full, 1, c.options(), c.flags());
            } catch (UsageException e) {
                Result r = runRefused(full);
                assertEquals(2, r.code(), what);
                assertEquals(usageError(c, e.getMessage()), r.err(), what);
                continue;
            }
            ParseResult parsed = parser.parseArgs(full).subcommand();
            assertEquals(List.of(), parsed.unmatched(), what);
            CommandSpec spec = parsed.commandSpec();
            for (String o : c.options()) {
                Object value = spec.findOption("--" + o).getValue();
                if (REPEATABLE.contains(o)) {
                    assertEquals(legacy.all(o), value == null ? List.of() : value, what + ": --" + o);
                } else {
                    assertEquals(legacy.get(o), value, what + ": --" + o);
                }
            }
            for (String f : c.flags()) {
                assertEquals(legacy.has(f), spec.findOption("--" + f).getValue(), what + ": --" + f);
            }
        }
    }

    /**
     * Runs a command line that must be refused while parsing. Checked first, because running one
     * that parses would reach for QEMU, or (bridge with no VM named) boot a demo VM and serve it.
     */
    private static Result runRefused(String... argv) {
        CommandLine cl = ExamplesCommand.commandLine();
        assertSame(CliErrors.STRICT, cl.getExecutionStrategy(), "unmatched words would run the command");
        try {
            boolean unmatched = false;
            for (ParseResult p = cl.parseArgs(argv); p != null; p = p.subcommand()) {
                unmatched |= !p.unmatched().isEmpty();
            }
            assertTrue(unmatched, () -> "parses, so it would run: " + Arrays.toString(argv));
        } catch (CommandLine.ParameterException expected) {
            // refused while parsing, as it should be
        }
        return CliContractTest.run(argv);
    }

    /** Runs a command line that must ask for help or the version (checked first, see {@link #runRefused}). */
    private static Result runHelp(String... argv) {
        ParseResult p = ExamplesCommand.commandLine().parseArgs(argv).subcommand();
        assertTrue(p.isUsageHelpRequested() || p.isVersionHelpRequested(), () -> "no help: " + Arrays.toString(argv));
        return CliContractTest.run(argv);
    }

    // ---- the parts ----

    @Test
    void numbersAreDecimalAndReadOnlyWhenUsed() {
        assertEquals(10, Numbers.integer("console", "010", 0));
        assertEquals(-1, Numbers.integer("console", "-1", 0));
        assertEquals(5, Numbers.integer("console", "+5", 0));
        assertEquals(7, Numbers.integer("console", null, 7));
        for (String bad : new String[] {"0x10", "abc", "", "1.5", "99999999999"}) {
            UsageException e = assertThrows(UsageException.class,
                    () -> Numbers.integer("console", bad, 0));
            assertEquals("--console must be a number, not '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void bridgeVmIsNameEqualsAddress() {
        assertEquals(java.util.List.of("vm1", "vm-2"), java.util.List.copyOf(BridgeCommand.parseVms(
                java.util.List.of("vm1=unix:path=/run/vm1/bus", "vm-2=qmp:/run/vm2/qmp.sock")).keySet()));
        assertTrue(BridgeCommand.parseVms(java.util.List.of("a=qmp:/x")).get("a").describe().startsWith("qmp /x"));
        for (String bad : new String[] {"novalue", "=unix:path=/x", "a=", "bad/name=unix:path=/x", "default=qmp:/x",
            "a=qmp:"}) {
            assertThrows(UsageException.class, () -> BridgeCommand.parseVms(java.util.List.of(bad)), bad);
        }
        UsageException twice = assertThrows(UsageException.class,
                () -> BridgeCommand.parseVms(java.util.List.of("a=qmp:/x", "a=qmp:/y")));
        assertEquals("VM name 'a' given twice in --vm", twice.getMessage());
    }

    @Test
    void listenIsHostColonPort() {
        assertEquals(8080, BridgeCommand.parseListen("127.0.0.1:8080").getPort());
        assertEquals(9000, BridgeCommand.parseListen("::1:9000").getPort()); // the last colon splits
        for (String bad : new String[] {"nope", ":80"}) {
            assertEquals("--listen must be HOST:PORT, not '" + bad + "'",
                    assertThrows(UsageException.class, () -> BridgeCommand.parseListen(bad)).getMessage());
        }
        for (String bad : new String[] {"h:99999", "h:-1", "h:x"}) {
            assertEquals("bad port in --listen '" + bad + "'",
                    assertThrows(UsageException.class, () -> BridgeCommand.parseListen(bad)).getMessage());
        }
    }

    @Test
    void failuresAreOneLineWithStatus1() {
        assertEquals("a b", CliErrors.oneLine("a\nb"));
        assertEquals("failed", CliErrors.oneLine(null));
        // A failure while running, found before any connection: the one line the old CLI gave.
        Result r = CliContractTest.run("type", "--address", "unix:path=/nonexistent", "--console", "0", "--text", "ä");
        assertEquals(1, r.code());
        assertEquals("type: cannot type character 'ä' (U+00E4) at index 0 on a US keyboard layout"
                + System.lineSeparator(), r.err());
    }

    /** Issue 17 added --libvirt NAME to the choice (before: "give exactly one of --address ADDR or --qmp PATH"). */
    private static final String ONE_OF = "give exactly one of --address ADDR, --qmp PATH or --libvirt NAME";

    @Test
    void usageErrorsFoundWhileRunningKeepTheirWords() {
        Object[][] cases = {
            {argv("info", "--libvirt", "vm1", "--qmp", "y"), "info", ONE_OF},
            {argv("info", "--libvirt-uri", "qemu:///system"), "info", "--libvirt-uri goes with --libvirt NAME"},
            {argv("screenshot", "--libvirt", " ", "--console", "0", "--out", "f.png"), "screenshot",
                "--libvirt needs a domain name"},
            {argv("bridge", "--libvirt-uri", "qemu:///system", "--listen", "127.0.0.1:0"), "bridge",
                "--libvirt-uri goes with --libvirt NAME or --vm NAME=libvirt:DOMAIN"},
            {argv("info"), "info", ONE_OF},
            {argv("type", "--address", "x"), "type", "--console N is required"},
            {argv("type", "--address", "x", "--console", "0"), "type", "nothing to type: give --text and/or --key"},
            {argv("type", "--address", "x", "--console", "0", "--key", "Enter", "--key", "Nope"), "type",
                "unknown key code 'Nope' (did you mean Home or Open or Copy?)"},
            {argv("type", "--address", "x", "--console", "0", "--key", "Esc"), "type",
                "unknown key code 'Esc' (did you mean Escape?)"},
            {argv("screenshot", "--address", "x"), "screenshot", "--out FILE.png is required"},
            {argv("screenshot", "--address", "x", "--out", "f.png", "--path", "bogus"), "screenshot",
                "--path must be auto, dmabuf, map or copy, not 'bogus'"},
            {argv("screenshot", "--address", "x", "--out", "f.png", "--timeout-ms", "0x10"), "screenshot",
                "--timeout-ms must be a number, not '0x10'"},
            {argv("doctor", "--address", "x", "--qmp", "y"), "doctor", ONE_OF},
            {argv("doctor", "--address", "x", "--observe-ms", "-1"), "doctor",
                "--console and --observe-ms must not be negative"},
            {argv("doctor", "--address", "x", "--frame-timeout-ms", "x"), "doctor",
                "--frame-timeout-ms must be a number, not 'x'"},
            // bridge names a VM that is not there: a broken check then fails at once instead of booting the demo VM
            {argv("bridge", "--address", "unix:path=/nonexistent", "--listen", "nope"), "bridge",
                "--listen must be HOST:PORT, not 'nope'"},
            {argv("bridge", "--address", "unix:path=/nonexistent", "--console", "x"), "bridge",
                "--console must be a number, not 'x'"},
            {argv("bridge", "--address", "x", "--qmp", "y"), "bridge", ONE_OF},
            // issue 21: beyond loopback only with a token or said insecure; the TLS options go together
            {argv("bridge", "--address", "unix:path=/nonexistent", "--listen", "0.0.0.0:8080"), "bridge",
                "refusing to listen on 0.0.0.0 without --token: anyone who can reach it would see and control the VM "
                    + "(add --token T, listen on 127.0.0.1, or say --insecure-no-auth if the network is trusted)"},
            {argv("bridge", "--address", "unix:path=/nonexistent", "--tls-cert", "c.pem"), "bridge",
                "--tls-cert and --tls-key go together"},
            {argv("bridge", "--address", "unix:path=/nonexistent", "--tls-cert", "c.pem", "--tls-key", "k.pem",
                "--tls-self-signed"), "bridge", "--tls-self-signed or --tls-cert/--tls-key, not both"},
            {argv("record", "--address", "x"), "record", "--dir DIR is required"},
        };
        for (Object[] k : cases) {
            String[] full = (String[]) k[0];
            Cmd c = COMMANDS.stream().filter(x -> x.name().equals(k[1])).findFirst().orElseThrow();
            Result r = CliContractTest.run(full);
            assertEquals(2, r.code(), String.join(" ", full));
            assertEquals(usageError(c, (String) k[2]), r.err(), String.join(" ", full));
        }
    }
}
