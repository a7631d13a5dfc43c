package dev.sliver.examples;

import dev.sliver.codec.Codec;
import dev.sliver.core.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ServeFetchTest {
    @Test
    void fetchReceivesEveryRecordOfAServedFile(@TempDir Path dir) throws Exception {
        Path served = Files.createDirectories(dir.resolve("served"));
        Path file = served.resolve("data.strg");
        Codec.write(file, List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        Codec.write(file, List.of(new byte[70_000], "tail".getBytes()));
        Path out = dir.resolve("copy.strg");
        try (Serve serve = new Serve(served, 0)) {
            long[] counts = Fetch.fetch("127.0.0.1", serve.port(), "data.strg", out);
            assertEquals(2, counts[0]);
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(out));
            List<Batch> records = Codec.readAll(out);
            assertEquals("tail", new String(records.get(1).get(1).toByteArray()));
            records.forEach(Batch::close);

            IOException missing = assertThrows(IOException.class, () -> Fetch.fetch("127.0.0.1", serve.port(), "nope.strg", dir.resolve("x")));
            assertTrue(missing.getMessage().contains("no such file 'nope.strg'"), missing.getMessage());
            IOException escape = assertThrows(IOException.class, () -> Fetch.fetch("127.0.0.1", serve.port(), "../copy.strg", dir.resolve("y")));
            assertTrue(escape.getMessage().contains("invalid name"), escape.getMessage());
            assertFalse(Files.exists(dir.resolve("x")), "nothing is written on failure");
        }
    }
}
