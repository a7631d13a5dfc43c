package dev.sliver.examples;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's tour is the code in {@link Tour}, which compiles and runs here. */
class TourTest {
    @Test
    void theReadmeShowsExactlyTheCompiledTour() throws Exception {
        String source = Files.readString(Path.of("src/main/java/dev/sliver/examples/Tour.java"));
        String tour = source.substring(source.indexOf("// tour:start\n") + "// tour:start\n".length(),
                source.indexOf("        // tour:end"));
        String readme = Files.readString(Path.of("../README.md"));
        String unindented = tour.lines().map(l -> l.startsWith("        ") ? l.substring(8) : l.strip())
                .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        assertTrue(readme.contains("```java\n" + unindented + "```"), "README.md must contain the tour from Tour.java verbatim");
    }

    @Test
    void theTourRuns() throws Exception {
        Tour.main(new String[0]);
    }
}
