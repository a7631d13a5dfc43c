package dev.sliver.codec;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The records an appender takes as lists (of arrays, of segments), as {@link AppendBuffer.Source}s:
 * the header from the blobs' sizes, then the lengths, then the bytes, with no object per blob.
 * Stateless and thread-safe; the lists are read when the record is staged.
 */
final class AppendSources {
    private AppendSources() {
    }

    /** {@return a source of one record of the arrays' bytes} */
    static AppendBuffer.Source arrays(List<byte[]> blobs) {
        return buffer -> {
            int count = blobs.size();
            long payload = 0;
            for (int i = 0; i < count; i++) {
                payload += blobs.get(i).length; // cannot overflow: fewer than 2^31 arrays of fewer than 2^31 bytes
            }
            buffer.header(count, payload);
            for (int i = 0; i < count; i++) {
                buffer.length(blobs.get(i).length);
            }
            for (int i = 0; i < count; i++) {
                buffer.put(blobs.get(i));
            }
        };
    }

    /** {@return a source of one record of the segments' bytes} */
    static AppendBuffer.Source segments(List<MemorySegment> blobs) {
        return buffer -> {
            int count = blobs.size();
            long payload = 0;
            for (int i = 0; i < count; i++) {
                payload = Math.addExact(payload, blobs.get(i).byteSize());
            }
            buffer.header(count, payload);
            for (int i = 0; i < count; i++) {
                buffer.length(blobs.get(i).byteSize());
            }
            for (int i = 0; i < count; i++) {
                buffer.put(blobs.get(i));
            }
        };
    }
}
