package dev.sliver.codec;

/** The words an error message quotes from an exception: never "null". */
final class Reasons {
    private Reasons() {
    }

    /** The exception's message, or its type when it has none (many I/O exceptions have none). */
    static String of(Throwable e) {
        return switch (e) {
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.file.NoSuchFileException n -> "no such file or directory";
            case java.nio.file.FileAlreadyExistsException f -> "already exists";
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }
}
