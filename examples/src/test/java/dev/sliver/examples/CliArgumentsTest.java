package dev.sliver.examples;

import dev.sliver.codec.Codec;
import dev.sliver.core.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The tool parses like a GNU tool: options before or after operands, {@code --opt=value} or
 * {@code --opt value}, {@code --} ends options, help, exit 2 for usage errors.
 */
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
        assertEquals(2, cli.run("pack", out, in.toString(), "--bogus=1"), "after operands too");
        assertTrue(cli.err().startsWith("sliver: pack: unknown option '--bogus=1'"), cli.err());
        assertEquals(2, cli.run("pack", out, "--append=yes", in.toString()));
        assertTrue(cli.err().startsWith("sliver: pack: --append takes no value, got '--append=yes'"), cli.err());
        assertFalse(Files.exists(dir.resolve("out.strg")), "nothing is written on a usage error");
    }

    @Test
    void optionsMayFollowOperandsUnlessDoubleDashCameFirst() throws Exception {
        Path in = Files.write(dir.resolve("in"), new byte[] {1});
        Path out = dir.resolve("out.strg");
        assertEquals(0, cli.run("pack", out.toString(), in.toString()), cli.err());
        assertEquals(0, cli.run("pack", out.toString(), in.toString(), "--append"), cli.err());
        assertEquals(0, cli.run("pack", out.toString(), "--append", in.toString()), cli.err());
        assertEquals(3, Codec.readAll(out).stream().peek(Batch::close).count(), "both --append were taken as options");

        // After --, "--append" is a file to pack (there is none), not an option: OUT is left as it was.
        assertEquals(1, cli.run("pack", "--", out.toString(), in.toString(), "--append"));
        assertEquals("sliver: --append: no such file or directory", cli.errLine());
        assertEquals(3, Codec.readAll(out).stream().peek(Batch::close).count());

        Path unpacked = dir.resolve("unpacked");
        assertEquals(0, cli.run("unpack", out.toString(), unpacked.toString(), "--all", "--verbose"), cli.err());
        assertEquals(3, list(unpacked).size(), "--all after both operands");
    }

    @Test
    void aValueFollowsItsOptionAfterEqualsOrAsTheNextArgument() {
        Set<String> valued = Set.of("--port", "--bind");
        for (List<String> args : List.of(
                List.of("--port=7070", "--bind", "::1", "a", "b"),
                List.of("a", "--port", "7070", "b", "--bind=::1"),
                List.of("a", "b", "--bind=::1", "--port=7070"))) {
            Args parsed = Args.parse("serve", args, Set.of(), valued);
            assertEquals(List.of("a", "b"), parsed.operands(2, 2, "two"), args.toString());
            assertEquals(7070, parsed.intValue("--port", 0, 0, 65535), args.toString());
            assertEquals("::1", parsed.value("--bind", null), args.toString());
        }
        assertEquals("a=b", Args.parse("serve", List.of("--bind=a=b"), Set.of(), valued).value("--bind", null),
                "the value is everything after the first =");
        assertEquals("", Args.parse("serve", List.of("--bind="), Set.of(), valued).value("--bind", null));
        assertEquals("--bind", Args.parse("serve", List.of("--port", "--bind"), Set.of(), valued).value("--port", null),
                "a value is taken whatever it looks like, as getopt does");
        assertEquals(List.of("-", "--port=1"), Args.parse("serve", List.of("-", "--", "--port=1"), Set.of(), valued)
                .operands(0, 9, "any"), "after --, operands only; - alone is an operand");
        UsageException twice = assertThrows(UsageException.class,
                () -> Args.parse("serve", List.of("--port=1", "x", "--port", "2"), Set.of(), valued));
        assertEquals("serve: --port given twice", twice.getMessage());
        UsageException missing = assertThrows(UsageException.class,
                () -> Args.parse("serve", List.of("x", "--port"), Set.of(), valued));
        assertEquals("serve: --port needs a value", missing.getMessage());
    }

    @Test
    void fetchTakesItsTimeoutInEitherFormAfterItsOperands() throws Exception {
        Path served = Files.createDirectories(dir.resolve("served"));
        Codec.write(served.resolve("data.strg"), List.of(new byte[] {1, 2, 3}));
        try (Serve serve = new Serve(served, 0)) {
            String from = "127.0.0.1:" + serve.port();
            Path one = dir.resolve("one.strg");
            Path two = dir.resolve("two.strg");
            assertEquals(0, cli.run("fetch", from, "data.strg", one.toString(), "--timeout=5"), cli.err());
            assertEquals(0, cli.run("fetch", from, "--timeout", "5", "data.strg", two.toString()), cli.err());
            assertArrayEquals(Files.readAllBytes(served.resolve("data.strg")), Files.readAllBytes(one));
            assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two));
            assertEquals(2, cli.run("fetch", from, "data.strg", dir.resolve("three.strg").toString(), "--timeout=0"));
            assertTrue(cli.err().startsWith("sliver: fetch: --timeout needs a number from 1 to 86400, not '0'"), cli.err());
        }
    }

    private static List<String> list(Path d) throws Exception {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
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
        assertTrue(cli.out().startsWith("usage: sliver pack [--append] [--force] OUT.strg FILE|DIR..."), cli.out());
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
