package dev.sliver.examples;

import dev.sliver.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code sliver inspect --json}: one well-formed JSON object on one line, read back by a strict parser. */
class InspectJsonTest {
    @TempDir
    Path dir;
    private final CliTestSupport cli = new CliTestSupport();

    /** Runs inspect, checks stdout is exactly one line holding one JSON object, and returns it. */
    private Map<?, ?> inspect(int status, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "inspect";
        System.arraycopy(args, 0, command, 1, args.length);
        assertEquals(status, cli.run(command), cli.err());
        String out = cli.out();
        assertTrue(out.endsWith("\n") && out.indexOf('\n') == out.length() - 1, "one line: " + out);
        return assertInstanceOf(Map.class, MiniJson.parse(out));
    }

    @Test
    void summaryOfAValidFile() throws Exception {
        Path strg = dir.resolve("i.strg");
        Codec.write(strg, List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        Codec.write(strg, List.of(new byte[10]));
        Map<?, ?> json = inspect(0, "--json", strg.toString());
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("file", strg.toString());
        expected.put("records", 2L);
        expected.put("blobs", 3L);
        expected.put("payload_bytes", 15L);
        expected.put("blob_size", Map.of("min", 2L, "median", 3L, "max", 10L, "median_of", 3L));
        expected.put("valid", true);
        expected.put("reason", null);
        expected.put("torn_tail_bytes", 0L);
        assertEquals(expected, json);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(json.keySet()), "a stable key order");
        assertEquals("", cli.err());
    }

    @Test
    void recordsAddOneObjectPerRecordWhateverTheOptionOrder() throws Exception {
        Path strg = dir.resolve("r.strg");
        long first = Codec.write(strg, List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        Codec.write(strg, List.of(new byte[10]));
        Map<?, ?> json = inspect(0, strg.toString(), "--records", "--json");
        assertEquals(List.of(
                Map.of("index", 0L, "offset", 0L, "blobs", 2L, "payload_bytes", 5L),
                Map.of("index", 1L, "offset", first, "blobs", 1L, "payload_bytes", 10L)), json.get("record_list"));
        assertEquals(2L, json.get("records"));
        assertNull(inspect(0, "--json", strg.toString()).get("record_list"), "only with --records");
    }

    @Test
    void anInvalidFileIsReportedInTheObjectAndExitsOne() throws Exception {
        Path strg = dir.resolve("bad.strg");
        long first = Codec.write(strg, List.of(new byte[] {1, 2, 3}));
        Codec.write(strg, List.of(new byte[] {4}));
        byte[] bytes = Files.readAllBytes(strg);
        bytes[(int) first + 16] = 2; // a length that no longer adds up: cut short, yet not a torn append
        Files.write(strg, Arrays.copyOf(bytes, bytes.length - 1));
        Map<?, ?> json = inspect(1, "--json", "--records", strg.toString());
        assertEquals(false, json.get("valid"));
        String reason = strg + ": total_length 17 exceeds the 16 bytes remaining at byte " + first;
        assertEquals(reason, json.get("reason"));
        assertEquals(1L, json.get("records"), "what was valid before the fault");
        assertEquals(1, ((List<?>) json.get("record_list")).size());
        assertEquals("sliver: " + reason, cli.errLine());

        Path empty = Files.write(dir.resolve("empty.strg"), new byte[0]);
        json = inspect(1, "--json", empty.toString());
        assertNull(json.get("blob_size"), "no blob, no sizes");
        assertEquals(0L, json.get("records"));
        assertEquals(empty + ": no record: the file is empty at byte 0", json.get("reason"));
    }

    @Test
    void aFileThatCannotBeOpenedPrintsNoHalfObject() {
        assertEquals(1, cli.run("inspect", "--json", dir.resolve("missing.strg").toString()));
        assertEquals("", cli.out());
        assertEquals("sliver: " + dir.resolve("missing.strg") + ": no such file or directory", cli.errLine());
        assertEquals(1, cli.run("inspect", "--json", "--records", dir.toString()));
        assertEquals("", cli.out());
        assertEquals("sliver: " + dir + ": is a directory, not a record file", cli.errLine());
    }

    @Test
    void fileNamesAreEscapedSoAnyNameReadsBackExactly() throws Exception {
        // ASCII only: a non-ASCII name needs a UTF-8 locale to exist at all (Json.quote's escapes
        // of non-ASCII are checked below, without the file system).
        String name = "q\"b\\s n\nt\tc\u0001d\u007f.strg";
        Path strg = dir.resolve(name);
        Codec.write(strg, List.of(new byte[] {1}));
        Map<?, ?> json = inspect(0, "--json", strg.toString());
        assertEquals(strg.toString(), json.get("file"));
        assertTrue(cli.out().chars().allMatch(c -> c >= 0x20 && c < 0x7f || c == '\n'),
                "printable ASCII whatever stdout's encoding: " + cli.out());
    }

    @Test
    void quoteEscapesWhatJsonRequires() {
        assertEquals("\"plain\"", Json.quote("plain"));
        assertEquals("\"\\\"\\\\\\n\\r\\t\\b\\f\"", Json.quote("\"\\\n\r\t\b\f"));
        assertEquals("\"\\u0000\\u001f\\u007f\\u00e9\\ud83d\\ude00\"", Json.quote("\u0000\u001f\u007fé😀"));
        assertEquals("null", Json.quoteOrNull(null));
    }
}
