package dev.sliver.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds and streams one record: blobs are added as buffers or segments (a blob may be several
 * buffers), then {@link #writeTo} writes the header and lengths from one small buffer and every
 * payload buffer as it is, with gathering writes where the channel supports them. Payloads are
 * never concatenated or copied. The buffers must not change until {@link #writeTo} returns.
 *
 * <p>Not thread-safe.
 */
public final class RecordWriter {
    /** Linux writes at most IOV_MAX (1024) buffers per gathering write; more is wasted work. */
    private static final int MAX_GATHER = 1024;
    /** Largest payload chunk: a ByteBuffer cannot exceed 2 GiB. */
    private static final long MAX_CHUNK = 1L << 30;

    private final List<ByteBuffer> payload = new ArrayList<>();
    private long[] lengths = new long[16];
    private int count;

    /** A new, empty record. */
    public RecordWriter() {
    }

    /**
     * Adds one blob: the remaining bytes of {@code parts}, in order. Their positions are not changed.
     *
     * @param parts the pieces of the blob, read when the record is written
     * @return this writer
     */
    public RecordWriter add(ByteBuffer... parts) {
        long length = 0;
        for (ByteBuffer part : parts) {
            length += part.remaining();
            payload.add(part.slice());
        }
        addLength(length);
        return this;
    }

    /**
     * Adds one blob: the bytes of {@code blob}, of any size.
     *
     * @param blob the blob, read when the record is written
     * @return this writer
     */
    public RecordWriter add(MemorySegment blob) {
        addLength(blob.byteSize());
        for (long pos = 0; pos < blob.byteSize(); pos += MAX_CHUNK) {
            payload.add(blob.asSlice(pos, Math.min(MAX_CHUNK, blob.byteSize() - pos)).asByteBuffer());
        }
        return this;
    }

    private void addLength(long length) {
        if (count == lengths.length) {
            lengths = java.util.Arrays.copyOf(lengths, count * 2);
        }
        lengths[count++] = length;
    }

    /**
     * The CRC32C of the record's bytes as {@link #writeTo} writes them (the sidecar's checksum).
     * Heap bytes go to the intrinsic directly; off-heap ones are copied through a heap buffer by
     * {@code MemorySegment} first, because they may be a mapping of a file another program
     * truncates, and the intrinsic over a vanished page kills the JVM (SIGBUS), where the
     * segment copy throws.
     *
     * @return the checksum
     * @throws IOException if a blob's memory is no longer there (a mapped file was truncated)
     */
    public int crc32c() throws IOException {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(header());
        byte[] copy = null;
        for (ByteBuffer part : payload) {
            if (part.hasArray() || !part.isDirect()) {
                crc.update(part.duplicate());
                continue;
            }
            if (copy == null) {
                copy = new byte[Math.min(64 * 1024, Math.max(part.remaining(), 1))];
            }
            MemorySegment source = MemorySegment.ofBuffer(part);
            for (long at = 0; at < source.byteSize(); ) {
                int n = (int) Math.min(copy.length, source.byteSize() - at);
                try {
                    MemorySegment.copy(source, java.lang.foreign.ValueLayout.JAVA_BYTE, at, copy, 0, n);
                } catch (InternalError fault) {
                    throw new IOException("a blob's memory vanished while it was checksummed (a mapped input file "
                            + "truncated by another program?) at byte " + at + " of the blob", fault);
                }
                crc.update(copy, 0, n);
                at += n;
            }
        }
        return (int) crc.getValue();
    }

    /** Stages the record into an appender's buffer: header, lengths, then every payload part as it is now. */
    void stageInto(AppendBuffer buffer) throws IOException {
        long payloadBytes = 0;
        for (int i = 0; i < count; i++) {
            payloadBytes = Math.addExact(payloadBytes, lengths[i]);
        }
        buffer.header(count, payloadBytes);
        for (int i = 0; i < count; i++) {
            buffer.length(lengths[i]);
        }
        for (ByteBuffer part : payload) {
            buffer.put(part);
        }
    }

    private ByteBuffer header() {
        ByteBuffer header = ByteBuffer.allocate(RecordFormat.headerBytes(count));
        RecordFormat.writeHeader(header, count, i -> lengths[i]);
        return header.flip();
    }

    /**
     * Writes the record.
     *
     * @param channel where the record goes
     * @return the number of bytes written, header included
     * @throws IOException if the channel fails
     */
    public long writeTo(WritableByteChannel channel) throws IOException {
        ByteBuffer header = header();
        long recordBytes = header.remaining();
        for (ByteBuffer part : payload) {
            recordBytes += part.remaining();
        }

        ByteBuffer[] buffers = new ByteBuffer[payload.size() + 1];
        buffers[0] = header;
        for (int i = 0; i < payload.size(); i++) {
            buffers[i + 1] = payload.get(i);
        }
        write(channel, buffers);
        return recordBytes;
    }

    /**
     * Appends the record at the end of {@code file}. If the write fails
     * (a full disk, an I/O error), the file is truncated back to its previous length before the
     * exception is thrown, so a failed append never leaves a partial record that would hide every
     * later one. The exception names {@code source} and the offset the record started at, and says
     * whether the truncation worked.
     *
     * @param file   the file to append to, open for writing
     * @param source what to call the file in errors (its path, say)
     * @return the number of bytes written, header included
     * @throws IOException if the write fails; the file is truncated back first
     */
    public long appendTo(FileChannel file, Object source) throws IOException {
        long start = file.size();
        file.position(start);
        return appendAt(file, start, source);
    }

    /** {@link #appendTo} for a writer that knows the file ends at {@code start} and its position is there. */
    long appendAt(FileChannel file, long start, Object source) throws IOException {
        try {
            return writeTo(file);
        } catch (IOException | RuntimeException | Error e) {
            String undo;
            try {
                file.truncate(start);
                file.position(start);
                undo = "truncated back to " + start + " bytes";
            } catch (IOException | RuntimeException truncation) {
                e.addSuppressed(truncation);
                undo = "and truncating back to " + start + " bytes failed too (" + Reasons.of(truncation)
                        + "): the file now ends in a partial record";
            }
            throw new IOException(source + ": append failed (" + Reasons.of(e)
                    + "), " + undo + " at byte " + start, e);
        }
    }

    private static void write(WritableByteChannel channel, ByteBuffer[] buffers) throws IOException {
        int first = 0;
        while (first < buffers.length) {
            if (!buffers[first].hasRemaining()) {
                first++;
            } else if (channel instanceof GatheringByteChannel gathering) {
                gathering.write(buffers, first, Math.min(MAX_GATHER, buffers.length - first));
            } else {
                channel.write(buffers[first]);
            }
        }
    }
}
