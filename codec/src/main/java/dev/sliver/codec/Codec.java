package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.Slice;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;


/**
 * Writes lists of blobs as records and reads them back zero-copy. The format is in FORMAT.md:
 * {@code [total_length u64][count u64][count x length u64][payload]}, little-endian.
 *
 * <pre>{@code
 * Codec.serialize(List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}), channel);
 * try (Batch batch = Codec.deserialize(channel)) {
 *     Slice first = batch.get(0);          // a view into the record's one segment
 * }
 * }</pre>
 *
 * <p>Every method is thread-safe; a channel must not be used by two threads at once.
 */
public final class Codec {
    private Codec() {
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes one record holding {@code blobs} to {@code channel}.
     *
     * @param blobs   the record's blobs, in order
     * @param channel where the record goes
     * @return the number of bytes written, header included
     * @throws IOException if the channel fails
     */
    public static long serialize(List<byte[]> blobs, WritableByteChannel channel) throws IOException {
        RecordWriter writer = new RecordWriter();
        for (byte[] blob : blobs) {
            writer.add(ByteBuffer.wrap(blob));
        }
        return writer.writeTo(channel);
    }

    /**
     * Writes one record of the slices' bytes (which must be alive) to {@code channel}.
     *
     * @param blobs   the record's blobs, in order
     * @param channel where the record goes
     * @return the number of bytes written, header included
     * @throws IOException if the channel fails
     */
    public static long serializeSlices(Iterable<Slice> blobs, WritableByteChannel channel) throws IOException {
        RecordWriter writer = new RecordWriter();
        for (Slice blob : blobs) {
            writer.add(blob.asSegment());
        }
        return writer.writeTo(channel);
    }

    /**
     * Writes one record of the buffers' remaining bytes; their positions are not changed.
     *
     * @param blobs   the record's blobs, in order
     * @param channel where the record goes
     * @return the number of bytes written, header included
     * @throws IOException if the channel fails
     */
    public static long serializeBuffers(List<ByteBuffer> blobs, WritableByteChannel channel) throws IOException {
        RecordWriter writer = new RecordWriter();
        for (ByteBuffer blob : blobs) {
            writer.add(blob);
        }
        return writer.writeTo(channel);
    }

    /**
     * Writes one record of the segments' bytes (any size, on- or off-heap).
     *
     * @param blobs   the record's blobs, in order
     * @param channel where the record goes
     * @return the number of bytes written, header included
     * @throws IOException if the channel fails
     */
    public static long serializeSegments(List<MemorySegment> blobs, WritableByteChannel channel) throws IOException {
        RecordWriter writer = new RecordWriter();
        for (MemorySegment blob : blobs) {
            writer.add(blob);
        }
        return writer.writeTo(channel);
    }

    /**
     * Appends one record to the file at {@code path}, creating it if needed (as the design note's
     * program does), under the file's writer lock, after the checks {@link RecordAppender#open}
     * makes: a torn tail is cut first, a corrupt file refused. Each call reads every record's header
     * to find where the last complete one ends and that nothing torn or corrupt follows it, so it
     * costs time in proportion to the file and a loop of n calls reads O(n^2) headers: for many
     * appends, or durable ones that say where records went, use a {@link RecordAppender}, which
     * reads them once, when it opens.
     * Delete or truncate the file first to replace it: a sidecar left by an earlier file of that
     * name is then set aside, never trusted. A failed append truncates the file back to its
     * previous length (see {@link RecordWriter#appendTo}).
     *
     * @param path  the file
     * @param blobs the record's blobs
     * @return the bytes written
     * @throws IOException if the file is not a regular file, another writer holds it, or the write failed
     */
    public static long write(Path path, List<byte[]> blobs) throws IOException {
        RecordWriter writer = new RecordWriter();
        for (byte[] blob : blobs) {
            writer.add(ByteBuffer.wrap(blob));
        }
        try (DataFiles.Locked file = DataFiles.openLocked(Storage.DEFAULT, path, true)) {
            FileChannel channel = file.channel();
            if (channel.size() == 0) {
                Sidecar.setAside(path, "the data file was empty");
            }
            Survey survey = RecordFiles.survey(channel, path, false); // after a torn tail, a record would be lost with it
            if (survey.end == RecordWalk.End.CORRUPT) {
                throw RecordFiles.withAdvice(survey.corruption);
            }
            if (survey.end == RecordWalk.End.TORN) {
                RecordFiles.truncate(channel, path, survey.validBytes);
            }
            channel.position(survey.validBytes);
            return writer.appendAt(channel, survey.validBytes, path);
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads exactly one record from {@code channel} into one segment from the default allocator
     * and leaves the channel right after it.
     *
     * <p>Errors name the channel by what it is ("file channel", "stream"; name it yourself with
     * {@link ReadOptions#withSourceName}) and give the byte offset: the absolute position for a
     * channel that has one (a {@code FileChannel}), else counted from where this call started
     * reading. To read a stream of records with offsets from its start, use one
     * {@link RecordReader} for the whole stream.
     *
     * @param channel where the record is read from
     * @return the record, which the caller closes
     * @throws CorruptRecordException if the record is malformed or truncated, or the channel is at its end
     * @throws IOException            if the channel fails
     */
    public static Batch deserialize(ReadableByteChannel channel) throws IOException {
        return deserialize(channel, ReadOptions.defaults());
    }

    /**
     * Like {@link #deserialize(ReadableByteChannel)} with the given allocator and limits.
     *
     * @param channel where the record is read from
     * @param options the allocator, size cap and source name
     * @return the record, which the caller closes
     * @throws CorruptRecordException if the record is malformed or truncated, or the channel is at its end
     * @throws IOException            if the channel fails
     */
    public static Batch deserialize(ReadableByteChannel channel, ReadOptions options) throws IOException {
        if (channel instanceof FileChannel file) {
            return FileChannelReads.read(file, options, true);
        }
        Object name = options.nameOf(channel);
        RecordReader reader = new RecordReader(channel, name, options);
        return requireRecord(reader.next(), name, reader.position());
    }

    /**
     * Reads the record that starts at {@code position} of {@code file} without using or moving the
     * channel's position, so any number of threads may read one channel at once (each call reads
     * with {@link FileChannel#read(ByteBuffer, long)}). Offsets in errors are positions in the file.
     *
     * @param file     the file to read from; its position is neither used nor moved
     * @param position where the record starts in the file
     * @return the record, which the caller closes
     * @throws CorruptRecordException if no valid record starts there (at or past the end included)
     * @throws IOException            if the file cannot be read
     */
    public static Batch deserialize(FileChannel file, long position) throws IOException {
        return deserialize(file, position, ReadOptions.defaults());
    }

    /**
     * Like {@link #deserialize(FileChannel, long)} with the given allocator, limits and name.
     *
     * @param file     the file to read from; its position is neither used nor moved
     * @param position where the record starts in the file
     * @param options  the allocator, size cap and source name
     * @return the record, which the caller closes
     * @throws CorruptRecordException if no valid record starts there (at or past the end included)
     * @throws IOException            if the file cannot be read
     */
    public static Batch deserialize(FileChannel file, long position, ReadOptions options) throws IOException {
        Object name = options.nameOf(file);
        RecordReader reader = new RecordReader(new PositionalChannel(file, position), name, options);
        return requireRecord(reader.next(), name, position);
    }

    /**
     * Reads the next record of {@code channel}, or returns null if the channel ends cleanly first
     * (no byte of another record): the loop for reading records until the end without an
     * exception. An end inside a record still throws. Batches are AutoCloseable and
     * try-with-resources accepts null:
     *
     * <pre>{@code
     * for (;;) {
     *     try (Batch batch = Codec.tryDeserialize(channel, options)) {
     *         if (batch == null) break;  // a clean end
     *         ...
     *     }
     * }
     * }</pre>
     *
     * <p>Each call stands alone and leaves the channel right after its record, so it costs at
     * least one channel read per record (a system call, about 0.3 to 0.6 microseconds), more
     * than reading a 1 KiB record's bytes in bulk. On a {@code FileChannel} of a regular file, a
     * record of at most 64 KiB that is as large as the one this thread read before from the same
     * channel takes one read; a smaller one two more calls (to move the position back), a larger
     * one three (as without a guess). A stream is never read past its record. To read many records of a file or of a stream
     * nothing else reads, use {@link RecordReader#open(Path, ReadOptions)} or
     * {@link RecordReader#readingAhead}, which read {@value RecordReader#READ_AHEAD_BYTES} bytes
     * at a time.
     *
     * @param channel where the record is read from
     * @param options the allocator, size cap and source name
     * @return the record, which the caller closes, or null at a clean end
     * @throws CorruptRecordException if a record is malformed or truncated
     * @throws IOException            if the channel fails
     */
    public static Batch tryDeserialize(ReadableByteChannel channel, ReadOptions options) throws IOException {
        if (channel instanceof FileChannel file) {
            return FileChannelReads.read(file, options, false);
        }
        return new RecordReader(channel, options.nameOf(channel), options).next();
    }

    /**
     * Reads the first record of the file at {@code path}.
     *
     * @param path the file to read
     * @return the record, which the caller closes
     * @throws CorruptRecordException if the first record is malformed or truncated, or the file is empty
     * @throws IOException            if the file cannot be read
     */
    public static Batch deserialize(Path path) throws IOException {
        return deserialize(path, ReadOptions.defaults());
    }

    /**
     * Reads the first record of the file at {@code path} with the given allocator and limits.
     *
     * @param path    the file to read
     * @param options the allocator, size cap and source name
     * @return the record, which the caller closes
     * @throws CorruptRecordException if the first record is malformed or truncated, or the file is empty
     * @throws IOException            if the file cannot be read
     */
    public static Batch deserialize(Path path, ReadOptions options) throws IOException {
        try (RecordReader reader = RecordReader.open(path, options, false)) { // one record: no read-ahead
            return requireRecord(reader.next(), path, 0);
        }
    }

    /**
     * Reads every record of a file of appended records. On failure, the batches already read are
     * closed before the exception is thrown. The caller closes every returned batch.
     *
     * @param path the file to read
     * @return every record, in file order
     * @throws CorruptRecordException if a record is malformed or truncated
     * @throws IOException            if the file cannot be read
     */
    public static List<Batch> readAll(Path path) throws IOException {
        return readAll(path, ReadOptions.defaults());
    }

    /**
     * Like {@link #readAll(Path)} with the given allocator and limits.
     *
     * @param path    the file to read
     * @param options the allocator, size cap and source name
     * @return every record, in file order
     * @throws CorruptRecordException if a record is malformed or truncated
     * @throws IOException            if the file cannot be read
     */
    public static List<Batch> readAll(Path path, ReadOptions options) throws IOException {
        List<Batch> batches = new ArrayList<>();
        try (RecordReader reader = RecordReader.open(path, options)) {
            for (Batch batch = reader.next(); batch != null; batch = reader.next()) {
                batches.add(batch);
            }
            return batches;
        } catch (IOException | RuntimeException e) {
            batches.forEach(Batch::close);
            throw e;
        }
    }

    private static Batch requireRecord(Batch batch, Object source, long offset) throws CorruptRecordException {
        if (batch == null) {
            throw new CorruptRecordException(String.valueOf(source), offset, "no record: the input ended before a header");
        }
        return batch;
    }

    // ---------------------------------------------------------------- mapping

    /**
     * Maps the whole file at {@code path} in one mapping and gives every record, by index or in
     * order: {@link RecordFile#open(Path, RecordFile.Mode, ReadOptions)} in {@link RecordFile.Mode#MAP}.
     *
     * @param path the file to map
     * @return the mapped file, which the caller closes
     * @throws CorruptRecordException if the file is corrupt (see {@link RecordFile#open(Path, RecordFile.Mode, ReadOptions)})
     * @throws IOException            if the file cannot be read or mapped
     */
    public static RecordFile mapAll(Path path) throws IOException {
        return RecordFile.open(path, RecordFile.Mode.MAP, ReadOptions.defaults());
    }

    /**
     * Maps the first record of {@code path} read-only, see {@link #map(Path, ReadOptions)}; {@link #mapAll} maps every record.
     *
     * @param path the file to map
     * @return the first record, which the caller closes
     * @throws CorruptRecordException if the first record is malformed or truncated, or the file is empty
     * @throws IOException            if the file cannot be read or mapped
     */
    public static Batch map(Path path) throws IOException {
        return map(path, ReadOptions.defaults());
    }

    /**
     * Memory-maps the file at {@code path} read-only and returns its first record without copying
     * the payload: blobs are views of the page cache, so files larger than 2 GiB or than RAM work.
     * The only memory taken from the allocator is a table of {@code 8 x count} bytes of blob
     * offsets. The mapping is released when the batch and every view retained from it are.
     *
     * <p>The file must not be truncated while mapped: reads past its new end fail in the OS.
     *
     * @param path    the file to map
     * @param options the allocator for the offset table, size cap and source name
     * @return the first record, which the caller closes
     * @throws CorruptRecordException if the first record is malformed or truncated, or the file is empty
     * @throws IOException            if the file cannot be read or mapped
     */
    public static Batch map(Path path, ReadOptions options) throws IOException {
        return MappedFirstRecord.map(path, options);
    }
}
