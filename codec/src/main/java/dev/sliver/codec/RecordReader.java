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
 * <p>Each {@link #next()} reads exactly one record and leaves the channel right after it. Before
 * anything is allocated, {@code total_length} is checked against what the channel can hold (its
 * remaining size if it is seekable, else {@link ReadOptions#maxRecordBytes()}); the count and
 * every length are checked before the payload is read. Any failure throws a
 * {@link CorruptRecordException} (or the channel's own {@link IOException}) and returns the
 * record's segment to the allocator.
 *
 * <p>Not thread-safe: one reader per thread. The batches it returns are thread-safe.
 */
public final class RecordReader implements AutoCloseable {
    /** Bytes read per channel call; a ByteBuffer cannot exceed 2 GiB. */
    private static final int MAX_READ = 1 << 30;

    private final ChannelSource in;
    private boolean closed;
    private final ReadOptions options;
    private final boolean closeChannel;
    /** total_length and count: every record has both, so reading 16 bytes never reads past one. */
    private final ByteBuffer header = ByteBuffer.allocate(2 * WORD).order(ByteOrder.LITTLE_ENDIAN);

    /**
     * Reads from {@code channel}, which stays open on {@link #close()}.
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
        this(channel, source, options, false);
    }

    private RecordReader(ReadableByteChannel channel, Object source, ReadOptions options, boolean closeChannel)
            throws IOException {
        this.in = new ChannelSource(channel, source);
        this.options = Objects.requireNonNull(options, "options");
        this.closeChannel = closeChannel;
    }

    /**
     * Opens {@code path} for reading; {@link #close()} closes the file.
     *
     * @param path    the file to read
     * @param options the allocator and size cap for records
     * @return the reader, which the caller closes
     * @throws IOException if the file cannot be opened
     */
    public static RecordReader open(Path path, ReadOptions options) throws IOException {
        var channel = java.nio.channels.FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new RecordReader(channel, path, options, true);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** {@return the source offset of the next record} */
    public long position() {
        return in.position;
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
            return readBody(record, count, sized, start);
        } catch (IOException | RuntimeException | Error e) {
            allocator.free(record);
            throw e;
        }
    }

    /**
     * Reads {@code [lengths][payload]} into {@code record} (whose count is already in place) and
     * validates the lengths. A sized source is known to hold the whole record, so it is read in
     * one go; a stream is read table first, so that bad lengths fail before the payload arrives.
     */
    private Batch readBody(MemorySegment record, int count, boolean sized, long start) throws IOException {
        long total = record.byteSize();
        long tableEnd = WORD + (long) count * WORD;
        MemorySegment table = record.asSlice(WORD, tableEnd - WORD);
        if (sized) {
            readFully(record, WORD, total, start, total);
            RecordFormat.lengthsToEnds(table, table, count, total - tableEnd, in.name, start + 2 * WORD);
        } else {
            readFully(record, WORD, tableEnd, start, total);
            RecordFormat.lengthsToEnds(table, table, count, total - tableEnd, in.name, start + 2 * WORD);
            readFully(record, tableEnd, total, start, total);
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
        if (closeChannel) {
            in.channel.close();
        }
    }
}
