package dev.sliver.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The one loop that fills a buffer from a file by positional reads, and its two errors: an I/O
 * error, and the end of the file met before the bytes the caller knows are there (the file
 * shrank underneath). Both name the file and the byte offset. Positional reads neither use nor
 * move the channel's position, so callers on several threads can share a channel.
 */
final class PositionalReads {
    private PositionalReads() {
    }

    /**
     * Reads from {@code file} at {@code position} into {@code target} (from its position to its
     * limit, where byte {@code target.position()} of the buffer holds file byte
     * {@code position + target.position()}) until the buffer holds at least {@code atLeast}
     * bytes: a caller that wants the buffer full passes its limit.
     *
     * @param name names the file in errors
     * @throws IOException if the read fails, or the file ends first, naming it and the offset
     */
    static void readAtLeast(FileChannel file, ByteBuffer target, long position, int atLeast, Object name)
            throws IOException {
        while (target.position() < atLeast) {
            long at = position + target.position();
            int n;
            try {
                n = file.read(target, at);
            } catch (IOException e) {
                throw new IOException(name + ": " + Reasons.of(e) + " at byte " + at, e);
            }
            if (n < 0) {
                throw new IOException(name + ": the file shrank while it was read (truncated by another program?) at byte "
                        + at);
            }
        }
    }
}
