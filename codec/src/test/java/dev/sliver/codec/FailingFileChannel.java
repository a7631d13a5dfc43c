package dev.sliver.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A file channel that writes through to a real one until {@code budget} bytes have been written,
 * then fails like a full disk (after writing what fits, as a real one does). {@code truncate} can
 * be made to fail too.
 */
final class FailingFileChannel extends ForwardingFileChannel {
    private long budget;
    boolean truncateFails;

    FailingFileChannel(FileChannel file, long budget) {
        super(file);
        this.budget = budget;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (budget <= 0) {
            throw new IOException("No space left on device");
        }
        ByteBuffer part = src.slice(src.position(), (int) Math.min(src.remaining(), budget));
        int n = file.write(part);
        src.position(src.position() + n);
        budget -= n;
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                return write(srcs[i]);
            }
        }
        return 0;
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        if (truncateFails) {
            throw new IOException("Input/output error");
        }
        file.truncate(size);
        return this;
    }

    /** Writes go through the budget above: a positional one would bypass it. */
    @Override
    public int write(ByteBuffer src, long position) {
        throw new UnsupportedOperationException();
    }
}
