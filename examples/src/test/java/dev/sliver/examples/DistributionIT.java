package dev.sliver.examples;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The download as a user gets it: {@code target/sliver-<version>.tar.gz} (made by mvn package)
 * unpacked with tar, and its {@code bin/sliver} run as a process on a machine whose default
 * {@code java} is older than 25: the launcher must find a JDK 25 by itself.
 */
class DistributionIT {
    @TempDir
    static Path work;
    static Path home;
    /** A PATH whose first {@code java} says it is Java 17 and fails if asked to run anything. */
    static Map<String, String> env;

    @BeforeAll
    static void unpack() throws Exception {
        Path dist = Path.of(System.getProperty("sliver.dist", "target/sliver-dist-not-set.tar.gz"));
        assertTrue(Files.isRegularFile(dist), dist + " is built by mvn package");
        Path unpacked = Files.createDirectories(work.resolve("install"));
        Result tar = run(unpacked, Map.of(), "tar", "xzf", dist.toString());
        assertEquals(0, tar.status, tar.err);
        String top = dist.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
        home = unpacked.resolve(top);

        Path fakeBin = Files.createDirectories(work.resolve("old-java/bin"));
        Path fakeJava = Files.writeString(fakeBin.resolve("java"), """
                #!/bin/sh
                # Java 17 as -XshowSettings reports it; anything else is a launcher bug.
                case "$*" in
                  *-XshowSettings:properties*) echo '    java.specification.version = 17' >&2; exit 0 ;;
                esac
                echo "the launcher ran the Java 17 on PATH: $*" >&2
                exit 97
                """);
        Files.setPosixFilePermissions(fakeJava, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        env = new java.util.HashMap<>();
        env.put("PATH", fakeBin + ":" + System.getenv("PATH"));
        // JAVA_HOME unset, as on a machine where nobody set it, unless this JDK 25 sits where the
        // launcher does not look (then JAVA_HOME is how a user would point at it).
        Path javaHome = Path.of(System.getProperty("java.home"));
        boolean standard = List.of("/usr/lib/jvm", "/usr/java", "/opt/java").contains(String.valueOf(javaHome.getParent()))
                || javaHome.endsWith("Contents/Home");
        env.put("JAVA_HOME", standard ? null : javaHome.toString());
    }

    @Test
    void theArchiveHoldsTheLauncherTheJarAndTheTexts() {
        for (String file : List.of("bin/sliver", "lib/sliver.jar", "README.md", "CHANGELOG.md", "LICENSE", "NOTICE")) {
            assertTrue(Files.isRegularFile(home.resolve(file)), file);
        }
        assertTrue(Files.isExecutable(home.resolve("bin/sliver")), "bin/sliver is executable");
    }

    @Test
    void helpRunsOnAJdk25ThatTheLauncherFoundItself() throws Exception {
        Result help = run(work, env, home.resolve("bin/sliver").toString(), "help");
        assertEquals(0, help.status, help.err);
        assertTrue(help.out.startsWith("usage: sliver"), help.out);
        assertTrue(help.out.contains("inspect [--records] [--json] IN.strg"), help.out);

        // Through a symbolic link elsewhere, as when bin/sliver is linked into a PATH folder.
        Path link = Files.createDirectories(work.resolve("links")).resolve("sliver");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, home.resolve("bin/sliver"));
        Result linked = run(work, env, link.toString(), "help", "pack");
        assertEquals(0, linked.status, linked.err);
        assertTrue(linked.out.startsWith("usage: sliver pack "), linked.out);
    }

    @Test
    void packThenInspectThenUnpackRoundTrip() throws Exception {
        Path in = Files.createDirectories(work.resolve("round/in"));
        Files.write(in.resolve("a"), new byte[] {1, 2, 3});
        Files.write(in.resolve("b"), "sliver".getBytes(StandardCharsets.UTF_8));
        Files.write(in.resolve("c"), new byte[0]);
        Path strg = work.resolve("round/out.strg");
        String sliver = home.resolve("bin/sliver").toString();

        Result pack = run(work, env, sliver, "pack", strg.toString(), in.toString());
        assertEquals(0, pack.status, pack.err);
        Result inspect = run(work, env, sliver, "inspect", strg.toString(), "--json");
        assertEquals(0, inspect.status, inspect.err);
        Map<?, ?> json = assertInstanceOf(Map.class, MiniJson.parse(inspect.out));
        assertEquals(1L, json.get("records"));
        assertEquals(3L, json.get("blobs"));
        assertEquals(9L, json.get("payload_bytes"));
        assertEquals(true, json.get("valid"));

        Path out = work.resolve("round/unpacked");
        Result unpack = run(work, env, sliver, "unpack", strg.toString(), out.toString());
        assertEquals(0, unpack.status, unpack.err);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(out.resolve("00000000")));
        assertEquals("sliver", Files.readString(out.resolve("00000001")));
        assertEquals(0, Files.size(out.resolve("00000002")));
    }

    record Result(int status, String out, String err) {
    }

    /** Runs {@code command} in {@code dir} with {@code env} over the inherited environment (a null value unsets). */
    static Result run(Path dir, Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile());
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
