package dev.sliver.alloc;

import java.time.Duration;
import java.util.Objects;

/**
 * The knobs of a {@link ThreadCachingAllocator}, checked when the record is made. Start from
 * {@link #defaults()}, or from {@link ThreadCachingAllocator#builder()}, which changes one setting
 * at a time and fails at the setter that is out of range.
 *
 * @param pools             independently locked pools of chunks (default 2 x cores)
 * @param stripes           caches shared by virtual threads (default 2 x cores, rounded up to a
 *                          power of two)
 * @param threadCacheBytes  byte budget of each thread cache (default 2 MiB)
 * @param largeThreshold    requests above this many bytes get a mapping of their own (default and
 *                          maximum 256 KiB)
 * @param decay             how long unused chunks and idle large blocks are kept before they go
 *                          back to the OS (default 10 s)
 * @param maxIdleLargeBytes cap on the bytes of freed large blocks kept for reuse (default 2 GiB)
 * @param name              a name for the decay thread, JMX and messages; null for
 *                          {@code allocator-N}, numbered in creation order
 */
public record AllocatorSettings(int pools, int stripes, long threadCacheBytes, long largeThreshold, Duration decay,
                                long maxIdleLargeBytes, String name) {
    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException if {@code pools} or {@code stripes} is below 1, a byte count
     *                                  or the decay is negative, or {@code largeThreshold} is above
     *                                  256 KiB
     * @throws NullPointerException     if {@code decay} is null
     */
    public AllocatorSettings {
        if (pools < 1) {
            throw new IllegalArgumentException("pools must be at least 1, got " + pools);
        }
        if (stripes < 1) {
            throw new IllegalArgumentException("stripes must be at least 1, got " + stripes);
        }
        if (threadCacheBytes < 0) {
            throw new IllegalArgumentException("negative thread cache budget: " + threadCacheBytes);
        }
        if (largeThreshold < 0 || largeThreshold > SizeClasses.MAX_SMALL) {
            throw new IllegalArgumentException("large threshold must be in [0, " + SizeClasses.MAX_SMALL + "], got " + largeThreshold);
        }
        if (Objects.requireNonNull(decay, "decay").isNegative()) {
            throw new IllegalArgumentException("negative decay: " + decay);
        }
        if (maxIdleLargeBytes < 0) {
            throw new IllegalArgumentException("negative cap: " + maxIdleLargeBytes);
        }
    }

    /**
     * The defaults, sized for this machine's processor count.
     *
     * @return 2 x cores pools and stripes, 2 MiB per thread cache, a 256 KiB large threshold, 10 s
     *         of decay, 2 GiB of idle large blocks, and no name
     */
    public static AllocatorSettings defaults() {
        int twiceTheCores = 2 * Runtime.getRuntime().availableProcessors();
        return new AllocatorSettings(twiceTheCores, twiceTheCores, 2L << 20, SizeClasses.MAX_SMALL,
                Duration.ofSeconds(10), 2L << 30, null);
    }

    /**
     * Settings changed one at a time, each checked by its setter; made by
     * {@link ThreadCachingAllocator#builder()}.
     */
    public static final class Builder {
        private AllocatorSettings settings = defaults();

        Builder() {
        }

        /**
         * Sets the number of independently locked pools of chunks (default 2 x cores).
         *
         * @param count at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is below 1
         */
        public Builder pools(int count) {
            AllocatorSettings s = settings;
            settings = new AllocatorSettings(count, s.stripes, s.threadCacheBytes, s.largeThreshold, s.decay, s.maxIdleLargeBytes, s.name);
            return this;
        }

        /**
         * Sets the number of caches shared by virtual threads (default 2 x cores, rounded up to a
         * power of two).
         *
         * @param count at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is below 1
         */
        public Builder stripes(int count) {
            AllocatorSettings s = settings;
            settings = new AllocatorSettings(s.pools, count, s.threadCacheBytes, s.largeThreshold, s.decay, s.maxIdleLargeBytes, s.name);
            return this;
        }

        /**
         * Sets the byte budget of each thread cache (default 2 MiB).
         *
         * @param bytes at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder threadCacheBytes(long bytes) {
            AllocatorSettings s = settings;
            settings = new AllocatorSettings(s.pools, s.stripes, bytes, s.largeThreshold, s.decay, s.maxIdleLargeBytes, s.name);
            return this;
        }

        /**
         * Sets the size above which a request gets a mapping of its own (default and maximum 256 KiB).
         *
         * @param bytes in {@code [0, 262144]}
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative or above 256 KiB
         */
        public Builder largeThreshold(long bytes) {
            AllocatorSettings s = settings;
            settings = new AllocatorSettings(s.pools, s.stripes, s.threadCacheBytes, bytes, s.decay, s.maxIdleLargeBytes, s.name);
            return this;
        }

        /**
         * Sets how long unused chunks and idle large blocks are kept before they go back to the OS
         * (default 10 s).
         *
         * @param period not negative
         * @return this builder
         * @throws IllegalArgumentException if {@code period} is negative
         * @throws NullPointerException     if {@code period} is null
         */
        public Builder decay(Duration period) {
            AllocatorSettings s = settings;
            settings = new AllocatorSettings(s.pools, s.stripes, s.threadCacheBytes, s.largeThreshold, period, s.maxIdleLargeBytes, s.name);
            return this;
        }

        /**
         * Sets the cap on bytes of freed large blocks kept for reuse (default 2 GiB).
         *
         * @param bytes at least 0; 0 unmaps every large block at its free
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder maxIdleLargeBytes(long bytes) {
            AllocatorSettings s = settings;
            settings = new AllocatorSettings(s.pools, s.stripes, s.threadCacheBytes, s.largeThreshold, s.decay, bytes, s.name);
            return this;
        }

        /**
         * Names the allocator's decay thread, JMX view and messages.
         *
         * @param allocatorName the name
         * @return this builder
         * @throws NullPointerException if {@code allocatorName} is null
         */
        public Builder name(String allocatorName) {
            AllocatorSettings s = settings;
            settings = new AllocatorSettings(s.pools, s.stripes, s.threadCacheBytes, s.largeThreshold, s.decay,
                    s.maxIdleLargeBytes, Objects.requireNonNull(allocatorName, "name"));
            return this;
        }

        /**
         * The settings as they stand.
         *
         * @return the settings, already checked
         */
        public AllocatorSettings settings() {
            return settings;
        }

        /**
         * A new allocator with these settings; close it when done (its decay thread also ends if
         * it becomes unreachable).
         *
         * @return the allocator
         */
        public ThreadCachingAllocator build() {
            return new ThreadCachingAllocator(settings);
        }
    }
}
