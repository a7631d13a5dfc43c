package dev.sliver.examples;

/** A command line that cannot be run as given; the tool exits with status 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
