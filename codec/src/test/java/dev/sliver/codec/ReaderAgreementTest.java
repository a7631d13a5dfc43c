package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.sliver.codec.Records.concat;
import static dev.sliver.codec.Records.words;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every reader of records over one shared set of valid, torn and corrupt inputs, so that they can
 * never disagree again (issue 17): streaming readers (a file channel, a stream that returns one
 * byte per read, tryDeserialize in a loop, positional reads, the scanner) return the same leading
 * records and then end cleanly or throw; the file readers (RecordFile in both modes, the survey
 * behind the appender and the tools) return the same records and ignore a torn tail, or throw for
 * corruption.
 */
class ReaderAgreementTest {
    @TempDir
    Path dir;

    enum Ending { CLEAN, TORN, CORRUPT }

    /** An input: its bytes, the records before its end, and how it ends. */
    record Input(String name, byte[] bytes, List<List<byte[]>> records, Ending ending) {
    }

    static List<Input> inputs() throws IOException {
        Random random = new Random(17);
        List<List<byte[]>> records = new ArrayList<>();
        records.add(List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        records.add(List.of());
        records.add(List.of(new byte[0], new byte[0], new byte[] {9}));
        for (int i = 0; i < 3; i++) {
            records.add(Records.randomBlobs(random).stream().limit(20).toList());
        }
        List<byte[]> encoded = new ArrayList<>();
        for (List<byte[]> record : records) {
            encoded.add(Records.serialize(record));
        }
        byte[] whole = concat(encoded.toArray(byte[][]::new));
        int lastStart = whole.length - encoded.getLast().length;
        List<List<byte[]>> allButLast = records.subList(0, records.size() - 1);

        List<Input> inputs = new ArrayList<>();
        inputs.add(new Input("valid", whole, records, Ending.CLEAN));
        inputs.add(new Input("empty", new byte[0], List.of(), Ending.CLEAN));
        for (int cut = lastStart + 1; cut < whole.length; cut += Math.max(1, (whole.length - lastStart) / 40)) {
            inputs.add(new Input("cut at " + cut, java.util.Arrays.copyOf(whole, cut), allButLast, Ending.TORN));
        }
        inputs.add(new Input("zero tail", concat(whole, new byte[5000]), records, Ending.TORN));
        byte[] flippedTotal = whole.clone();
        flippedTotal[lastStart + 6] ^= 0x40; // the last record's total_length now runs past the end
        inputs.add(new Input("flipped total", flippedTotal, allButLast, Ending.CORRUPT));
        byte[] flippedLength = whole.clone();
        flippedLength[lastStart + 16] ^= 0x01; // its first length: the lengths no longer add up
        inputs.add(new Input("flipped length", flippedLength, allButLast, Ending.CORRUPT));
        inputs.add(new Input("count too big", concat(whole, words(16, 9, 1, 1)), records, Ending.CORRUPT));
        inputs.add(new Input("total too small", concat(whole, words(4, 0)), records, Ending.CORRUPT));
        inputs.add(new Input("zeros then bytes", concat(whole, new byte[32], new byte[] {1}), records, Ending.CORRUPT));
        inputs.add(new Input("text", "not a record file at all, just text\n".getBytes(), List.of(), Ending.CORRUPT));
        return inputs;
    }

    /** A channel that gives one byte per read: nothing may depend on how a source splits its bytes. */
    private static ReadableByteChannel oneBytePerRead(byte[] bytes) {
        return new ReadableByteChannel() {
            private int at;

            @Override
            public int read(ByteBuffer dst) {
                if (at == bytes.length) {
                    return -1;
                }
                dst.put(bytes[at++]);
                return 1;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void everyReaderAgreesOnEveryInput() throws Exception {
        for (Input input : inputs()) {
            Path file = dir.resolve("input.strg");
            Files.write(file, input.bytes());
            Files.deleteIfExists(RecordFiles.sidecarOf(file));
            Map<String, Streamed> streamed = new LinkedHashMap<>();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                streamed.put("RecordReader(file)", stream(new RecordReader(channel, file, ReadOptions.defaults())::next));
            }
            streamed.put("RecordReader(1 byte per read)", stream(new RecordReader(oneBytePerRead(input.bytes()), "s",
                    ReadOptions.defaults())::next));
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                streamed.put("RecordReader.readingAhead(file)",
                        stream(RecordReader.readingAhead(channel, file, ReadOptions.defaults())::next));
            }
            streamed.put("RecordReader.readingAhead(1 byte per read)",
                    stream(RecordReader.readingAhead(oneBytePerRead(input.bytes()), "s", ReadOptions.defaults())::next));
            try (RecordReader reader = RecordReader.open(file, ReadOptions.defaults())) {
                streamed.put("RecordReader.open(path)", stream(reader::next));
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                streamed.put("tryDeserialize", stream(() -> Codec.tryDeserialize(channel, ReadOptions.defaults())));
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                long[] at = {0};
                streamed.put("deserialize(file, position)", stream(() -> {
                    if (at[0] == channel.size()) {
                        return null;
                    }
                    Batch batch = Codec.deserialize(channel, at[0]);
                    at[0] += 16 + 8L * batch.size() + batch.totalBytes();
                    return batch;
                }));
            }
            streamed.put("RecordScanner", scan(file));
            for (Map.Entry<String, Streamed> reader : streamed.entrySet()) {
                String what = input.name() + ", " + reader.getKey();
                Streamed got = reader.getValue();
                assertEquals(input.records().size(), got.records.size(), what + ": records before the end");
                for (int i = 0; i < got.records.size(); i++) {
                    if (got.records.get(i) != null) {
                        assertSameRecord(input.records().get(i), got.records.get(i), what + ", record " + i);
                    }
                }
                assertEquals(input.ending() == Ending.CLEAN, got.failure == null, what + ": " + got.failure);
            }
            for (RecordFile.Mode mode : RecordFile.Mode.values()) {
                String what = input.name() + ", RecordFile " + mode;
                try (RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults())) {
                    assertTrue(input.ending() != Ending.CORRUPT, what + ": opened a corrupt file");
                    assertEquals(input.records().size(), records.size(), what);
                    for (int i = 0; i < records.size(); i++) {
                        try (Batch batch = records.get(i)) {
                            assertSameRecord(input.records().get(i), Records.toArrays(batch), what + ", record " + i);
                        }
                    }
                    assertEquals(input.ending() == Ending.TORN, records.tornBytes() > 0, what);
                } catch (CorruptRecordException e) {
                    assertEquals(Ending.CORRUPT, input.ending(), what + ": " + e.getMessage());
                    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
                }
            }
            RecordFiles.Report report = RecordFiles.check(file);
            assertEquals(input.records().size(), report.records(), input.name() + ", check");
            assertEquals(input.ending().name(), report.tail() == RecordFiles.Tail.NONE ? "CLEAN" : report.tail().name(),
                    input.name() + ", check");
        }
    }

    private static void assertSameRecord(List<byte[]> expected, List<byte[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int b = 0; b < expected.size(); b++) {
            assertArrayEquals(expected.get(b), actual.get(b), what + ", blob " + b);
        }
    }

    /** What a streaming reader returned before it ended, and why it ended (null: a clean end). */
    record Streamed(List<List<byte[]>> records, IOException failure) {
    }

    @FunctionalInterface
    interface Next {
        Batch next() throws IOException;
    }

    private static Streamed stream(Next next) {
        List<List<byte[]>> records = new ArrayList<>();
        try {
            for (Batch batch = next.next(); batch != null; batch = next.next()) {
                try (Batch taken = batch) {
                    records.add(Records.toArrays(taken));
                }
            }
            return new Streamed(records, null);
        } catch (CorruptRecordException e) {
            return new Streamed(records, e);
        } catch (IOException e) {
            return fail(e);
        }
    }

    private static Streamed scan(Path file) {
        List<List<byte[]>> records = new ArrayList<>();
        try (RecordScanner scanner = RecordScanner.open(file)) {
            while (scanner.next((index, offset, length) -> { }) != null) {
                records.add(null); // the scanner sees headers only: counted, not compared
            }
            return new Streamed(records, null);
        } catch (CorruptRecordException e) {
            return new Streamed(records, e);
        } catch (IOException e) {
            return fail(e);
        }
    }
}
