package dev.sliver.codec;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.core.MemoryAllocator;

import java.util.Objects;

/**
 * How records are read: the allocator each record's memory comes from, and the largest record
 * accepted. The limit applies to every source: a socket, a pipe or a device, whose size is
 * unknown, and a file too, where a record must also fit in what remains of it (a file is no
 * reason to allocate 30 GiB; use {@link Codec#map} for records larger than the limit, which
 * allocates nothing for the payload, or raise the limit).
 *
 * @param allocator      where record memory comes from; freed there when the batch is released
 * @param maxRecordBytes the largest {@code total_length} accepted, in bytes
 * @param sourceName     how errors name a channel the caller passed in, or null to say what it
 *                       is ("file channel", "socket channel", "stream"); a file the library
 *                       opened is always named by its path
 */
public record ReadOptions(MemoryAllocator allocator, long maxRecordBytes, String sourceName) {
    /**
     * Default cap on one record: 256 MiB. A hostile peer or file can make a reader allocate at
     * most this much before the read fails.
     */
    public static final long DEFAULT_MAX_RECORD_BYTES = 256L << 20;

    /**
     * Options with the default naming of channels.
     *
     * @param allocator      where records' memory comes from
     * @param maxRecordBytes the cap on one record, at least 16
     */
    public ReadOptions(MemoryAllocator allocator, long maxRecordBytes) {
        this(allocator, maxRecordBytes, null);
    }

    /** Validates the options. */
    public ReadOptions {
        Objects.requireNonNull(allocator, "allocator");
        if (maxRecordBytes < 16) {
            throw new IllegalArgumentException("maxRecordBytes must be at least 16, got " + maxRecordBytes);
        }
    }

    /** {@return the codec's default allocator}: {@link ThreadCachingAllocator#shared()} */
    public static MemoryAllocator defaultAllocator() {
        return ThreadCachingAllocator.shared();
    }

    /** {@return the default allocator and {@link #DEFAULT_MAX_RECORD_BYTES}} */
    public static ReadOptions defaults() {
        return new ReadOptions(defaultAllocator(), DEFAULT_MAX_RECORD_BYTES);
    }

    /**
     * {@return these options with another allocator}
     *
     * @param newAllocator where records' memory comes from
     */
    public ReadOptions withAllocator(MemoryAllocator newAllocator) {
        return new ReadOptions(newAllocator, maxRecordBytes, sourceName);
    }

    /**
     * {@return these options with another size cap}
     *
     * @param newMax the cap on one record, at least 16
     */
    public ReadOptions withMaxRecordBytes(long newMax) {
        return new ReadOptions(allocator, newMax, sourceName);
    }

    /**
     * {@return these options naming the channel {@code name} in errors} (a path, a peer, a topic...)
     *
     * @param name what errors call the channel
     */
    public ReadOptions withSourceName(String name) {
        return new ReadOptions(allocator, maxRecordBytes, java.util.Objects.requireNonNull(name, "name"));
    }

    /** What errors call {@code channel}: {@link #sourceName()} if set, else what kind of channel it is. */
    Object nameOf(java.nio.channels.Channel channel) {
        if (sourceName != null) {
            return sourceName;
        }
        return switch (channel) {
            case java.nio.channels.FileChannel f -> "file channel";
            case java.nio.channels.SocketChannel s -> "socket channel";
            case java.nio.channels.Pipe.SourceChannel p -> "pipe";
            default -> "stream";
        };
    }
}
