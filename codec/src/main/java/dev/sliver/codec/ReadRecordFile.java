package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.MemoryAllocator;
import dev.sliver.core.Slice;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import static dev.sliver.codec.RecordFormat.U64;
import static dev.sliver.codec.RecordFormat.WORD;

/**
 * {@link RecordFile.Mode#READ}: the file read into one block of the allocator, a few MiB ahead of
 * the survey that checks it ({@link ReadingBytes}). Open rewrites
 * each length table into end offsets in place (so {@link #get} allocates nothing but the batch),
 * which is why a checksum derives the lengths back from them. The block is Sliver's own, so the
 * CRC32C intrinsic runs over it directly, under a reference that keeps it alive.
 */
final class ReadRecordFile extends RecordFile {
    private final MemorySegment segment;

    private ReadRecordFile(Path path, Slice memory, MemorySegment segment, RecordPlaces index) {
        super(path, memory, SegmentBytes.owned(segment, path), index);
        this.segment = segment;
    }

    static RecordFile open(Path path, ReadOptions options) throws IOException {
        MemoryAllocator allocator = options.allocator();
        try (FileChannel channel = DataFiles.openForRead(path)) {
            long fileSize = channel.size();
            checkFirstRecord(channel, path, fileSize);
            MemorySegment block;
            try {
                block = allocator.allocate(fileSize, WORD);
            } catch (OutOfMemoryError | RuntimeException e) {
                throw new IOException(path + ": cannot read its " + fileSize + " bytes into memory (" + Reasons.of(e)
                        + "); open it in MAP mode, at byte 0", e);
            }
            Slice memory = Slice.wrap(block, () -> allocator.free(block));
            try {
                ReadingBytes reading = new ReadingBytes(channel, block, path); // read as the survey walks it
                RecordPlaces index = new RecordPlaces();
                Survey survey = Survey.of(reading, path, true, false, index);
                if (survey.end == RecordWalk.End.CORRUPT) { // before reading the rest: a corrupt file of GiBs fails at once
                    throw survey.corruption;
                }
                reading.fill(fileSize); // what the survey did not need (a torn tail's zeros are all read)
                index.validBytes = survey.validBytes;
                report(path, survey.tailBytes(), survey.validBytes, survey.sidecarProblem);
                return new ReadRecordFile(path, memory, block, index);
            } catch (IOException | RuntimeException | Error e) {
                memory.release();
                throw e;
            }
        }
    }

    /** A file that is not a record file (junk, a text) fails on its first record, before its size is allocated. */
    private static void checkFirstRecord(FileChannel channel, Path path, long fileSize) throws IOException {
        RecordWalk first = new RecordWalk(new FileWindow(channel, path, fileSize, 64 * 1024), path, 0, 0, false);
        if (first.next() == null && first.end() == RecordWalk.End.CORRUPT) {
            throw first.corruption();
        }
    }

    @Override
    Batch record(int i) {
        long at = offsets[i];
        long total = segment.get(U64, at);
        int blobs = (int) segment.get(U64, at + WORD);
        long tableAt = at + 2 * WORD;
        long payloadAt = tableAt + (long) blobs * WORD;
        Slice payload = memory.slice(payloadAt, at + WORD + total);
        return Batch.of(payload, segment.asSlice(tableAt, (long) blobs * WORD)); // already end offsets
    }

    @Override
    int crcOf(int i) throws IOException {
        CRC32C crc = new CRC32C();
        long at = offsets[i];
        int blobs = (int) segment.get(U64, at + WORD);
        long tableAt = at + 2 * WORD;
        long payloadAt = tableAt + (long) blobs * WORD;
        bytes.crc(crc, at, tableAt);
        ByteBuffer lengths = ByteBuffer.allocate(WORD * Math.min(Math.max(blobs, 1), 8192)).order(ByteOrder.LITTLE_ENDIAN);
        long previous = 0;
        for (int b = 0; b < blobs; b++) {
            long blobEnd = segment.get(U64, tableAt + (long) b * WORD);
            lengths.putLong(blobEnd - previous);
            previous = blobEnd;
            if (!lengths.hasRemaining() || b == blobs - 1) {
                crc.update(lengths.flip());
                lengths.clear();
            }
        }
        bytes.crc(crc, payloadAt, at + sizeOf(i));
        return (int) crc.getValue();
    }
}
