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
                    throw new IOException(path + ": cannot map: " + e.getMessage() + " at byte 0", e);
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
                return scan(path, mode, allocator, memory, segment);
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
                    throw new IOException(path + ": " + e.getMessage() + " at byte " + (at + buffer.position()), e);
                }
                if (n < 0) {
                    throw new IOException(path + ": the file shrank while it was read at byte " + (at + buffer.position()));
                }
            }
            at += buffer.capacity();
        }
    }

    /** Walks every header and length table; in READ mode rewrites each length table into end offsets. */
    private static RecordFile scan(Path path, Mode mode, MemoryAllocator allocator, Slice memory, MemorySegment file)
            throws CorruptRecordException {
        long fileSize = file.byteSize();
        long[] offsets = new long[16];
        int count = 0;
        long at = 0;
        while (at < fileSize) {
            if (fileSize - at < 2 * WORD) {
                break; // torn: not even a header
            }
            long total = file.get(U64, at);
            if (Long.compareUnsigned(total, fileSize - at - WORD) > 0) {
                break; // torn: the record runs past the end (checked again below for small totals)
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
        return new RecordFile(path, mode, allocator, memory, file, offsets, count, at);
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
