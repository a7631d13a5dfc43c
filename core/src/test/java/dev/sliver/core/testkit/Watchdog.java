package dev.sliver.core.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a workload that may hang, and fails with a dump of every thread (virtual ones included)
 * instead of hanging the build. The threads of a hung workload are left behind; the failing test
 * says where the dump is. In core's test jar, so that every module's stress tests use this one.
 */
public final class Watchdog {
    private Watchdog() {
    }

    /**
     * Runs {@code work} on a watched thread.
     *
     * @param name  names the thread and the dump file
     * @param limit how long the work may take
     * @param work  the workload
     * @param <T>   the workload's result type
     * @return the workload's result
     * @throws Exception     the workload's own exception
     * @throws AssertionError if it made no end within {@code limit} (after dumping every thread)
     */
    public static <T> T run(String name, Duration limit, Callable<T> work) throws Exception {
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
            // java.lang.management and com.sun.management through reflection: core's module reads
            // neither java.management nor jdk.management, and tests compile inside it.
            Class<?> type = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            Class<?> format = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
            Object plain = format.getField("TEXT_PLAIN").get(null);
            Object bean = Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getPlatformMXBean", Class.class).invoke(null, type);
            type.getMethod("dumpThreads", String.class, format).invoke(bean, file.toString(), plain);
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
