package dev.sliver.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only view of a {@link FileChannel} with a position of its own: reads go through
 * {@link FileChannel#read(ByteBuffer, long)}, which neither uses nor moves the file's position,
 * so any number of threads can each read one file through their own view. Closing the view
 * leaves the file open.
 */
final class PositionalChannel implements SeekableByteChannel {
    private final FileChannel file;
    private long position;

    PositionalChannel(FileChannel file, long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        this.file = file;
        this.position = position;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = file.read(dst, position);
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        return file.size();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return file.isOpen();
    }

    @Override
    public void close() {
        // the file belongs to the caller
    }
}
