package io.github.qemudbus.firstprograms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README's first programs are exactly the files this module compiles: every block marked
 * {@code <!-- file: PATH -->} equals this module's PATH, and every program of the module's
 * default package is shown in README. So README's code cannot rot: changing the API breaks
 * this module's build, and changing one side only fails here.
 */
class ReadmeBlocksTest {

    @Test
    void everyMarkedBlockIsTheCompiledFile() throws IOException {
        Readme readme = Readme.load();
        assertTrue(readme.files.size() >= 3, "README's first programs: " + readme.files.keySet());
        for (Map.Entry<String, String> e : readme.files.entrySet()) {
            Path file = Readme.moduleDir().resolve(e.getKey());
            assertTrue(Files.isRegularFile(file), "README shows " + e.getKey() + ", which first-programs/ lacks");
            assertEquals(Files.readString(file), e.getValue(), "README's " + e.getKey() + " differs from first-programs/"
                    + e.getKey() + ": copy the file into README (or the block into the file)");
        }
    }

    @Test
    void everyFirstProgramIsShown() throws IOException {
        Readme readme = Readme.load();
        TreeSet<String> programs = new TreeSet<>();
        for (String root : List.of("src/main/java", "src/test/java")) {
            try (Stream<Path> s = Files.list(Readme.moduleDir().resolve(root))) {
                programs.addAll(s.filter(p -> p.toString().endsWith(".java"))
                        .map(p -> root + "/" + p.getFileName()).collect(Collectors.toList()));
            }
        }
        assertEquals(programs, new TreeSet<>(readme.files.keySet()), "first-programs/ and README's marked blocks");
    }

    @Test
    void theOutsideProjectIsShown() throws IOException {
        String project = Readme.load().block("project");
        assertTrue(project.contains("cat > pom.xml <<'EOF'"), project);
        assertTrue(project.contains("<artifactId>qemu-dbus-display-bom</artifactId>"), project);
        assertTrue(project.contains("<artifactId>slf4j-simple</artifactId>"), project);
        assertTrue(project.contains("<artifactId>maven-compiler-plugin</artifactId>"), project);
    }
}
