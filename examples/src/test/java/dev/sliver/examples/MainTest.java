package dev.sliver.examples;

import dev.sliver.codec.Codec;
import dev.sliver.core.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void packThenUnpackRestoresEveryFileInNameOrder() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.write(in.resolve("b"), new byte[] {2, 2});
        Files.write(in.resolve("a"), new byte[] {1});
        Files.write(in.resolve("c-empty"), new byte[0]);
        Files.createDirectories(in.resolve("sub")); // directories are skipped, not recursed
        Path extra = Files.write(dir.resolve("extra"), "x".getBytes());
        Path strg = dir.resolve("out.strg");

        assertEquals(0, run("pack", strg.toString(), in.toString(), extra.toString()), err());
        assertEquals(0, run("pack", "--append", strg.toString(), extra.toString()), err());
        try (Batch b = Codec.deserialize(strg)) {
            assertEquals(4, b.size());
            assertArrayEquals(new byte[] {1}, b.get(0).toByteArray());
            assertArrayEquals(new byte[] {2, 2}, b.get(1).toByteArray());
            assertEquals(0, b.length(2));
        }

        Path outDir = dir.resolve("out");
        assertEquals(0, run("unpack", strg.toString(), outDir.toString()), err());
        assertEquals(List.of("00000000", "00000001", "00000002", "00000003"), list(outDir));
        assertArrayEquals(new byte[] {2, 2}, Files.readAllBytes(outDir.resolve("00000001")));

        Path allDir = dir.resolve("all");
        assertEquals(0, run("unpack", "--all", strg.toString(), allDir.toString()), err());
        assertEquals(5, list(allDir).size());
        assertArrayEquals("x".getBytes(), Files.readAllBytes(allDir.resolve("00000004")));

        assertEquals(0, run("pack", strg.toString(), extra.toString()), err());
        try (Batch b = Codec.deserialize(strg)) {
            assertEquals(1, b.size(), "without --append the file is replaced");
        }
    }

    private static List<String> list(Path d) throws Exception {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void inspectReportsCountsAndValidity() throws Exception {
        Path strg = dir.resolve("i.strg");
        Codec.write(strg, List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        Codec.write(strg, List.of(new byte[10]));
        assertEquals(0, run("inspect", strg.toString()), err());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("records: 2"), text);
        assertTrue(text.contains("blobs:   3"), text);
        assertTrue(text.contains("payload: 15 bytes"), text);
        assertTrue(text.contains("min/median/max: 2 / 3 / 10"), text);
        assertTrue(text.contains("valid:   yes"), text);
    }

    @Test
    void badInputExitsOneWithOneLineNamingFileReasonAndOffset() throws Exception {
        Path strg = dir.resolve("bad.strg");
        Codec.write(strg, List.of(new byte[] {1, 2, 3}));
        byte[] bytes = Files.readAllBytes(strg);
        Files.write(strg, Arrays.copyOf(bytes, bytes.length - 1));
        for (String command : List.of("inspect", "unpack")) {
            int status = command.equals("inspect") ? run("inspect", strg.toString())
                    : run("unpack", strg.toString(), dir.resolve("u").toString());
            assertEquals(1, status);
            String line = err().strip();
            assertEquals(1, line.lines().count(), line);
            assertEquals("sliver: " + strg + ": total_length 19 exceeds the 18 bytes remaining at byte 0", line);
        }
        assertEquals(1, run("inspect", dir.toString()));
        assertEquals("sliver: " + dir + ": is a directory, not a record file", err().strip());
        assertEquals(1, run("unpack", dir.resolve("missing").toString(), dir.toString()));
        assertEquals("sliver: " + dir.resolve("missing") + ": no such file or directory", err().strip());
    }

    @Test
    void verbosePrintsAStackTrace() {
        assertEquals(1, run("--verbose", "inspect", dir.resolve("missing").toString()));
        assertTrue(err().contains("\tat "), err());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run());
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("pack", "only-out.strg"));
        assertEquals(2, run("unpack", "x"));
        assertTrue(err().contains("usage: sliver"), err());
    }

    @Test
    void demoChecksWhatItReads() {
        assertEquals(0, run("demo"), err());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("10000 blobs of 50 bytes, all checked"));
    }
}
