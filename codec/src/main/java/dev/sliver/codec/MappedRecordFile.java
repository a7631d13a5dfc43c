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
import java.util.zip.CRC32C;

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
            if (index == null) { // no sidecar, or one open cannot take as it is: the survey decides and reports
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
     * The largest record whose CRC32C open checks at either end of the sidecar: a few of its pages,
     * never a read of a huge record at open.
     */
    static final long END_CRC_BYTES = 1 << 20;

    /**
     * The records' places from the sidecar, when it can stand in for a walk of every header: every
     * entry intact and chained from 0 within the data, and its first and last entries agreeing with
     * the records at their offsets (header and length table checked whole, and the CRC32C of a
     * record up to {@link #END_CRC_BYTES}, so that a stale sidecar must hold the very bytes at both
     * ends); the records after the last entry are walked. Else null: open surveys the whole file,
     * which finds what is wrong and says so.
     *
     * <p>The records between the first and the last are not read: reading one word of each would
     * fault in every page of the file, six times the cost of the rest of the open (issue 20). Each
     * is checked against its entry when {@link #get} takes it, and against its checksum by
     * {@link #verify()}. Nothing in the sidecar can place a record outside the data: the places
     * rise from 0 and the last ends within the file.
     */
    private static RecordPlaces fromSidecar(Path path, SegmentBytes bytes) throws IOException {
        RecordPlaces index;
        long lastOffset;
        long lastSize;
        int lastCrc;
        try (SidecarReader side = SidecarReader.open(path)) {
            if (!side.next() || side.size() > bytes.size()
                    || !agrees(new RecordWalk(bytes, path, 0, 0, false), bytes, side.size(), side.crc())) {
                return null; // no entries, or a sidecar of other bytes: refused before the rest is read
            }
            index = new RecordPlaces(side.entriesWithin(bytes.size()));
            index.add(side.offset(), true, side.crc(), path);
            side.addTo(index, bytes.size());
            if (side.next() || side.problem() != null) {
                return null; // an entry past the data (acknowledged records are missing) or a damaged one: the survey names it
            }
            lastOffset = side.offset();
            lastSize = side.size();
            lastCrc = side.crc();
        } catch (IOException e) {
            return null; // the survey reads the sidecar again and reports it
        }
        RecordWalk walk = new RecordWalk(bytes, path, lastOffset, index.size - 1, false);
        if (!agrees(walk, bytes, lastSize, lastCrc)) {
            return null;
        }
        for (RecordHeader header = walk.next(); header != null; header = walk.next()) {
            index.add(header.offset(), false, 0, path); // the records the sidecar does not list yet
        }
        if (walk.end() == RecordWalk.End.CORRUPT) {
            return null; // the survey tells a corrupt file from a sidecar that does not belong to it
        }
        index.validBytes = walk.position();
        return index;
    }

    /**
     * Whether the next record of {@code walk} is whole and consistent, of {@code size} bytes, and,
     * if at most {@link #END_CRC_BYTES}, of CRC32C {@code crc}.
     */
    private static boolean agrees(RecordWalk walk, SegmentBytes bytes, long size, int crc) throws IOException {
        RecordHeader header = walk.next();
        if (header == null || header.size() != size) {
            return false;
        }
        if (size > END_CRC_BYTES) {
            return true;
        }
        CRC32C actual = new CRC32C();
        bytes.crc(actual, header.offset(), header.end());
        return (int) actual.getValue() == crc;
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
                        + " disagrees with the " + size + " bytes its place at open gives it (the file changed, or its sidecar is "
                        + "stale: 'sliver repair' rebuilds it)");
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
