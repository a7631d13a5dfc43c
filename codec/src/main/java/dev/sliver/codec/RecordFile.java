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
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

import static dev.sliver.codec.RecordFormat.U64;
import static dev.sliver.codec.RecordFormat.WORD;

/**
 * An open file of records, whole, in one segment: read into one block of the allocator
 * ({@link Mode#READ}) or mapped in one mapping ({@link Mode#MAP}, for files of any size, larger
 * than RAM included). Every record's header and length table is checked at open (not the
 * payloads); {@link #get} then returns record {@code i} in O(1) as a {@link Batch} of views into
 * that one segment.
 *
 * <p><b>Torn tails.</b> A crash during an append can leave the file ending inside a record: fewer
 * than 16 bytes, or a record whose declared length runs past the end. Open stops at the last
 * complete record and says where it ends ({@link #validBytes()}) and how many bytes follow it
 * ({@link #tornBytes()}, also logged at WARNING); those bytes are ignored, never returned.
 * A record that is complete but inconsistent (a count or lengths that do not add up) is
 * corruption, not a torn tail: open throws a {@link CorruptRecordException} naming the file,
 * the record's index and the byte offset.
 *
 * <p><b>Lifetimes.</b> The file's memory is freed (or unmapped) once the file is closed and every
 * batch and retained slice taken from it is released, whatever the order. Heap cost: one
 * {@code long} per record for its offset, and a constant number of objects per {@link #get}.
 *
 * <p><b>Opening with the sidecar.</b> In MAP mode, when the sidecar {@code FILE.idx} is intact and
 * within the file, open takes the records' places from it instead of scanning their headers
 * (only the records after its last entry are scanned): opening costs the sidecar's size, not the
 * data's. Each such record is then checked against its entry and the format when {@link #get}
 * takes it, and a mismatch throws an {@link java.io.UncheckedIOException} whose cause is a
 * {@link CorruptRecordException} naming the record and offset.
 *
 * <p><b>Integrity.</b> If the sidecar {@code FILE.idx} written by {@link RecordAppender} is there,
 * its CRC32C checksums are taken for the records it agrees with; {@link #verify()} checks them
 * and {@link #getVerified} checks one record before returning it. A sidecar that disagrees
 * with the data is reported (WARNING) and not trusted from the first disagreeing entry on.
 *
 * <p>Thread-safe: any number of threads may call {@link #get} at once; close after they are done.
 */
public final class RecordFile implements Iterable<Batch>, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RecordFile.class.getName());
    private static final int MAX_READ = 1 << 30;

    /** How the file gets into memory. */
    public enum Mode {
        /** Read into one block of {@link ReadOptions#allocator()}: touched memory, fastest to visit. */
        READ,
        /** Mapped read-only in one mapping: nothing is read until visited; files larger than RAM work. */
        MAP
    }

    private final Path path;
    private final Mode mode;
    private final MemoryAllocator allocator;
    /** Holds the file's one segment; its last release frees or unmaps it. */
    private final Slice memory;
    private final MemorySegment segment;
    private final long[] offsets;
    private final int size;
    private final long validBytes;
    /** Records 0..uncheckedRecords-1 came from the sidecar, unscanned: {@link #get} checks each against its entry. */
    private int uncheckedRecords;
    private RecordIndex indexedSizes;
    /** CRC32C of records 0..checksummed-1, from the sidecar entries that agree with the data. */
    private int[] crcs = new int[0];
    private int checksummed;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private RecordFile(Path path, Mode mode, MemoryAllocator allocator, Slice memory, MemorySegment segment,
                       long[] offsets, int size, long validBytes) {
        this.path = path;
        this.mode = mode;
        this.allocator = allocator;
        this.memory = memory;
        this.segment = segment;
        this.offsets = offsets;
        this.size = size;
        this.validBytes = validBytes;
    }

    /** Reads the file at {@code path} into one block of the default allocator. */
    public static RecordFile open(Path path) throws IOException {
        return open(path, Mode.READ, ReadOptions.defaults());
    }

    /**
     * Opens the file at {@code path} in {@code mode}; the records' memory comes from
     * {@code options.allocator()} (the whole file in READ mode, only each batch's offset table in
     * MAP mode).
     *
     * @throws CorruptRecordException if a complete record is inconsistent
     */
    public static RecordFile open(Path path, Mode mode, ReadOptions options) throws IOException {
        Objects.requireNonNull(mode, "mode");
        MemoryAllocator allocator = options.allocator();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            Slice memory;
            MemorySegment segment;
            if (mode == Mode.MAP) {
                Arena arena = Arena.ofShared();
                try {
                    segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize, arena);
                } catch (IOException | RuntimeException e) {
                    arena.close();
                    throw new IOException(path + ": cannot map: " + Reasons.of(e) + " at byte 0", e);
                }
                memory = Slice.wrap(segment, arena, () -> { });
            } else {
                MemorySegment block = allocator.allocate(fileSize, WORD);
                try {
                    readFully(channel, block, path);
                } catch (IOException | RuntimeException | Error e) {
                    allocator.free(block);
                    throw e;
                }
                segment = block;
                memory = Slice.wrap(block, () -> allocator.free(block));
            }
            try {
                return scan(path, mode, allocator, memory, segment, mode == Mode.MAP ? trustedPrefix(path, fileSize) : null);
            } catch (IOException | RuntimeException | Error e) {
                memory.release();
                throw e;
            }
        }
    }

    private static void readFully(FileChannel channel, MemorySegment block, Path path) throws IOException {
        for (long at = 0; at < block.byteSize(); ) {
            var buffer = block.asSlice(at, Math.min(MAX_READ, block.byteSize() - at)).asByteBuffer();
            while (buffer.hasRemaining()) {
                int n;
                try {
                    n = channel.read(buffer, at + buffer.position());
                } catch (IOException e) {
                    throw new IOException(path + ": " + Reasons.of(e) + " at byte " + (at + buffer.position()), e);
                }
                if (n < 0) {
                    throw new IOException(path + ": the file shrank while it was read at byte " + (at + buffer.position()));
                }
            }
            at += buffer.capacity();
        }
    }

    /**
     * The sidecar's entries, when they can stand in for a header scan of a mapped file: readable,
     * unbroken, and within the file (each record is still checked against its entry when first
     * taken, see {@link #get}); else null, and open scans every header.
     */
    private static RecordIndex trustedPrefix(Path path, long fileSize) {
        try {
            RecordIndex index = RecordIndex.read(RecordIndex.sidecarOf(path));
            return index.problem == null && index.count() > 0 && index.end() <= fileSize ? index : null;
        } catch (IOException e) {
            return null; // reported by loadChecksums
        }
    }

    /**
     * Walks every header and length table (after the {@code indexed} records, if the sidecar gave
     * their places); in READ mode rewrites each length table into end offsets.
     */
    private static RecordFile scan(Path path, Mode mode, MemoryAllocator allocator, Slice memory, MemorySegment file,
                                   RecordIndex indexed) throws CorruptRecordException {
        long fileSize = file.byteSize();
        long[] offsets = new long[16];
        int count = 0;
        long at = 0;
        if (indexed != null) { // O(1) in the data: the sidecar's offsets, then a scan of what it lacks
            offsets = new long[Math.max(16, indexed.count() + 16)];
            for (int i = 0; i < indexed.count(); i++) {
                offsets[i] = indexed.offset(i);
            }
            count = indexed.count();
            at = indexed.end();
        }
        while (at < fileSize) {
            long total = fileSize - at < 2 * WORD ? 0 : file.get(U64, at);
            if (RecordFormat.isTornTail(fileSize - at, total)) {
                break;
            }
            String source = path + " (record " + count + ")";
            RecordFormat.checkTotal(total, fileSize - at - WORD, true, source, at);
            int blobs = RecordFormat.checkCount(file.get(U64, at + WORD), total, source, at + WORD);
            MemorySegment table = file.asSlice(at + 2 * WORD, (long) blobs * WORD);
            long payload = total - WORD - (long) blobs * WORD;
            if (mode == Mode.READ) {
                RecordFormat.lengthsToEnds(table, table, blobs, payload, source, at + 2 * WORD);
            } else {
                RecordFormat.checkSum(RecordFormat.addLengths(table, null, blobs, payload, 0, 0, source, at + 2 * WORD),
                        payload, source, at + 2 * WORD);
            }
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count * 2);
            }
            offsets[count++] = at;
            at += WORD + total;
        }
        if (at < fileSize) {
            LOG.log(System.Logger.Level.WARNING, path + ": " + (fileSize - at) + " bytes after the last complete record "
                    + "(a torn append?) are ignored, from byte " + at);
        }
        RecordFile records = new RecordFile(path, mode, allocator, memory, file, offsets, count, at);
        records.uncheckedRecords = indexed == null ? 0 : indexed.count();
        records.indexedSizes = indexed;
        records.loadChecksums();
        return records;
    }

    /**
     * Takes the checksums of the sidecar entries that agree with the records found; reports
     * (WARNING) a sidecar that is unreadable or disagrees, and then trusts none of it from there.
     */
    private void loadChecksums() {
        Path sidecar = RecordIndex.sidecarOf(path);
        RecordIndex index = indexedSizes;
        if (index == null) {
            try {
                index = RecordIndex.read(sidecar);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, Reasons.of(e) + "; no checksums for " + path);
                return;
            }
        }
        if (index.problem != null) {
            LOG.log(System.Logger.Level.WARNING, index.problem + "; its entries from there are not trusted");
        }
        int agree = uncheckedRecords; // taken from this very index: their headers are checked by get and verify
        while (agree < index.count() && agree < size && index.offset(agree) == offsets[agree]
                && index.size(agree) == WORD + segment.get(U64, offsets[agree])) {
            agree++;
        }
        if (agree < index.count()) {
            LOG.log(System.Logger.Level.WARNING, sidecar + ": entry " + agree + " disagrees with " + path
                    + (agree < size ? " at byte " + offsets[agree] : " (it has only " + size + " complete records)")
                    + "; checksums are used for the first " + agree + " records only");
        }
        crcs = new int[agree];
        for (int i = 0; i < agree; i++) {
            crcs[i] = index.crc(i);
        }
        checksummed = agree;
    }

    /** The number of complete records. */
    public int size() {
        return size;
    }

    /** The byte offset of record {@code i} in the file. */
    public long offset(int i) {
        return offsets[Objects.checkIndex(i, size)];
    }

    /** Where the last complete record ends: the length a recovered file should have. */
    public long validBytes() {
        return validBytes;
    }

    /** Bytes after the last complete record (a torn append), ignored; 0 for a clean file. */
    public long tornBytes() {
        return segment.byteSize() - validBytes;
    }

    /** The file's path. */
    public Path path() {
        return path;
    }

    /**
     * Record {@code i} as a batch of views into the file's segment, in O(1) (MAP mode: plus one
     * pass over its length table). The batch keeps the file's memory alive: close it.
     *
     * @throws IllegalStateException if this file is closed
     */
    public Batch get(int i) {
        if (closed.get()) {
            throw new IllegalStateException(path + " is closed");
        }
        long at = offset(i);
        if (i < uncheckedRecords) {
            checkIndexed(i, at);
        }
        long total = segment.get(U64, at);
        int blobs = (int) segment.get(U64, at + WORD);
        long tableAt = at + 2 * WORD;
        long payloadAt = tableAt + (long) blobs * WORD;
        long end = at + WORD + total;
        Slice payload = memory.slice(payloadAt, end);
        if (mode == Mode.READ) {
            return Batch.of(payload, segment.asSlice(tableAt, (long) blobs * WORD)); // already end offsets
        }
        MemorySegment ends = allocator.allocate((long) blobs * WORD, WORD);
        try {
            RecordFormat.addLengths(segment.asSlice(tableAt, (long) blobs * WORD), ends, blobs, end - payloadAt, 0, 0,
                    path, tableAt);
        } catch (CorruptRecordException | RuntimeException e) { // checked at open: cannot happen to a mapped read-only file
            allocator.free(ends);
            payload.release();
            throw new IllegalStateException(path + ": record " + i + " changed since open", e);
        }
        Slice owned = Slice.wrap(payload.asSegment(), () -> {
            allocator.free(ends);
            payload.release();
        });
        return Batch.of(owned, ends);
    }

    /** How many records have a checksum (from the sidecar, {@code FILE.idx}); the rest cannot be verified. */
    public int checksummedRecords() {
        return checksummed;
    }

    /**
     * Checks every record that has a checksum against it (CRC32C of the record's bytes, the
     * intrinsic); returns how many were checked.
     *
     * @throws CorruptRecordException naming the first record whose bytes do not match, and its offset
     */
    public int verify() throws CorruptRecordException {
        for (int i = 0; i < checksummed; i++) {
            verify(i);
        }
        return checksummed;
    }

    /**
     * Record {@code i}, checked against its checksum first.
     *
     * @throws CorruptRecordException if its bytes do not match the sidecar's CRC32C
     * @throws IllegalStateException  if it has no checksum (see {@link #checksummedRecords()})
     */
    public Batch getVerified(int i) throws CorruptRecordException {
        if (Objects.checkIndex(i, size) >= checksummed) {
            throw new IllegalStateException(path + ": record " + i + " has no checksum (the sidecar covers "
                    + checksummed + " records)");
        }
        verify(i);
        return get(i);
    }

    private void verify(int i) throws CorruptRecordException {
        int actual = crcOf(i);
        if (actual != crcs[i]) {
            throw RecordIndex.checksumMismatch(path, i, offsets[i], actual, crcs[i]);
        }
    }

    /**
     * The CRC32C of record {@code i}'s bytes as they are in the file. In READ mode its length
     * table was rewritten into end offsets at open, so the lengths are derived back from them.
     */
    private int crcOf(int i) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        long at = offsets[i];
        long end = at + WORD + segment.get(U64, at);
        int blobs = (int) segment.get(U64, at + WORD);
        long tableAt = at + 2 * WORD;
        long payloadAt = tableAt + (long) blobs * WORD;
        crc.update(segment.asSlice(at, 2 * WORD).asByteBuffer());
        if (mode == Mode.READ) {
            java.nio.ByteBuffer lengths = java.nio.ByteBuffer.allocate(WORD * Math.min(blobs, 8192))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
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
        } else {
            updateInChunks(crc, tableAt, payloadAt);
        }
        updateInChunks(crc, payloadAt, end);
        return (int) crc.getValue();
    }

    private void updateInChunks(java.util.zip.CRC32C crc, long from, long to) {
        for (long at = from; at < to; at += MAX_READ) {
            crc.update(segment.asSlice(at, Math.min(MAX_READ, to - at)).asByteBuffer());
        }
    }

    /**
     * The structural check of a record whose place came from the sidecar (MAP mode): its header
     * must agree with its entry and its count and lengths with the format. Done on every such
     * get, since it is one pass over the length table, which MAP's get makes anyway.
     *
     * @throws java.io.UncheckedIOException with a CorruptRecordException naming the record if not
     */
    private void checkIndexed(int i, long at) {
        String source = path + " (record " + i + ")";
        try {
            long total = segment.get(U64, at);
            if (WORD + total != indexedSizes.size(i)) {
                throw new CorruptRecordException(source, at, "total_length " + Long.toUnsignedString(total)
                        + " disagrees with the sidecar, which says the record has " + indexedSizes.size(i) + " bytes");
            }
            int blobs = RecordFormat.checkCount(segment.get(U64, at + WORD), total, source, at + WORD);
            long payload = total - WORD - (long) blobs * WORD;
            RecordFormat.checkSum(RecordFormat.addLengths(segment.asSlice(at + 2 * WORD, (long) blobs * WORD), null,
                    blobs, payload, 0, 0, source, at + 2 * WORD), payload, source, at + 2 * WORD);
        } catch (CorruptRecordException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The records in order; close each batch. */
    @Override
    public Iterator<Batch> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Batch next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                return get(next++);
            }
        };
    }

    /** Drops this file's reference to its memory; batches taken from it stay valid until closed. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            memory.release();
        }
    }

    @Override
    public String toString() {
        return "RecordFile[" + path + ", " + mode + ", " + size + " records" + (tornBytes() > 0 ? ", " + tornBytes() + " torn bytes" : "") + "]";
    }
}
