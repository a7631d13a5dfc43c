package dev.sliver.examples;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void theTourRunsPrintsWhatItSaysAndGivesEverythingBack() throws Exception {
        long inUse = dev.sliver.alloc.ThreadCachingAllocator.shared().stats().bytesInUse();
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            Tour.main(new String[0]);
        } finally {
            System.setOut(stdout);
        }
        java.util.List<String> lines = printed.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertEquals("2 blobs, 5 bytes", lines.get(0));
        assertEquals("Slice[length=3, 01 02 03]", lines.get(1), "the comment in the tour says so");
        assertEquals("2 bytes still readable", lines.get(2), "{4, 5}: the retained blob outlives its batch");
        assertEquals(List.of("record 0 at byte 0", "record 1 at byte 31", "record 2 at byte 62",
                "3 records, 3 torn bytes ignored", "event 1", "3 records match their CRC32C"), lines.subList(5, lines.size()),
                "step 4 prints the two records, then the log of step 5");
        assertEquals(inUse, dev.sliver.alloc.ThreadCachingAllocator.shared().stats().bytesInUse(),
                "every record the tour read went back to the allocator");
    }
}
