package dev.sliver.examples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The design note's first {@code deserialize}, the baseline Sliver is measured against: read the
 * record into a heap buffer, then copy every blob into a {@code byte[]} of its own. No validation
 * beyond what the JDK's bounds checks catch; records up to 2 GiB. Not for production use.
 */
public final class CopyingReader {
    private CopyingReader() {
    }

    /** Reads one record from {@code channel} as one new array per blob. */
    public static List<byte[]> read(ReadableByteChannel channel) throws IOException {
        ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, word);
        ByteBuffer body = ByteBuffer.allocate(Math.toIntExact(word.flip().getLong())).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, body);
        int count = Math.toIntExact(body.getLong(0));
        int payload = 8 + 8 * count;
        List<byte[]> blobs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] blob = new byte[Math.toIntExact(body.getLong(8 + 8 * i))];
            body.get(payload, blob);
            payload += blob.length;
            blobs.add(blob);
        }
        return blobs;
    }

    private static void readFully(ReadableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new java.io.EOFException("record truncated");
            }
        }
    }
}
