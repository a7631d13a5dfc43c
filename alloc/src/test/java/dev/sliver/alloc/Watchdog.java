package dev.sliver.alloc;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a workload that may hang, and fails with a dump of every thread (virtual ones included)
 * instead of hanging the build. The threads of a hung workload are left behind; the failing test
 * says where the dump is.
 */
final class Watchdog {
    private Watchdog() {
    }

    static <T> T run(String name, Duration limit, Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().daemon().name("watched-" + name).start(() -> {
            try {
                result.set(work.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        runner.join(limit);
        if (runner.isAlive()) {
            throw new AssertionError(name + " made no end within " + limit + "; threads dumped to " + dump(name));
        }
        if (failure.get() instanceof Exception e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
        return result.get();
    }

    private static Path dump(String name) {
        try {
            Path file = Files.createTempFile("sliver-hang-" + name + "-", ".txt");
            Files.delete(file); // dumpThreads refuses to overwrite
            // com.sun.management through reflection: the test module does not read jdk.management.
            @SuppressWarnings("unchecked")
            Class<PlatformManagedObject> type = (Class<PlatformManagedObject>) Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            @SuppressWarnings({"unchecked", "rawtypes"})
            Class<Enum> format = (Class<Enum>) Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
            @SuppressWarnings("unchecked")
            Object plain = Enum.valueOf(format, "TEXT_PLAIN");
            type.getMethod("dumpThreads", String.class, format).invoke(ManagementFactory.getPlatformMXBean(type), file.toString(), plain);
            System.err.println(Files.readString(file).lines().limit(400).reduce("", (a, b) -> a + b + "\n"));
            return file;
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            Thread.getAllStackTraces().forEach((t, stack) -> {
                System.err.println(t);
                for (StackTraceElement frame : stack) {
                    System.err.println("    at " + frame);
                }
            });
            return Path.of("(stderr: " + e + ")");
        }
    }
}
