package dev.sliver.examples;

import dev.sliver.codec.Codec;
import dev.sliver.core.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The tool parses like a Unix tool: options before operands, {@code --}, help, exit 2 for usage errors. */
class CliArgumentsTest {
    @TempDir
    Path dir;
    private final CliTestSupport cli = new CliTestSupport();

    @Test
    void aRepeatedOrUnknownOptionIsAUsageError() throws Exception {
        Path in = Files.write(dir.resolve("in"), new byte[] {1});
        String out = dir.resolve("out.strg").toString();
        assertEquals(2, cli.run("pack", "--append", "--append", out, in.toString()));
        assertTrue(cli.err().startsWith("sliver: pack: --append given twice\nusage: sliver pack "), cli.err());
        assertEquals(2, cli.run("pack", "--bogus", out, in.toString()));
        assertTrue(cli.err().startsWith("sliver: pack: unknown option '--bogus'"), cli.err());
        assertEquals(2, cli.run("pack", out, "--append", in.toString()));
        assertTrue(cli.err().contains("options go before operands"), cli.err());
        assertFalse(Files.exists(dir.resolve("out.strg")), "nothing is written on a usage error");
    }

    @Test
    void doubleDashEndsOptionsSoAFileNamedLikeAnOptionCanBePacked() throws Exception {
        Path odd = Files.write(dir.resolve("--x"), new byte[] {7, 7});
        Path out = dir.resolve("out.strg");
        assertEquals(0, cli.run("pack", "--", out.toString(), odd.toString()), cli.err());
        try (Batch b = Codec.deserialize(out)) {
            assertArrayEquals(new byte[] {7, 7}, b.get(0).toByteArray());
        }
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        assertEquals(0, cli.run("help"));
        assertTrue(cli.out().contains("usage: sliver"), cli.out());
        assertEquals(0, cli.run("help", "pack"));
        assertTrue(cli.out().startsWith("usage: sliver pack [--append] OUT.strg FILE|DIR..."), cli.out());
        assertEquals(0, cli.run("unpack", "--help"));
        assertTrue(cli.out().startsWith("usage: sliver unpack "), cli.out());
        assertEquals(0, cli.run("--help"));
        assertEquals(2, cli.run("help", "frobnicate"));
    }

    @Test
    void badNumbersAreUsageErrors() {
        assertEquals(2, cli.run("serve", "--port", "99999", dir.toString()));
        assertTrue(cli.err().startsWith("sliver: serve: --port needs a number from 0 to 65535, not '99999'"), cli.err());
        assertEquals(2, cli.run("fetch", "127.0.0.1:99999", "a.strg", dir.resolve("o").toString()));
        assertEquals(2, cli.run("serve", "--port", dir.toString()), "a missing value");
        assertEquals(2, cli.run("fetch", "--timeout", "0", "127.0.0.1:1", "a.strg", "o"));
    }

    @Test
    void unpackOfAMissingFileCreatesNothing() {
        Path newDir = dir.resolve("newdir");
        assertEquals(1, cli.run("unpack", dir.resolve("nosuch.strg").toString(), newDir.toString()));
        assertEquals("sliver: " + dir.resolve("nosuch.strg") + ": no such file or directory", cli.errLine());
        assertFalse(Files.exists(newDir), "DIR is created only once the input's first header was read");
    }

    @Test
    void unpackOfAFileWhoseFirstRecordIsBadCreatesNothing() throws Exception {
        Path bad = Files.write(dir.resolve("bad.strg"), CliTestSupport.words(1L << 40, 1));
        Path newDir = dir.resolve("newdir");
        assertEquals(1, cli.run("unpack", bad.toString(), newDir.toString()));
        assertTrue(cli.errLine().startsWith("sliver: " + bad + ": total_length 1099511627776 exceeds"), cli.err());
        assertFalse(Files.exists(newDir));
    }
}
