package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.MemoryAllocator;
import dev.sliver.core.Slice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import static dev.sliver.codec.RecordFormat.U64;
import static dev.sliver.codec.RecordFormat.WORD;

/**
 * {@link RecordFile.Mode#MAP}: the file mapped read-only in one mapping. The mapping is not
 * Sliver's to protect: another program may truncate or rewrite the file. So every read goes
 * through {@code MemorySegment} accessors (a vanished page becomes an exception, never a SIGBUS),
 * checksums copy through the heap ({@link SegmentBytes#mapped}), and {@link #get} checks each
 * record against the size found at open and the format before returning it. The lengths are
 * turned into end offsets in a table of the batch's own (the mapping is read-only).
 */
final class MappedRecordFile extends RecordFile {
    /**
     * A batch of at most this many blobs gets its end-offset table on the heap (at most 64 KiB,
     * written little-endian like any table); a larger one from the allocator, off the heap.
     */
    static final int HEAP_TABLE_BLOBS = 8192;

    private final MemorySegment segment;
    private final MemoryAllocator allocator;

    private MappedRecordFile(Path path, Slice memory, MemorySegment segment, RecordPlaces index, MemoryAllocator allocator) {
        super(path, memory, SegmentBytes.mapped(segment, path), index);
        this.segment = segment;
        this.allocator = allocator;
    }

    static RecordFile open(Path path, ReadOptions options) throws IOException {
        MemorySegment segment;
        Arena arena = Arena.ofShared();
        try (FileChannel channel = DataFiles.openForRead(path)) {
            segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        } catch (java.nio.file.FileSystemException e) {
            arena.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw new IOException(path + ": cannot map: " + Reasons.of(e) + " at byte 0", e);
        }
        Slice memory = Slice.wrap(segment, arena, () -> { });
        try {
            SegmentBytes bytes = SegmentBytes.mapped(segment, path);
            RecordPlaces index = fromSidecar(path, bytes);
            String sidecarProblem = null;
            if (index != null) { // only the records after the sidecar's last entry are scanned
                RecordWalk walk = new RecordWalk(bytes, path, index.validBytes, index.size, false);
                for (RecordHeader header = walk.next(); header != null; header = walk.next()) {
                    index.add(header.offset(), false, 0, path);
                }
                if (walk.end() == RecordWalk.End.CORRUPT) {
                    throw walk.corruption();
                }
                index.validBytes = walk.position();
            } else {
                index = new RecordPlaces();
                Survey survey = Survey.of(bytes, path, false, false, index);
                if (survey.end == RecordWalk.End.CORRUPT) {
                    throw survey.corruption;
                }
                index.validBytes = survey.validBytes;
                sidecarProblem = survey.sidecarProblem;
            }
            report(path, bytes.size() - index.validBytes, index.validBytes, sidecarProblem);
            return new MappedRecordFile(path, memory, segment, index, options.allocator());
        } catch (InternalError fault) {
            memory.release();
            throw new IOException(path + ": the file shrank while it was opened (truncated by another program?)", fault);
        } catch (IOException | RuntimeException | Error e) {
            memory.release();
            throw e;
        }
    }

    /**
     * The sidecar's entries, when they can stand in for a header scan: a sidecar of this data
     * whose every entry lies within the file and agrees with the total_length at its offset (a
     * stale sidecar of an earlier file fails that); else null, and open surveys the whole file.
     * Only total_length is read per record; each record's count and lengths are checked by
     * {@link #get}.
     */
    private static RecordPlaces fromSidecar(Path path, SegmentBytes bytes) {
        try (Sidecar.Reader side = Sidecar.Reader.open(path, bytes.size())) {
            RecordPlaces index = new RecordPlaces();
            long lastOffset = 0;
            long lastSize = 0;
            while (side.next()) {
                if (side.size() > bytes.size() - side.offset() || bytes.u64(side.offset()) != side.size() - WORD) {
                    return null; // missing or different records: the survey finds which and says so
                }
                index.add(side.offset(), true, side.crc(), path);
                lastOffset = side.offset();
                lastSize = side.size();
            }
            if (side.problem() != null || index.size == 0) {
                return null;
            }
            index.validBytes = lastOffset + lastSize;
            return index;
        } catch (IOException e) {
            return null; // the survey reads the sidecar again and reports it
        }
    }

    @Override
    Batch record(int i) {
        long at = offsets[i];
        long size = sizeOf(i);
        RecordName source = new RecordName(path, i); // a string only for an error: not one per record
        try {
            long total = segment.get(U64, at);
            if (total != size - WORD) {
                throw new CorruptRecordException(source.toString(), at, "total_length " + Long.toUnsignedString(total)
                        + " disagrees with the " + size + " bytes the record had at open (the file changed?)");
            }
            RecordHeader header = RecordHeader.parse(total, segment.get(U64, at + WORD), total, true, source, at);
            MemorySegment lengths = segment.asSlice(header.tableOffset(), header.tableBytes());
            if (header.count() <= HEAP_TABLE_BLOBS) { // the common record: no allocator round trip, one Slice fewer
                MemorySegment ends = MemorySegment.ofArray(new long[header.count()]);
                RecordFormat.lengthsToEnds(lengths, ends, header.count(), header.payloadBytes(), source,
                        header.tableOffset());
                return Batch.of(memory.slice(header.payloadOffset(), header.end()), ends);
            }
            MemorySegment ends = allocator.allocate(header.tableBytes(), WORD);
            try {
                RecordFormat.lengthsToEnds(lengths, ends, header.count(), header.payloadBytes(), source,
                        header.tableOffset());
            } catch (CorruptRecordException | RuntimeException | Error e) {
                allocator.free(ends);
                throw e;
            }
            Slice payload = memory.slice(header.payloadOffset(), header.end());
            Slice owned = Slice.wrap(payload.asSegment(), () -> {
                allocator.free(ends);
                payload.release();
            });
            return Batch.of(owned, ends);
        } catch (CorruptRecordException e) {
            throw new UncheckedIOException(e);
        } catch (InternalError fault) {
            throw new UncheckedIOException(((SegmentBytes) bytes).vanished(at, fault));
        }
    }

    @Override
    int crcOf(int i) throws IOException {
        return crc(offsets[i], offsets[i] + sizeOf(i));
    }

    /** Record {@code index} of {@code file}, as errors name it. */
    private record RecordName(Path file, int index) {
        @Override
        public String toString() {
            return file + " (record " + index + ")";
        }
    }
}
