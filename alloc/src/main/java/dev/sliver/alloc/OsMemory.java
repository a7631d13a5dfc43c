package dev.sliver.alloc;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Memory straight from the OS: {@code mmap} and {@code munmap} through FFM downcalls on Linux and
 * macOS, each mapping tied to an {@link Arena} whose close unmaps it.
 *
 * <p>Why not {@code Arena.allocate}: it goes through {@code malloc}, and glibc raises its mmap
 * threshold every time a large mmapped block is freed, so later chunks come from the heap and
 * freeing them no longer lowers resident memory. An anonymous mapping is also not resident until
 * touched and needs no zeroing. The unmapping runs as the arena's cleanup, after its scope is
 * closed, so no segment can reach the memory any more.
 *
 * <p>The downcalls are restricted methods: run with {@code --enable-native-access=dev.sliver.alloc}
 * (or {@code ALL-UNNAMED} on the class path) to avoid the JDK's warning. Where they are denied,
 * or on another OS, memory comes from {@code Arena.allocate} instead and the allocator still
 * works; only the return of resident memory to the OS becomes best-effort.
 */
@SuppressWarnings("restricted") // deliberate: see the class comment
final class OsMemory {
    /** Alignment of every mapping: a span page. */
    static final long ALIGNMENT = SizeClasses.PAGE_SIZE;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final int MAP_FLAGS;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;

    static {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        int flags = os.contains("linux") ? 0x02 | 0x20 : os.contains("mac") ? 0x02 | 0x1000 : 0;
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        if (flags != 0) {
            try {
                Linker linker = Linker.nativeLinker();
                var lookup = linker.defaultLookup();
                mmap = linker.downcallHandle(lookup.find("mmap").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(lookup.find("munmap").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            } catch (RuntimeException | Error e) { // IllegalCallerException when native access is denied
                System.getLogger("dev.sliver.alloc").log(System.Logger.Level.INFO,
                        "mmap unavailable (" + e + "); chunks come from Arena.allocate, and freed memory "
                                + "returns to the OS only as malloc allows. Enable native access for dev.sliver.alloc.");
                mmap = null;
                munmap = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MAP_FLAGS = flags;
    }

    private OsMemory() {
    }

    /** Whether memory comes from mmap (native access granted, Linux or macOS) rather than Arena.allocate. */
    static boolean mapsDirectly() {
        return MMAP != null;
    }

    /** {@code size} bytes aligned to {@link #ALIGNMENT}, unmapped when {@code arena} closes. */
    static MemorySegment map(long size, Arena arena) {
        if (MMAP == null) {
            return arena.allocate(size, ALIGNMENT);
        }
        long total = size + ALIGNMENT; // room to align; untouched pages cost no memory
        long raw;
        try {
            raw = ((MemorySegment) MMAP.invokeExact(MemorySegment.NULL, total, PROT_READ_WRITE, MAP_FLAGS, -1, 0L))
                    .address();
        } catch (Throwable e) {
            throw new IllegalStateException("mmap failed", e);
        }
        if (raw == -1 || raw == 0) {
            throw new OutOfMemoryError("mmap of " + size + " bytes failed");
        }
        long aligned = (raw + ALIGNMENT - 1) & -ALIGNMENT;
        return MemorySegment.ofAddress(aligned).reinterpret(size, arena, ignored -> unmap(raw, total));
    }

    private static void unmap(long address, long size) {
        try {
            int rc = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), size);
            if (rc != 0) {
                System.getLogger("dev.sliver.alloc").log(System.Logger.Level.WARNING,
                        "munmap(0x" + Long.toHexString(address) + ", " + size + ") failed");
            }
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
        }
    }
}
