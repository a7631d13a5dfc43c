package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.MemoryAllocator;
import dev.sliver.core.Slice;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static dev.sliver.codec.RecordFormat.U64;
import static dev.sliver.codec.RecordFormat.WORD;

/**
 * {@link Codec#map(Path, ReadOptions)}: the first record of a file, its blobs views of a mapping
 * of the whole file that lives as long as the batch and every view retained from it. (A whole
 * file of records, mapped, is {@link RecordFile} in MAP mode.)
 */
final class MappedFirstRecord {
    private MappedFirstRecord() {
    }

    static Batch map(Path path, ReadOptions options) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment file;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                try {
                    file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
                } catch (IOException e) {
                    // The JDK's message (a directory gives "No such device") names neither file nor offset.
                    throw new IOException(path + ": cannot map: " + Reasons.of(e) + " at byte 0", e);
                }
            }
            return mapRecord(file, path, options.allocator(), arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static Batch mapRecord(MemorySegment file, Path source, MemoryAllocator allocator, Arena arena)
            throws CorruptRecordException {
        long size = file.byteSize();
        if (size < 2 * WORD) {
            throw new CorruptRecordException(source.toString(), size, size == 0 ? "no record: the file is empty"
                    : "truncated record: expected at least 16 header bytes, got " + size);
        }
        long total = file.get(U64, 0);
        RecordHeader header = RecordHeader.parse(total, file.get(U64, WORD), size - WORD, true, source, 0);
        int count = header.count();
        long tableEnd = header.payloadOffset();
        MemorySegment ends = allocator.allocate((long) count * WORD, WORD);
        try {
            RecordFormat.lengthsToEnds(file.asSlice(2 * WORD, (long) count * WORD), ends, count,
                    WORD + total - tableEnd, source, 2 * WORD);
        } catch (CorruptRecordException | RuntimeException e) {
            allocator.free(ends);
            throw e;
        }
        // Closing the arena unmaps the file; if a thread is still writing a view to a channel, the
        // close waits for it (see Slice.wrap), so the releasing thread never fails for it.
        Slice payload = Slice.wrap(file.asSlice(tableEnd, WORD + total - tableEnd), arena, () -> allocator.free(ends));
        return Batch.of(payload, ends);
    }
}
