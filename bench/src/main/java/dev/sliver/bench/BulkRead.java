package dev.sliver.bench;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** The floor every file reader is measured against: the whole file, read into a reused segment. */
final class BulkRead {
    private BulkRead() {
    }

    /** Reads {@code file} from byte 0 into {@code into} (as large as the file), 1 GiB per ByteBuffer; returns the bytes. */
    static long into(FileChannel file, MemorySegment into) throws IOException {
        long size = into.byteSize();
        for (long pos = 0; pos < size; ) {
            ByteBuffer buffer = into.asSlice(pos, Math.min(1 << 30, size - pos)).asByteBuffer();
            while (buffer.hasRemaining() && file.read(buffer, pos + buffer.position()) >= 0) {
                // keep reading
            }
            pos += buffer.capacity();
        }
        return size;
    }
}
