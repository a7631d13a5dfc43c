package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static dev.sliver.codec.Records.concat;
import static dev.sliver.codec.Records.words;
import static org.junit.jupiter.api.Assertions.*;

/** Errors a user can act on: real names for channels, offsets to dd to, no "null". */
class ErrorMessagesTest {
    @TempDir
    Path dir;

    /** A good record of 37 bytes, then one whose single length (5) does not match its 4-byte payload. */
    private static byte[] goodThenBad() throws Exception {
        byte[] good = Records.serialize(List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        return concat(good, words(8 + 8 + 4, 1, 5), new byte[4]);
    }

    @Test
    void aFileChannelIsNamedByKindAndOffsetsAreAbsolute() throws Exception {
        Path file = Files.write(dir.resolve("two.strg"), goodThenBad());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Codec.deserialize(channel).close();
            CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> Codec.deserialize(channel));
            assertEquals("file channel: length of blob 0 (5) exceeds the 4 payload bytes left; lengths must sum to 4 at byte 53",
                    e.getMessage());
        }
    }

    @Test
    void theCallerCanNameTheSource() throws Exception {
        ReadableByteChannel stream = Channels.newChannel(new ByteArrayInputStream(words(7)));
        CorruptRecordException e = assertThrows(CorruptRecordException.class,
                () -> Codec.deserialize(stream, ReadOptions.defaults().withSourceName("orders.log")));
        assertEquals("orders.log: total_length 7 is smaller than the 8-byte count field at byte 0", e.getMessage());
        assertFalse(e.getMessage().contains("@"), "never an object hash");
    }

    @Test
    void aStreamReadWithOneReaderReportsOffsetsFromItsStart() throws Exception {
        byte[] bytes = goodThenBad();
        try (RecordReader reader = new RecordReader(Channels.newChannel(new ByteArrayInputStream(bytes)), "stream",
                ReadOptions.defaults())) {
            reader.next().close();
            CorruptRecordException e = assertThrows(CorruptRecordException.class, reader::next);
            assertEquals(53, e.offset());
        }
        ReadableByteChannel stream = Channels.newChannel(new ByteArrayInputStream(bytes));
        Codec.deserialize(stream).close();
        CorruptRecordException perCall = assertThrows(CorruptRecordException.class, () -> Codec.deserialize(stream));
        assertEquals("stream", perCall.source());
        assertEquals(16, perCall.offset(), "documented: a positionless channel counts from where the call started");
    }

    @Test
    void aClosedReaderSaysSoWithoutNull() throws Exception {
        Path file = Files.write(dir.resolve("one.strg"), Records.serialize(List.of(new byte[] {1})));
        RecordReader reader = RecordReader.open(file, ReadOptions.defaults());
        reader.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, reader::next);
        assertEquals("reader of " + file + " is closed", e.getMessage());
    }

    /** A reader that cannot be made (no options) says why and leaves no descriptor of the file it opened. */
    @Test
    void aReaderThatCannotBeMadeClosesTheFileItOpened() throws Exception {
        Path file = Files.write(dir.resolve("one.strg"), Records.serialize(List.of(new byte[] {1})));
        for (boolean readAhead : new boolean[] {true, false}) {
            NullPointerException e = assertThrows(NullPointerException.class, () -> RecordReader.open(file, null, readAhead));
            assertEquals("options", e.getMessage());
            assertTrue(Records.openDescriptors(file) <= 0, "the file is closed again");
        }
    }

    /** What a message quotes from an exception: a file-system error's reason, else its message, else its type; never "null". */
    @Test
    void quotedReasonsAreNeverNull() {
        assertEquals("Is a directory", Reasons.of(new java.nio.file.FileSystemException("/x", null, "Is a directory")));
        assertEquals("/x", Reasons.of(new java.nio.file.FileSystemException("/x")));
        assertEquals("permission denied", Reasons.of(new java.nio.file.AccessDeniedException("/x")));
        assertEquals("IOException", Reasons.of(new java.io.IOException()));
    }
}
