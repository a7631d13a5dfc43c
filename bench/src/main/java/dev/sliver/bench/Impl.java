package dev.sliver.bench;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.core.MemoryAllocator;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The allocators compared, behind one tiny interface: {@code allocate} returns a handle that
 * {@code free} takes back. Each implementation touches the first byte so that none is measured
 * handing out memory that is never used.
 */
abstract class Impl {
    abstract Object allocate(int size);

    abstract void free(Object handle);

    static Impl of(String name) {
        return switch (name) {
            case "sliver" -> new Sliver(ThreadCachingAllocator.shared());
            // local() is made here, on the thread that runs the benchmark (JMH sets up thread-scoped state there)
            case "sliverLocal" -> new Sliver(ThreadCachingAllocator.shared().local());
            case "nettyPooled" -> new Netty(new PooledByteBufAllocator(true));
            case "nettyAdaptive" -> new Netty(new AdaptiveByteBufAllocator(true, true));
            case "malloc" -> new Malloc();
            case "jdkArena" -> new JdkArena();
            default -> throw new IllegalArgumentException(name);
        };
    }

    static final class Sliver extends Impl {
        private final MemoryAllocator allocator;

        Sliver(MemoryAllocator allocator) {
            this.allocator = allocator;
        }

        @Override
        Object allocate(int size) {
            MemorySegment segment = allocator.allocate(size, 1);
            segment.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            return segment;
        }

        @Override
        void free(Object handle) {
            allocator.free((MemorySegment) handle);
        }
    }

    static final class Netty extends Impl {
        private final ByteBufAllocator allocator;

        Netty(ByteBufAllocator allocator) {
            this.allocator = allocator;
        }

        @Override
        Object allocate(int size) {
            ByteBuf buf = allocator.directBuffer(size, size);
            buf.setByte(0, 1);
            return buf;
        }

        @Override
        void free(Object handle) {
            ((ByteBuf) handle).release();
        }
    }

    /** glibc malloc/free through FFM downcalls. */
    @SuppressWarnings("restricted")
    static final class Malloc extends Impl {
        private static final MethodHandle MALLOC;
        private static final MethodHandle FREE;

        static {
            Linker linker = Linker.nativeLinker();
            MALLOC = linker.downcallHandle(linker.defaultLookup().find("malloc").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), Linker.Option.critical(false));
            FREE = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS), Linker.Option.critical(false));
        }

        @Override
        Object allocate(int size) {
            try {
                MemorySegment segment = ((MemorySegment) MALLOC.invokeExact((long) size)).reinterpret(size);
                segment.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                return segment;
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        }

        @Override
        void free(Object handle) {
            try {
                FREE.invokeExact((MemorySegment) handle);
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        }
    }

    /** A confined arena per block: allocate (zeroing) and close. */
    static final class JdkArena extends Impl {
        @Override
        Object allocate(int size) {
            Arena arena = Arena.ofConfined();
            arena.allocate(size).set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            return arena;
        }

        @Override
        void free(Object handle) {
            ((Arena) handle).close();
        }
    }
}
