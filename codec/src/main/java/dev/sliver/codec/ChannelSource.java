package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.SelectableChannel;
import java.util.Objects;

/**
 * A channel being read record by record, with what every reader needs around it: the offset of
 * the next byte, a size only when it can be trusted, and errors that name the source and offset.
 * Not thread-safe.
 */
final class ChannelSource {
    final ReadableByteChannel channel;
    /** Names the source in errors; its toString() is called only when one is thrown. */
    final Object name;
    /** The channel as seekable, if it says it is; its size is trusted only while consistent with what was read. */
    private final SeekableByteChannel seekable;
    /** Offset in the source of the next byte to read (absolute for channels with a position). */
    long position;
    /** The size {@link #remainingAfter} last read, or -1: a reader that reads ahead trusts it while it covers a record. */
    private long knownSize = -1;

    ChannelSource(ReadableByteChannel channel, Object name) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.name = Objects.requireNonNull(name, "source");
        if (channel instanceof SelectableChannel sc && !sc.isBlocking()) {
            throw new IllegalArgumentException(name + ": channel is in non-blocking mode");
        }
        this.seekable = channel instanceof SeekableByteChannel sbc ? sbc : null;
        this.position = seekable != null ? startPosition(seekable) : 0;
    }

    /** The channel's position, or 0 for a channel that is seekable in type only (a FIFO says "Illegal seek"). */
    private static long startPosition(SeekableByteChannel channel) {
        try {
            return channel.position();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * How many bytes the source holds after the total_length field of the record at {@code start},
     * or -1 if it has no size to trust: not seekable, or its size does not cover the {@code got}
     * bytes just read from it (files in /proc and character devices report 0, a channel can be
     * positioned past its end). Such sources are read as streams.
     */
    long remainingAfter(long start, int got) {
        return remainingAfter(start, got, -1L);
    }

    /**
     * Like {@link #remainingAfter(long, int)}, but answers from the size it last read while that
     * size covers the {@code got} bytes and a record of {@code total} bytes after its total_length
     * field (compared unsigned: -1 always asks the channel). A reader that reads ahead asks the
     * channel once per buffer, not once per record: a file that grew since is asked again when a
     * record runs past the size known, and one truncated since ends in a truncated record.
     */
    long remainingAfter(long start, int got, long total) {
        if (seekable == null) {
            return -1;
        }
        long known = knownSize;
        if (known >= 0 && known - start >= got
                && Long.compareUnsigned(total, known - start - RecordFormat.WORD) <= 0) {
            return known - start - RecordFormat.WORD;
        }
        try {
            long size = seekable.size();
            knownSize = size;
            return size - start >= got ? size - start - RecordFormat.WORD : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** One read of the channel into {@code buffer} (which has room): the bytes read, or -1 at its end. */
    int readSome(ByteBuffer buffer) throws IOException {
        int n;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            throw wrap(e);
        }
        if (n > 0) {
            position += n;
        }
        return n;
    }

    /** Reads until {@code buffer} is full or the channel ends; returns the bytes read. */
    int readFully(ByteBuffer buffer) throws IOException {
        int read = 0;
        while (buffer.hasRemaining()) {
            int n;
            try {
                n = channel.read(buffer);
            } catch (IOException e) {
                throw wrap(e);
            }
            if (n < 0) {
                break;
            }
            read += n;
            position += n;
        }
        return read;
    }

    /** Moves past {@code n} bytes: by position when trusted sizes showed they exist, else by reading them. */
    void skip(long n, boolean sized, ByteBuffer scratch, long recordStart, long expected) throws IOException {
        if (sized) {
            try {
                seekable.position(position + n);
            } catch (IOException e) {
                throw wrap(e);
            }
            position += n;
            return;
        }
        for (long left = n; left > 0; ) {
            scratch.clear().limit((int) Math.min(scratch.capacity(), left));
            int got = readFully(scratch);
            left -= got;
            if (scratch.hasRemaining()) {
                throw truncated(recordStart, expected, position - recordStart);
            }
        }
    }

    /** The channel's own message rarely says which file or where: add both. */
    IOException wrap(IOException e) {
        String reason = Reasons.of(e);
        return new IOException(name + ": " + reason + " at byte " + position, e);
    }

    CorruptRecordException truncated(long recordStart, long expected, long got) {
        return new CorruptRecordException(String.valueOf(name), recordStart + got, "truncated record: expected "
                + expected + " bytes for the record starting at byte " + recordStart + ", got " + got);
    }
}
