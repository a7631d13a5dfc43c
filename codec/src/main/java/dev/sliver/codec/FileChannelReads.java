package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.MemoryAllocator;
import dev.sliver.core.Slice;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import static dev.sliver.codec.RecordFormat.U64;
import static dev.sliver.codec.RecordFormat.WORD;

/**
 * One record from a {@link FileChannel} at its position, the channel left right after it
 * ({@link Codec#deserialize(java.nio.channels.ReadableByteChannel, ReadOptions)} and
 * {@link Codec#tryDeserialize}), in as few system calls as that allows: each costs 0.3 to 0.6
 * microseconds from Java, more than a 1 KiB record's bytes.
 *
 * <p>The first call of a thread on a channel reads as {@link RecordReader} does (the header, its
 * size, the rest) and then learns whether the channel is a file whose size and position can be
 * trusted. On such a file, the next calls guess that the record is as large as the last one
 * (up to {@value #MAX_GUESS} bytes) and read that many bytes in <em>one</em> read into a scratch
 * buffer of the thread; then, with the header checked as always before anything is allocated:
 * <ul>
 *   <li>the guess was exact: the record is copied into its segment, one system call in all;</li>
 *   <li>it was too large: the bytes past the record are given back by moving the position back
 *       (two more calls);</li>
 *   <li>it was too small: the size is checked as on the first call, the rest read straight into
 *       the record's segment (three more calls, what a read without a guess costs).</li>
 * </ul>
 * A channel that is not such a file (a FIFO, a device, a file in /proc) is never read past its
 * record: it is read header first, as a stream.
 */
final class FileChannelReads {
    /** The largest record read with one guessed read; larger ones are read header first. */
    static final int MAX_GUESS = 64 * 1024;
    private static final ThreadLocal<Hint> HINTS = ThreadLocal.withInitial(Hint::new);

    private FileChannelReads() {
    }

    /** What this thread learned of the channel it read last. */
    private static final class Hint {
        WeakReference<FileChannel> channel = new WeakReference<>(null);
        /** Whether the channel is a file whose size and position can be trusted. */
        boolean sized;
        /** The size of the last record read from it, if at most MAX_GUESS, else 0. */
        int guess;
        MemorySegment scratch;
        ByteBuffer buffer;

        ByteBuffer buffer(int bytes) {
            if (scratch == null || scratch.byteSize() < bytes) {
                int capacity = Math.min(MAX_GUESS, Math.max(4096, Integer.highestOneBit(bytes - 1) << 1));
                scratch = Arena.ofAuto().allocate(capacity, WORD); // freed with the thread
                buffer = scratch.asByteBuffer();
            }
            return buffer.clear().limit(bytes);
        }

        void learned(long recordSize) {
            guess = sized && recordSize <= MAX_GUESS ? (int) recordSize : 0;
        }
    }

    /**
     * Reads the record at the channel's position.
     *
     * @param required whether the end of the file is an error (else it returns null)
     */
    static Batch read(FileChannel file, ReadOptions options, boolean required) throws IOException {
        Hint hint = HINTS.get();
        if (hint.channel.get() != file) {
            return learn(file, options, required, hint);
        }
        if (!hint.sized || hint.guess == 0) {
            return exact(file, options, required, hint);
        }
        Object name = options.nameOf(file);
        int guess = hint.guess;
        ByteBuffer buffer = hint.buffer(guess);
        MemorySegment scratch = hint.scratch;
        int n;
        try {
            n = file.read(buffer);
        } catch (IOException e) {
            throw new IOException(name + ": " + Reasons.of(e) + " at byte " + positionOf(file), e);
        }
        if (n <= 0) {
            if (required) {
                throw noRecord(name, file.position());
            }
            return null;
        }
        if (n >= 2 * WORD) {
            long total = scratch.get(U64, 0);
            if (total >= WORD && Long.compareUnsigned(total, options.maxRecordBytes()) <= 0) {
                return total <= n - WORD ? whole(file, scratch, n, total, options, name, hint)
                        : rest(file, scratch, n, total, options, name, hint);
            }
        }
        // Cut inside the header, or a header that fails: give the bytes back, and fail as a reader does.
        file.position(file.position() - n);
        return exact(file, options, required, hint);
    }

    /** The first read of this thread on {@code file}: as a reader, then whether the file can be trusted. */
    private static Batch learn(FileChannel file, ReadOptions options, boolean required, Hint hint) throws IOException {
        long start = trustedPosition(file);
        Batch batch = exact(file, options, required, hint);
        if (batch != null) {
            long end = start + sizeOf(batch);
            hint.channel = new WeakReference<>(file);
            hint.sized = start >= 0 && trustedPosition(file) == end && file.size() >= end;
            hint.learned(sizeOf(batch));
        }
        return batch;
    }

    /** The channel's position, or -1 where it has none to trust (a FIFO: "Illegal seek"). */
    private static long trustedPosition(FileChannel file) {
        try {
            return file.position();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Without a guess: header, size, rest, as a reader. */
    private static Batch exact(FileChannel file, ReadOptions options, boolean required, Hint hint) throws IOException {
        Object name = options.nameOf(file);
        RecordReader reader = new RecordReader(file, name, options);
        Batch batch = reader.next();
        if (batch == null) {
            if (required) {
                throw noRecord(name, reader.position());
            }
            return null;
        }
        hint.learned(sizeOf(batch));
        return batch;
    }

    /** The whole record is in the scratch ({@code 8 + total <= n}): check, copy, give back what follows it. */
    private static Batch whole(FileChannel file, MemorySegment scratch, int n, long total, ReadOptions options,
                               Object name, Hint hint) throws IOException {
        long rawCount = scratch.get(U64, WORD);
        long maxCount = (total - WORD) / WORD;
        if (Long.compareUnsigned(rawCount, maxCount) > 0 || Long.compareUnsigned(rawCount, RecordHeader.MAX_COUNT) > 0) {
            RecordHeader.checkCount(rawCount, total, name, file.position() - n + WORD); // throws
        }
        int count = (int) rawCount;
        long tableEnd = WORD + (long) count * WORD; // in the record's segment, which starts at count
        MemoryAllocator allocator = options.allocator();
        MemorySegment record = allocator.allocate(total, WORD);
        try {
            MemorySegment.copy(scratch, WORD, record, 0, total);
            MemorySegment table = record.asSlice(WORD, tableEnd - WORD);
            try {
                RecordFormat.lengthsToEnds(table, table, count, total - tableEnd, name, 2 * WORD);
            } catch (CorruptRecordException e) { // offsets were counted from the record's start
                throw new CorruptRecordException(String.valueOf(name), file.position() - n + e.offset(), e.reason());
            }
            long size = WORD + total;
            if (size < n) {
                file.position(file.position() - (n - size));
            }
            hint.learned(size);
            Slice payload = Slice.wrap(record.asSlice(tableEnd), () -> allocator.free(record));
            return Batch.of(payload, table);
        } catch (IOException | RuntimeException | Error e) {
            allocator.free(record);
            throw e;
        }
    }

    /** The record is longer than the guess: check its size against the file's, then read the rest into its segment. */
    private static Batch rest(FileChannel file, MemorySegment scratch, int n, long total, ReadOptions options,
                              Object name, Hint hint) throws IOException {
        long start = file.position() - n;
        long fileSize = file.size();
        long remaining = fileSize - start >= n ? fileSize - start - WORD : -1;
        boolean sized = remaining >= 0 && remaining <= options.maxRecordBytes();
        RecordHeader.checkTotal(total, sized ? remaining : options.maxRecordBytes(), sized, name, start);
        long rawCount = scratch.get(U64, WORD);
        int count = RecordHeader.checkCount(rawCount, total, name, start + WORD);
        long tableEnd = WORD + (long) count * WORD;
        MemoryAllocator allocator = options.allocator();
        MemorySegment record = allocator.allocate(total, WORD);
        try {
            MemorySegment.copy(scratch, WORD, record, 0, n - WORD);
            for (long pos = n - WORD; pos < total; ) {
                ByteBuffer part = record.asSlice(pos, Math.min(1 << 30, total - pos)).asByteBuffer();
                int got;
                try {
                    got = file.read(part);
                } catch (IOException e) {
                    throw new IOException(name + ": " + Reasons.of(e) + " at byte " + (start + WORD + pos), e);
                }
                if (got < 0) {
                    throw new CorruptRecordException(String.valueOf(name), start + WORD + pos, "truncated record: expected "
                            + (WORD + total) + " bytes for the record starting at byte " + start + ", got " + (WORD + pos));
                }
                pos += got;
            }
            MemorySegment table = record.asSlice(WORD, tableEnd - WORD);
            RecordFormat.lengthsToEnds(table, table, count, total - tableEnd, name, start + 2 * WORD);
            hint.learned(WORD + total);
            Slice payload = Slice.wrap(record.asSlice(tableEnd), () -> allocator.free(record));
            return Batch.of(payload, table);
        } catch (IOException | RuntimeException | Error e) {
            allocator.free(record);
            throw e;
        }
    }

    private static long sizeOf(Batch batch) {
        return 2 * WORD + (long) batch.size() * WORD + batch.totalBytes();
    }

    private static long positionOf(FileChannel file) {
        try {
            return file.position();
        } catch (IOException e) {
            return -1;
        }
    }

    static CorruptRecordException noRecord(Object name, long offset) {
        return new CorruptRecordException(String.valueOf(name), offset, "no record: the input ended before a header");
    }
}
