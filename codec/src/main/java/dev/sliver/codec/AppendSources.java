package dev.sliver.codec;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The records an appender takes as lists (of arrays, of segments), as {@link AppendBuffer.Source}s:
 * the header from the blobs' sizes, then the lengths, then the bytes, with no object per blob.
 * Each list is read once, when its source is made, before the appender's lock is taken: the
 * header, the lengths and the bytes then come from one look at it, whatever another thread does
 * to the list meanwhile (a slow {@code get}, a linked list, does not hold the lock either).
 * Thread-safe.
 */
final class AppendSources {
    private AppendSources() {
    }

    /** {@return a source of one record of the arrays' bytes} */
    static AppendBuffer.Source arrays(List<byte[]> list) {
        byte[][] blobs = list.toArray(new byte[0][]);
        return buffer -> {
            long payload = 0;
            for (byte[] blob : blobs) {
                payload += blob.length; // cannot overflow: fewer than 2^31 arrays of fewer than 2^31 bytes
            }
            buffer.header(blobs.length, payload);
            for (byte[] blob : blobs) {
                buffer.length(blob.length);
            }
            for (byte[] blob : blobs) {
                buffer.put(blob);
            }
        };
    }

    /** {@return a source of one record of the segments' bytes} */
    static AppendBuffer.Source segments(List<MemorySegment> list) {
        MemorySegment[] blobs = list.toArray(new MemorySegment[0]);
        return buffer -> {
            long payload = 0;
            for (MemorySegment blob : blobs) {
                payload = Math.addExact(payload, blob.byteSize());
            }
            buffer.header(blobs.length, payload);
            for (MemorySegment blob : blobs) {
                buffer.length(blob.byteSize());
            }
            for (MemorySegment blob : blobs) {
                buffer.put(blob);
            }
        };
    }
}
