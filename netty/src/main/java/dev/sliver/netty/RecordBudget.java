package dev.sliver.netty;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A cap on the bytes that the {@link RecordDecoder}s sharing it may hold in records that are still
 * arriving. A decoder reserves a record's {@code total_length} before it allocates the record and
 * gives the reservation back when the record is complete (it then belongs to the handler) or
 * dropped. Without it, N slow peers that each declare a large record and send it one byte at a
 * time hold N times the per-record limit; with it they hold at most the budget, and the peer whose
 * record does not fit is refused and disconnected.
 *
 * <p>Thread-safe and lock-free: a reservation is one CAS loop on one counter.
 */
public final class RecordBudget {
    private final long limit;
    private final AtomicLong reserved = new AtomicLong();

    /**
     * A budget of {@code limitBytes} for all partial records of the decoders that share it.
     *
     * @param limitBytes at least 0
     */
    public RecordBudget(long limitBytes) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("negative budget: " + limitBytes);
        }
        this.limit = limitBytes;
    }

    /** {@return a budget that never refuses} */
    public static RecordBudget unlimited() {
        return new RecordBudget(Long.MAX_VALUE);
    }

    /** Reserves {@code bytes} if they fit; returns whether they did. */
    boolean tryReserve(long bytes) {
        for (;;) {
            long current = reserved.get();
            if (bytes > limit - current) {
                return false;
            }
            if (reserved.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        reserved.addAndGet(-bytes);
    }

    /** {@return the budget in bytes} */
    public long limit() {
        return limit;
    }

    /** {@return the bytes reserved now by partial records} */
    public long reserved() {
        return reserved.get();
    }
}
