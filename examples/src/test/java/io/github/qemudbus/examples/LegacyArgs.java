package io.github.qemudbus.examples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hand-written parser the examples had before picocli (Args.java at commit 1767e5b), kept
 * unchanged as the oracle of {@link CliParsingTest}: picocli must give every option the value
 * this gave it, and refuse what this refused with the same words.
 */
final class LegacyArgs {
    private final Map<String, List<String>> values = new HashMap<>();

    private LegacyArgs() {
    }

    static LegacyArgs parse(String[] argv, int from, Set<String> options, Set<String> flags) {
        LegacyArgs a = new LegacyArgs();
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
}
