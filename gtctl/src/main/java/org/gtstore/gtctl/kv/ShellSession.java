package org.gtstore.gtctl.kv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.gtstore.gtctl.Errors;

/**
 * Runs {@code gtctl shell}: reads commands line by line, sends them to the store asynchronously
 * with at most {@code window} outstanding, and prints exactly one result line per command (a
 * batch: one per key), in input order, flushed as soon as it (and every line before it) is
 * known.
 *
 * <p>Two threads: the reader parses and submits; the printer waits for the oldest result and
 * prints it. The semaphore bounds the commands submitted but not yet printed. Commands on the
 * same key are chained, so a {@code get} after a {@code put} of the same key sees that put
 * (a batch waits for every earlier command on any of its keys); commands on different keys
 * run concurrently.
 */
final class ShellSession {
    private static final CompletableFuture<String> END = new CompletableFuture<>();

    private final KeyValueStore store;
    private final ResultFormatter format;
    private final PrintWriter out;
    private final int window;
    private final AtomicInteger errors = new AtomicInteger();

    ShellSession(KeyValueStore store, ResultFormatter format, PrintWriter out, int window) {
        if (window <= 0) {
            throw new IllegalArgumentException("window <= 0: " + window);
        }
        this.store = store;
        this.format = format;
        this.out = out;
        this.window = window;
    }

    /**
     * Processes every line of {@code in} until its end.
     *
     * @return the number of commands that printed an ERROR line
     */
    int run(BufferedReader in) throws IOException, InterruptedException {
        BlockingQueue<CompletableFuture<String>> results = new LinkedBlockingQueue<>();
        Semaphore permits = new Semaphore(window);
        Thread printer = new Thread(() -> print(results, permits), "gtctl-shell-printer");
        printer.setDaemon(true);
        printer.start();
        Map<String, CompletableFuture<String>> lastByKey = new HashMap<>();
        try {
            String line;
            while ((line = in.readLine()) != null) {
                if (ShellRequest.isBlankOrComment(line)) {
                    continue;
                }
                permits.acquire();
                results.put(submit(line, lastByKey));
                if (lastByKey.size() > 4 * window) {
                    lastByKey.values().removeIf(CompletableFuture::isDone);
                }
            }
        } finally {
            results.put(END);
            printer.join();
        }
        return errors.get();
    }

    private CompletableFuture<String> submit(
            String line, Map<String, CompletableFuture<String>> lastByKey) {
        ShellRequest request;
        try {
            request = ShellRequest.parse(line);
        } catch (ShellRequest.SyntaxException e) {
            errors.incrementAndGet();
            return CompletableFuture.completedFuture(format.error(null, null, e.getMessage()));
        }
        List<CompletableFuture<String>> previous = new ArrayList<>();
        if (request.op() == ShellRequest.Op.SCAN) {
            // A scan reads every key: it comes after every command before it.
            lastByKey.values().stream().filter(p -> !p.isDone()).forEach(previous::add);
        } else {
            for (String key : request.keys()) {
                CompletableFuture<String> p = lastByKey.get(key);
                if (p != null && !p.isDone()) {
                    previous.add(p);
                }
            }
        }
        CompletableFuture<String> result = previous.isEmpty() ? execute(request)
                : CompletableFuture.allOf(previous.toArray(CompletableFuture[]::new))
                        .thenCompose(ignored -> execute(request));
        if (request.op() != ShellRequest.Op.SCAN) {
            request.keys().forEach(key -> lastByKey.put(key, result));
        }
        return result;
    }

    /** The result line of one command; never completes exceptionally. */
    private CompletableFuture<String> execute(ShellRequest r) {
        CompletableFuture<String> line;
        try {
            line = switch (r.op()) {
                case PUT -> store.put(r.key(), r.value()).thenApply(w -> format.put(r.key(), w));
                case GET -> store.get(r.key()).thenApply(g -> format.get(r.key(), g));
                case DELETE -> store.delete(r.key()).thenApply(w -> format.delete(r.key(), w));
                case CAS -> store.putIf(r.key(), r.value(), r.ifVersion())
                        .thenApply(w -> format.put(r.key(), w));
                case CAD -> store.deleteIf(r.key(), r.ifVersion())
                        .thenApply(w -> format.delete(r.key(), w));
                case SETEX -> store.put(r.key(), r.value(), r.ttl())
                        .thenApply(w -> format.put(r.key(), w));
                case SCAN -> scan(r.key(), r.ifVersion() == 0 ? Long.MAX_VALUE : r.ifVersion(),
                        null, new ArrayList<>());
                case MGET -> store.getAll(r.keys()).thenApply(all -> lines(all, "get",
                        o -> format.get(o.key(), o.result())));
                case MPUT -> store.putAll(entries(r)).thenApply(all -> lines(all, "put",
                        o -> format.put(o.key(), o.result())));
            };
        } catch (RuntimeException e) {
            line = CompletableFuture.failedFuture(e);
        }
        return line.exceptionally(t -> {
            errors.incrementAndGet();
            return format.error(r.op().name().toLowerCase(java.util.Locale.ROOT), r.key(),
                    Errors.describe(t));
        });
    }

    /**
     * The entries of a scan, page after page until {@code left} run out or the last page: one
     * {@code <key>, <value>} line each, then {@code SCAN, <n> keys}.
     */
    private CompletableFuture<String> scan(String prefix, long left, String cursor,
            List<String> lines) {
        int page = (int) Math.min(left, 1_000);
        return store.scan(prefix, cursor, page, false).thenCompose(p -> {
            p.entries().forEach(e -> lines.add(format.scanEntry(e, false)));
            long still = left - p.entries().size();
            if (p.nextCursor() == null || still <= 0) {
                lines.add("SCAN, " + lines.size() + (lines.size() == 1 ? " key" : " keys"));
                return CompletableFuture.completedFuture(String.join("\n", lines));
            }
            return scan(prefix, still, p.nextCursor(), lines);
        });
    }

    /** A batch's lines, one per key in order; a command with a failed key counts one error. */
    private <T> String lines(List<KeyOutcome<T>> outcomes, String op,
            Function<KeyOutcome<T>, String> line) {
        if (outcomes.stream().anyMatch(o -> !o.succeeded())) {
            errors.incrementAndGet();
        }
        return outcomes.stream().map(o -> o.succeeded() ? line.apply(o)
                : format.error(op, o.key(), o.error())).collect(Collectors.joining("\n"));
    }

    private static List<Map.Entry<String, String>> entries(ShellRequest r) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (int i = 0; i < r.keys().size(); i++) {
            out.add(Map.entry(r.keys().get(i), r.values().get(i)));
        }
        return out;
    }

    private void print(BlockingQueue<CompletableFuture<String>> results, Semaphore permits) {
        try {
            while (true) {
                CompletableFuture<String> next = results.take();
                if (next == END) {
                    return;
                }
                out.println(next.join());
                out.flush();
                permits.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
