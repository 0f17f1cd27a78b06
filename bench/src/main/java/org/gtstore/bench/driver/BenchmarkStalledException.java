package org.gtstore.bench.driver;

/** No operation completed for the stall timeout: the store (or the client) has hung. */
public final class BenchmarkStalledException extends BenchmarkException {
    private static final long serialVersionUID = 1L;

    public BenchmarkStalledException(String message) {
        super(message);
    }
}
