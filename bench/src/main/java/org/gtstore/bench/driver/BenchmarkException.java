package org.gtstore.bench.driver;

/** A benchmark could not produce a valid result: the store failed or hung, not the benchmark. */
public class BenchmarkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BenchmarkException(String message) {
        super(message);
    }

    public BenchmarkException(String message, Throwable cause) {
        super(message, cause);
    }
}
