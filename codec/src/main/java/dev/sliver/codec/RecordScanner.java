package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;

import static dev.sliver.codec.RecordFormat.WORD;

/**
 * Walks the records of a channel reading only their headers and length tables; payloads are
 * skipped (by position on a file, read and dropped on a stream). A file of any size, with any
 * number of blobs, is scanned in 64 KiB of memory, with the same checks as {@link RecordReader}:
 * a file's records must fit in what remains of it, a stream's in
 * {@link ReadOptions#maxRecordBytes()} (nothing is allocated, so a file needs no cap).
 *
 * <pre>{@code
 * try (RecordScanner scan = RecordScanner.open(path)) {
 *     for (RecordHeader h; (h = scan.next((i, at, length) -> {})) != null; ) {
 *         System.out.println(h.offset() + ": " + h.count() + " blobs");
 *     }
 * }
 * }</pre>
 *
 * <p>Not thread-safe.
 */
public final class RecordScanner implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;

    /** Receives each blob of a record as its length is read and checked. */
    @FunctionalInterface
    public interface BlobVisitor {
        /**
         * Receives one blob's place.
         *
         * @param index  the blob's index in its record
         * @param offset the source offset of the blob's first byte
         * @param length the blob's length
         * @throws IOException to stop the scan, passed on to the caller of {@link RecordScanner#next}
         */
        void blob(int index, long offset, long length) throws IOException;
    }

    private final ChannelSource in;
    private final long maxStreamRecordBytes;
    private final boolean closeChannel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private boolean closed;

    /**
     * Scans {@code channel} from its position; it stays open on {@link #close()}.
     *
     * @param channel where records are read from
     * @param source names the channel in errors
     * @param maxStreamRecordBytes the largest total_length accepted when the channel's size is unknown
     */
    public RecordScanner(ReadableByteChannel channel, Object source, long maxStreamRecordBytes) {
        this(channel, source, maxStreamRecordBytes, false);
    }

    private RecordScanner(ReadableByteChannel channel, Object source, long maxStreamRecordBytes, boolean closeChannel) {
        this.in = new ChannelSource(channel, source);
        this.maxStreamRecordBytes = maxStreamRecordBytes;
        this.closeChannel = closeChannel;
    }

    /**
     * Scans the regular file at {@code path}; {@link #close()} closes it.
     *
     * @param path a record file
     * @return the scanner
     * @throws IOException if it cannot be opened, or is not a regular file (a FIFO would block, a device never end)
     */
    public static RecordScanner open(Path path) throws IOException {
        FileChannel channel = DataFiles.openForRead(path);
        return new RecordScanner(channel, path, ReadOptions.DEFAULT_MAX_RECORD_BYTES, true);
    }

    /** {@return the source offset of the next record} */
    public long position() {
        return in.position;
    }

    /**
     * Reads the next record's header and length table, calls {@code visitor} for each blob, and
     * moves past its payload.
     *
     * @param visitor receives each blob's index, offset and length
     * @return the header, or null if the input ended cleanly before another record
     * @throws CorruptRecordException if the record is malformed or truncated (blobs already
     *                                visited were within the record and the input)
     * @throws IllegalStateException  if the scanner is closed
     */
    public RecordHeader next(BlobVisitor visitor) throws IOException {
        if (closed) {
            throw new IllegalStateException("scanner of " + in.name + " is closed");
        }
        long start = in.position;
        buffer.clear().limit(2 * WORD);
        int got = in.readFully(buffer);
        if (got == 0) {
            return null;
        }
        if (got < WORD) {
            throw in.truncated(start, WORD, got);
        }
        long total = buffer.getLong(0);
        long remaining = in.remainingAfter(start, got);
        boolean sized = remaining >= 0;
        RecordHeader.checkTotal(total, sized ? remaining : maxStreamRecordBytes, sized, in.name, start);
        if (got < 2 * WORD) {
            throw in.truncated(start, WORD + total, got);
        }
        RecordHeader header = RecordHeader.parse(total, buffer.getLong(WORD), sized ? remaining : maxStreamRecordBytes,
                sized, in.name, start);
        int count = header.count();
        long payloadBytes = header.payloadBytes();
        long blobAt = header.payloadOffset();
        long sum = 0;
        MemorySegment lengths = MemorySegment.ofArray(buffer.array());
        for (int done = 0; done < count; ) {
            int n = Math.min(count - done, BUFFER / WORD);
            long tableAt = in.position;
            buffer.clear().limit(n * WORD);
            if (in.readFully(buffer) < n * WORD) {
                throw in.truncated(start, WORD + total, in.position - start);
            }
            long before = sum;
            sum = RecordFormat.addLengths(lengths, null, n, payloadBytes, sum, done, in.name, tableAt);
            for (int i = 0; i < n; i++) {
                long length = lengths.get(RecordFormat.U64, (long) i * WORD);
                visitor.blob(done + i, blobAt + before, length);
                before += length;
            }
            done += n;
        }
        RecordFormat.checkLengthsAddUp(sum, payloadBytes, in.name, start + 2 * WORD);
        in.skip(payloadBytes, sized, buffer, start, WORD + total);
        return header;
    }

    /** Closes the channel if this scanner opened it. */
    @Override
    public void close() throws IOException {
        closed = true;
        if (closeChannel) {
            in.channel.close();
        }
    }
}
