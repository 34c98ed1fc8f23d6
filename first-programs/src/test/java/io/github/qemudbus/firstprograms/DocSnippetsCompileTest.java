package io.github.qemudbus.firstprograms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java block of the README, the bridge's README and docs/ compiles against the SDK as written. The
 * first programs (blocks marked {@code <!-- file: ... -->}) are files of this module and compile with it; the
 * other blocks are fragments, compiled as the body of a method in a class that imports the SDK's packages
 * and declares the names the text assumes the reader has ({@code qemu}, {@code secret32Bytes}, and the
 * tokens and TURN secret of docs/deployment.md). The one
 * change made to a block: a line that is only {@code ...} (an elision) becomes a comment.
 */
class DocSnippetsCompileTest {
    static final Pattern JAVA_BLOCK = Pattern.compile("(<!-- file: \\S+ -->\\n)?```java\\n(.*?)```", Pattern.DOTALL);
    static final List<String> DOCS = List.of("README.md", "qemu-dbus-webrtc-bridge/README.md",
            "docs/troubleshooting.md", "docs/deployment.md", "examples/README.md", "RELIABILITY.md", "BENCHMARKS.md");
    static final String IMPORTS = String.join("\n", "import io.github.qemudbus.display.*;",
            "import io.github.qemudbus.display.frame.*;", "import io.github.qemudbus.display.doctor.*;",
            "import io.github.qemudbus.webrtc.*;", "import java.net.*;", "import java.nio.file.*;",
            "import java.time.*;", "import java.util.*;", "");

    record Snippet(String where, String code) {
    }

    static List<Snippet> fragments() throws IOException {
        Path root = Readme.moduleDir().resolve("..").normalize();
        List<Snippet> out = new ArrayList<>();
        for (String doc : DOCS) {
            Path p = root.resolve(doc);
            if (!Files.exists(p)) {
                continue;
            }
            String text = Files.readString(p);
            Matcher m = JAVA_BLOCK.matcher(text);
            while (m.find()) {
                if (m.group(1) != null) {
                    continue; // a first program: a file of this module
                }
                int line = text.substring(0, m.start(2)).split("\n", -1).length;
                out.add(new Snippet(doc + ":" + line, m.group(2)));
            }
        }
        return out;
    }

    @Test
    void everyJavaFragmentOfTheDocsCompiles(@TempDir Path tmp) throws IOException {
        List<Snippet> all = fragments();
        assertTrue(all.size() >= 5, "README's fragments (Use it, GPU consumer, bridge), the bridge README's, the "
                + "doctor's: found " + all.stream().map(Snippet::where).toList());
        List<String> files = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Snippet s = all.get(i);
            String body = s.code().replaceAll("(?m)^(\\s*)\\.\\.\\.\\s*$", "$1// ...");
            String name = "Snippet" + i;
            String src = IMPORTS + "// " + s.where() + "\nclass " + name + " {\n"
                    + "    QemuDisplay qemu;\n    byte[] secret32Bytes = new byte[32];\n"
                    + "    String fullToken, watchToken, turnSecret, whipToken;\n"
                    + "    void run() throws Exception {\n" + body + "\n    }\n}\n";
            Path f = tmp.resolve(name + ".java");
            Files.writeString(f, src);
            files.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK, not a JRE");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> args = new ArrayList<>(List.of("-proc:none", "-Xlint:none", "-classpath", cp,
                "-d", tmp.resolve("classes").toString()));
        args.addAll(files);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int rc = javac.run(null, err, err, args.toArray(String[]::new));
        assertEquals(0, rc, "a Java block of the docs does not compile as written:\n" + err + listing(files));
    }

    private static String listing(List<String> files) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : files) {
            sb.append("\n--- ").append(Path.of(f).getFileName()).append('\n').append(Files.readString(Path.of(f)));
        }
        return sb.toString();
    }
}
