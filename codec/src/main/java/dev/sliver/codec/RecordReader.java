package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.MemoryAllocator;
import dev.sliver.core.Slice;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

import static dev.sliver.codec.RecordFormat.U64;
import static dev.sliver.codec.RecordFormat.WORD;

/**
 * Reads consecutive records from one channel, each into one segment of its own.
 *
 * <p>A reader made with the constructor reads exactly one record per {@link #next()} and leaves
 * the channel right after it, so other code may read the channel between records; it pays two
 * or three channel reads per record. A reader that <em>reads ahead</em> ({@link #open(Path, ReadOptions)}
 * and {@link #readingAhead}) reads the channel in chunks of {@value #READ_AHEAD_BYTES} bytes and
 * copies each record out of them into its own segment: about one channel read per chunk instead
 * of per record, the loop to use for many records. Its channel's position is then past the
 * record last returned: read that channel only through the reader. It never waits for bytes
 * that the record being read does not need (a peer that sends one record and waits gets it), and
 * a record larger than a chunk is read straight into its segment.
 *
 * <p>Before anything is allocated, {@code total_length} is checked against what the channel can
 * hold (its remaining size if it is seekable, else {@link ReadOptions#maxRecordBytes()}); the
 * count and every length are checked before the reader waits for the payload. Any failure throws
 * a {@link CorruptRecordException} (or the channel's own {@link IOException}) and returns the
 * record's segment to the allocator.
 *
 * <p>Not thread-safe: one reader per thread. The batches it returns are thread-safe.
 */
public final class RecordReader implements AutoCloseable {
    /** Bytes read per channel call; a ByteBuffer cannot exceed 2 GiB. */
    private static final int MAX_READ = 1 << 30;
    /** The read-ahead chunk of a reader that reads ahead. */
    public static final int READ_AHEAD_BYTES = 256 * 1024;

    private final ChannelSource in;
    private boolean closed;
    private final ReadOptions options;
    private final boolean closeChannel;
    /** total_length and count: every record has both, so reading 16 bytes never reads past one. */
    private final ByteBuffer header = ByteBuffer.allocate(2 * WORD).order(ByteOrder.LITTLE_ENDIAN);
    /** Bytes read ahead; null for a reader that does not read ahead. */
    private final ReadAheadChunk chunk;

    /**
     * Reads from {@code channel}, which stays open on {@link #close()}: one record per
     * {@link #next()}, leaving the channel right after it (no read-ahead).
     *
     * @param channel where records are read from, in blocking mode
     * @param source names the channel in error messages (its {@code toString()}, called only then);
     *               offsets in them are the channel's position if it has one, else the bytes
     *               this reader consumed
     * @param options the allocator and size cap for records
     * @throws IllegalArgumentException if the channel is in non-blocking mode
     * @throws IOException              declared for reading the channel's position; today a channel
     *                                  that cannot report one is counted from 0 instead
     */
    public RecordReader(ReadableByteChannel channel, Object source, ReadOptions options) throws IOException {
        this(channel, source, options, false, 0);
    }

    /** {@code chunk}: the read-ahead chunk's size, 0 for none. */
    private RecordReader(ReadableByteChannel channel, Object source, ReadOptions options, boolean closeChannel,
                         int chunk) throws IOException {
        this.in = new ChannelSource(channel, source);
        this.options = Objects.requireNonNull(options, "options");
        this.closeChannel = closeChannel;
        this.chunk = chunk > 0 ? new ReadAheadChunk(chunk) : null;
    }

    /**
     * A reader of {@code channel} that reads ahead (see the class comment): the fast loop over many
     * records. Read the channel only through it: its position is past the last record returned,
     * by up to {@value #READ_AHEAD_BYTES} bytes. The channel stays open on {@link #close()}.
     *
     * @param channel where records are read from, in blocking mode
     * @param source  names the channel in error messages; offsets in them are the channel's
     *                position when the reader was made (if it has one) plus the bytes of the
     *                records returned before
     * @param options the allocator and size cap for records
     * @return the reader
     * @throws IllegalArgumentException if the channel is in non-blocking mode
     * @throws IOException              declared for reading the channel's position
     */
    public static RecordReader readingAhead(ReadableByteChannel channel, Object source, ReadOptions options)
            throws IOException {
        return new RecordReader(channel, source, options, false, READ_AHEAD_BYTES);
    }

    /**
     * Opens {@code path} for reading, reading ahead (the file is this reader's alone) in chunks of
     * {@value #READ_AHEAD_BYTES} bytes, or of the file's size if smaller (at least 4 KiB);
     * {@link #close()} closes the file.
     *
     * @param path    the file to read
     * @param options the allocator and size cap for records
     * @return the reader, which the caller closes
     * @throws IOException if the file cannot be opened
     */
    public static RecordReader open(Path path, ReadOptions options) throws IOException {
        return open(path, options, true);
    }

    /** Opens {@code path}, reading ahead or not (not for a single record). */
    static RecordReader open(Path path, ReadOptions options, boolean readAhead) throws IOException {
        var channel = java.nio.channels.FileChannel.open(path, StandardOpenOption.READ);
        try {
            // A small file gets a chunk of its size (at least 4 KiB: it may grow).
            int chunk = readAhead ? Math.clamp(sizeOrMax(channel), 4096, READ_AHEAD_BYTES) : 0;
            return new RecordReader(channel, path, options, true, chunk);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static long sizeOrMax(java.nio.channels.FileChannel channel) {
        try {
            return channel.size();
        } catch (IOException e) {
            return Long.MAX_VALUE; // the first read says what is wrong, naming the file
        }
    }

    /** {@return the source offset of the next record} */
    public long position() {
        return chunk == null ? in.position : in.position - chunk.held();
    }

    /**
     * Reads the next record.
     *
     * @return the record, or {@code null} if the channel ended cleanly before it (no byte of a next record)
     * @throws CorruptRecordException if the record is malformed, over the limit, or truncated
     * @throws IllegalStateException  if the reader is closed
     */
    public Batch next() throws IOException {
        if (closed) {
            throw new IllegalStateException("reader of " + in.name + " is closed");
        }
        if (chunk != null) {
            return nextAhead();
        }
        long start = in.position;
        header.clear();
        int got = in.readFully(header);
        if (got == 0) {
            return null;
        }
        if (got < WORD) {
            throw in.truncated(start, WORD, got);
        }
        long total = header.getLong(0);
        long remaining = in.remainingAfter(start, got);
        boolean sized = remaining >= 0 && remaining <= options.maxRecordBytes();
        RecordHeader.checkTotal(total, sized ? remaining : options.maxRecordBytes(), sized, in.name, start);
        if (got < 2 * WORD) {
            throw in.truncated(start, WORD + total, got);
        }
        long rawCount = header.getLong(WORD);
        int count = RecordHeader.checkCount(rawCount, total, in.name, start + WORD);

        MemoryAllocator allocator = options.allocator();
        MemorySegment record = allocator.allocate(total, WORD);
        try {
            record.set(U64, 0, rawCount);
            return readBody(record, count, sized, start, WORD);
        } catch (IOException | RuntimeException | Error e) {
            allocator.free(record);
            throw e;
        }
    }

    /** {@link #next()} out of the read-ahead chunk. */
    private Batch nextAhead() throws IOException {
        long start = position();
        if (!chunk.need(WORD, in)) {
            if (chunk.held() == 0) {
                return null;
            }
            throw in.truncated(start, WORD, chunk.held());
        }
        long total = chunk.bytes.get(U64, chunk.head);
        long remaining = in.remainingAfter(start, chunk.held(), total);
        boolean sized = remaining >= 0 && remaining <= options.maxRecordBytes();
        RecordHeader.checkTotal(total, sized ? remaining : options.maxRecordBytes(), sized, in.name, start);
        if (!chunk.need(2 * WORD, in)) {
            throw in.truncated(start, WORD + total, chunk.held());
        }
        long rawCount = chunk.bytes.get(U64, chunk.head + WORD);
        int count = RecordHeader.checkCount(rawCount, total, in.name, start + WORD);
        long size = WORD + total;
        if (size > chunk.capacity) {
            return largeAhead(total, rawCount, count, sized, start);
        }
        // The whole record fits in the chunk: the table first (bad lengths fail before the reader
        // waits for the payload), then the payload, each copied out of the chunk.
        int tableEnd = 2 * WORD + count * WORD;
        if (!chunk.need(tableEnd, in)) {
            throw in.truncated(start, size, chunk.held());
        }
        MemoryAllocator allocator = options.allocator();
        MemorySegment record = allocator.allocate(total, WORD);
        try {
            record.set(U64, 0, rawCount);
            MemorySegment table = record.asSlice(WORD, (long) count * WORD);
            RecordFormat.lengthsToEnds(chunk.bytes.asSlice(chunk.head + 2 * WORD, (long) count * WORD), table, count,
                    size - tableEnd, in.name, start + 2 * WORD);
            if (!chunk.need((int) size, in)) { // may move the chunk's bytes: offsets are taken after it
                throw in.truncated(start, size, chunk.held());
            }
            MemorySegment.copy(chunk.bytes, chunk.head + tableEnd, record, tableEnd - WORD, size - tableEnd);
            chunk.take((int) size);
            Slice payload = Slice.wrap(record.asSlice(tableEnd - WORD), () -> allocator.free(record));
            return Batch.of(payload, table);
        } catch (IOException | RuntimeException | Error e) {
            allocator.free(record);
            throw e;
        }
    }

    /** A record larger than the chunk: what the chunk holds of it is copied, the rest read straight into its segment. */
    private Batch largeAhead(long total, long rawCount, int count, boolean sized, long start) throws IOException {
        MemoryAllocator allocator = options.allocator();
        MemorySegment record = allocator.allocate(total, WORD);
        try {
            record.set(U64, 0, rawCount);
            // The chunk holds less than the record: all of it after the two fields is the record's.
            int buffered = chunk.held() - 2 * WORD;
            MemorySegment.copy(chunk.bytes, chunk.head + 2 * WORD, record, WORD, buffered);
            chunk.clear();
            return readBody(record, count, sized, start, WORD + buffered);
        } catch (IOException | RuntimeException | Error e) {
            allocator.free(record);
            throw e;
        }
    }

    /**
     * Reads {@code [lengths][payload]} into {@code record} (whose count and bytes before
     * {@code from} are already in place) and validates the lengths. A sized source is known to
     * hold the whole record, so it is read in one go; a stream is read table first, so that bad
     * lengths fail before the payload arrives.
     */
    private Batch readBody(MemorySegment record, int count, boolean sized, long start, long from) throws IOException {
        long total = record.byteSize();
        long tableEnd = WORD + (long) count * WORD;
        MemorySegment table = record.asSlice(WORD, tableEnd - WORD);
        if (sized) {
            readFully(record, from, total, start, total);
            RecordFormat.lengthsToEnds(table, table, count, total - tableEnd, in.name, start + 2 * WORD);
        } else {
            readFully(record, from, tableEnd, start, total);
            RecordFormat.lengthsToEnds(table, table, count, total - tableEnd, in.name, start + 2 * WORD);
            readFully(record, Math.max(from, tableEnd), total, start, total);
        }
        MemoryAllocator allocator = options.allocator();
        Slice payload = Slice.wrap(record.asSlice(tableEnd), () -> allocator.free(record));
        return Batch.of(payload, table);
    }

    /** Fills {@code record[from, to)}; EOF before {@code to} is a truncated record. */
    private void readFully(MemorySegment record, long from, long to, long recordStart, long total) throws IOException {
        long pos = from;
        while (pos < to) {
            ByteBuffer buffer = record.asSlice(pos, Math.min(MAX_READ, to - pos)).asByteBuffer();
            int n = in.readFully(buffer);
            pos += n;
            if (buffer.hasRemaining()) {
                throw in.truncated(recordStart, WORD + total, WORD + pos);
            }
        }
    }

    /** Closes the channel if this reader opened it. */
    @Override
    public void close() throws IOException {
        closed = true;
        if (chunk != null) {
            chunk.clear();
        }
        if (closeChannel) {
            in.channel.close();
        }
    }
}
