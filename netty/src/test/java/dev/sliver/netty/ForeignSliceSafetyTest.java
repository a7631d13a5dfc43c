package dev.sliver.netty;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Slices made from Netty-owned direct memory, read stale and read while released, over 200 rounds
 * of 64 MiB buffers, unpooled and pooled, in a child JVM: it must exit normally with no hs_err
 * file. Run twice: with native access (large buffers are viewed through an arena of their own)
 * and without (they are copied).
 */
class ForeignSliceSafetyTest {
    @TempDir
    Path dir;

    @Test
    void staleAndRacingReadsNeverCrashWithNativeAccess() throws Exception {
        String out = runChild("--enable-native-access=ALL-UNNAMED");
        assertTrue(out.contains("ok: "), out);
        long thrown = Long.parseLong(out.substring(out.indexOf("ok: ") + 4).split(" ")[0]);
        assertEquals(2 * 2 * 200, thrown, "every stale and racing read of a zero-copy view throws: " + out);
    }

    @Test
    void staleAndRacingReadsNeverCrashWhenLargeBuffersAreCopied() throws Exception {
        String out = runChild("--illegal-native-access=deny", "-Drounds=20"); // copies 64 MiB a read: fewer rounds
        assertTrue(out.contains("ok: "), out);
    }

    private String runChild(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:MaxDirectMemorySize=1g", "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log")));
        command.addAll(List.of(options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ForeignSliceAbuse.class.getName()));
        Process child = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile()).start();
        if (!child.waitFor(5, TimeUnit.MINUTES)) {
            child.destroyForcibly();
            fail("the child JVM did not finish: " + Files.readString(dir.resolve("out.txt")));
        }
        String out = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.map(Path::getFileName).map(Path::toString)
                    .filter(n -> n.startsWith("hs_err")).toList(), "the JVM crashed: " + out);
        }
        assertEquals(0, child.exitValue(), out);
        return out;
    }
}
