package io.github.qemudbus.examples;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.qemudbus.display.QemuDisplay;

/** A tiny command-line parser: {@code --name value} options, some repeatable, some flags. */
final class Args {
    private final Map<String, List<String>> values = new HashMap<>();

    private Args() {
    }

    static Args parse(String[] argv, int from, Set<String> options, Set<String> flags) {
        Args a = new Args();
        for (int i = from; i < argv.length; i++) {
            String k = argv[i];
            if (!k.startsWith("--")) {
                throw new UsageException("unexpected argument '" + k + "'");
            }
            String name = k.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                a.values.computeIfAbsent(name, x -> new ArrayList<>()).add("true");
                continue;
            }
            if (!options.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
            String v = inline;
            if (v == null) {
                if (i + 1 >= argv.length) {
                    throw new UsageException("--" + name + " needs a value");
                }
                v = argv[++i];
            }
            a.values.computeIfAbsent(name, x -> new ArrayList<>()).add(v);
        }
        return a;
    }

    String get(String name) {
        List<String> l = values.get(name);
        return l == null ? null : l.get(l.size() - 1);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    int integer(String name, int dflt) {
        String v = get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, not '" + v + "'");
        }
    }

    /** Opens the display named by --address or --qmp (one of them is required). */
    QemuDisplay connect() {
        String address = get("address");
        String qmp = get("qmp");
        if ((address == null) == (qmp == null)) {
            throw new UsageException("give exactly one of --address ADDR or --qmp PATH");
        }
        QemuDisplay.Builder b = QemuDisplay.builder().timeout(Duration.ofMillis(integer("connect-timeout-ms", 10000)));
        return (address != null ? b.address(address) : b.qmp(Path.of(qmp))).connect();
    }

    /** A mistake on the command line: printed as one line, exit code 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
