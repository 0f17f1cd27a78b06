package org.gtstore.gtctl.kv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shell prints one line per command, in input order, however results arrive. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ShellSessionTest {

    private static List<String> lines(StringWriter out) {
        return out.toString().lines().toList();
    }

    @Test
    void printsOneLinePerCommandInSpecFormats() throws Exception {
        FakeStore store = new FakeStore(false);
        StringWriter out = new StringWriter();
        ShellSession shell = new ShellSession(store, new ResultFormatter(false, false),
                new PrintWriter(out), 64);
        int errors = shell.run(new BufferedReader(new StringReader(String.join("\n",
                "put key1 value1", "", "# a comment", "get key1", "get key2", "delete key1",
                "get key1", "bogus line", "put failkey v"))));
        assertEquals(List.of(
                "OK, " + FakeStore.headOf("key1"),
                "key1, value1, server9",
                "key2, NOT_FOUND",
                "OK, " + FakeStore.headOf("key1"),
                "key1, NOT_FOUND",
                "ERROR: unknown command 'bogus': expected put <key> <value>, get <key>,"
                        + " delete <key>, mget <key>..., mput <key> <value> ..., cas <key>"
                        + " <version> <value>, cad <key> <version>, setex <key> <ttl> <value> or"
                        + " scan [<prefix> [<limit>]]",
                "ERROR: put failkey failed after 5 attempts over 10000 ms: server2 UNAVAILABLE"),
                lines(out));
        assertEquals(2, errors);
    }

    @Test
    void batchesPrintOneLinePerKeyAfterEveryEarlierCommandOnTheirKeys() throws Exception {
        FakeStore store = new FakeStore(true);
        StringWriter out = new StringWriter();
        ShellSession shell = new ShellSession(store, new ResultFormatter(false, false),
                new PrintWriter(out), 64);
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
            try {
                return shell.run(new BufferedReader(new StringReader(String.join("\n",
                        "put a 1", "mput b 2 \"c c\" \"3 3\" failx 4", "mget a b \"c c\" d",
                        "mput a"))));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(() -> {
            store.completeNewestFirst();
            return run.isDone();
        });
        assertEquals(List.of(
                "OK, " + FakeStore.headOf("a"),
                "OK, " + FakeStore.headOf("b"),
                "OK, " + FakeStore.headOf("c c"),
                "ERROR: put failx failed after 5 attempts over 10000 ms: server2 UNAVAILABLE",
                "a, 1, server9",
                "b, 2, server9",
                "c c, 3 3, server9",
                "d, NOT_FOUND",
                "ERROR: usage: mput <key> <value> [<key> <value> ...]: 'a' has no value"),
                lines(out));
        assertEquals(2, run.get(), "the mput with a failed key, and the bad line");
    }

    @Test
    void resultsCompletingOutOfOrderArePrintedInInputOrder() throws Exception {
        FakeStore store = new FakeStore(true);
        StringWriter out = new StringWriter();
        ShellSession shell = new ShellSession(store, new ResultFormatter(false, false),
                new PrintWriter(out), 64);
        StringBuilder input = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            input.append("put k").append(i).append(" v").append(i).append('\n');
            expected.add("OK, " + FakeStore.headOf("k" + i));
        }
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
            try {
                return shell.run(new BufferedReader(new StringReader(input.toString())));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        store.awaitPending(20);
        assertEquals("", out.toString(), "nothing is printed before the first result");
        store.completeNewestFirst();
        assertEquals(0, run.get());
        assertEquals(expected, lines(out));
    }

    @Test
    void aCommandOnAKeyWaitsForTheEarlierCommandOnThatKey() throws Exception {
        FakeStore store = new FakeStore(true);
        StringWriter out = new StringWriter();
        ShellSession shell = new ShellSession(store, new ResultFormatter(false, false),
                new PrintWriter(out), 64);
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
            try {
                return shell.run(new BufferedReader(new StringReader(
                        "put a 1\nget a\nput b 2\n")));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // "put a" and "put b" are sent at once; "get a" waits for "put a".
        store.awaitPending(2);
        assertEquals(2, store.pendingCount());
        store.completeNewestFirst();
        store.awaitPending(1);
        store.completeNewestFirst();
        run.get();
        assertEquals(List.of("OK, " + FakeStore.headOf("a"), "a, 1, server9",
                "OK, " + FakeStore.headOf("b")), lines(out));
    }

    @Test
    void neverHasMoreCommandsInFlightThanTheWindow() throws Exception {
        FakeStore store = new FakeStore(true);
        StringWriter out = new StringWriter();
        ShellSession shell = new ShellSession(store, new ResultFormatter(false, false),
                new PrintWriter(out), 4);
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            input.append("put k").append(i).append(" v\n");
        }
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
            try {
                return shell.run(new BufferedReader(new StringReader(input.toString())));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        int completed = 0;
        while (completed < 10) {
            int batch = Math.min(4, 10 - completed);
            store.awaitPending(batch);
            assertTrue(store.pendingCount() <= 4);
            store.completeNewestFirst();
            completed += batch;
        }
        assertEquals(0, run.get());
        assertEquals(10, lines(out).size());
        assertTrue(store.maxInFlight() <= 4, "max in flight " + store.maxInFlight());
    }

    @Test
    void eachResultIsPrintedBeforeTheNextLineIsRead() throws Exception {
        // Interactive use: the answer must appear while stdin is still open.
        FakeStore store = new FakeStore(false);
        PipedWriter typing = new PipedWriter();
        BufferedReader in = new BufferedReader(new PipedReader(typing));
        BlockingLines out = new BlockingLines();
        ShellSession shell = new ShellSession(store, new ResultFormatter(false, false),
                out.writer(), 64);
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
            try {
                return shell.run(in);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        typing.write("put x 1\n");
        typing.flush();
        assertEquals("OK, " + FakeStore.headOf("x"), out.next());
        typing.write("get x\n");
        typing.flush();
        assertEquals("x, 1, server9", out.next());
        typing.close();
        assertEquals(0, run.get());
    }

    @Test
    void jsonModePrintsErrorsAsObjects() throws Exception {
        StringWriter out = new StringWriter();
        new ShellSession(new FakeStore(false), new ResultFormatter(true, false),
                new PrintWriter(out), 8).run(new BufferedReader(new StringReader("get\n")));
        assertEquals(List.of("{\"result\":\"ERROR\",\"error\":\"usage: get <key>: missing key\"}"),
                lines(out));
    }

    /** A writer whose flushed lines a test can take one by one. */
    private static final class BlockingLines {
        private final java.util.concurrent.BlockingQueue<String> lines =
                new java.util.concurrent.LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        PrintWriter writer() {
            return new PrintWriter(new java.io.Writer() {
                @Override
                public void write(char[] buf, int off, int len) {
                    synchronized (partial) {
                        partial.append(buf, off, len);
                    }
                }

                @Override
                public void flush() {
                    synchronized (partial) {
                        int nl;
                        while ((nl = partial.indexOf("\n")) >= 0) {
                            lines.add(partial.substring(0, nl));
                            partial.delete(0, nl + 1);
                        }
                    }
                }

                @Override
                public void close() {
                }
            });
        }

        String next() throws InterruptedException {
            return lines.take();
        }
    }

    @Test
    void casAndCadPrintOkOrConflictWithTheCurrentVersion() throws Exception {
        FakeStore store = new FakeStore(false);
        StringWriter out = new StringWriter();
        ShellSession shell = new ShellSession(store, new ResultFormatter(false, false),
                new PrintWriter(out), 64);
        int errors = shell.run(new BufferedReader(new StringReader(String.join("\n",
                "cas k 0 first", "cas k 0 second", "cas k 7 third", "get k", "cad k 3",
                "cad k 7", "cas k x v"))));
        assertEquals(List.of(
                "OK, " + FakeStore.headOf("k"),
                "CONFLICT, 7",
                "OK, " + FakeStore.headOf("k"),
                "k, third, server9",
                "CONFLICT, 7",
                "OK, " + FakeStore.headOf("k"),
                "ERROR: usage: cas <key> <version> <value>: 'x' is not a version (0 for a key"
                        + " without a value)"), lines(out));
        assertEquals(1, errors, "a conflict is an answer, not an error");
    }

    @Test
    void setexPutsWithATtlAndABadTtlIsOneErrorLine() throws Exception {
        FakeStore store = new FakeStore(false);
        StringWriter out = new StringWriter();
        ShellSession shell = new ShellSession(store, new ResultFormatter(false, false),
                new PrintWriter(out), 64);
        int errors = shell.run(new BufferedReader(new StringReader(String.join("\n",
                "setex k 30s hello world", "setex j 90 v", "setex x soon v", "setex y 5m"))));
        assertEquals(List.of(
                "OK, " + FakeStore.headOf("k"),
                "OK, " + FakeStore.headOf("j"),
                "ERROR: usage: setex <key> <ttl> <value>: 'soon' is not a duration (e.g. 500ms,"
                        + " 30s, 5m, 2h, 7d)",
                "ERROR: usage: setex <key> <ttl> <value>: missing value"), lines(out));
        assertEquals(2, errors);
        assertEquals(java.time.Duration.ofSeconds(30), store.ttls.get("k"));
        assertEquals(java.time.Duration.ofSeconds(90), store.ttls.get("j"), "plain seconds");
        assertEquals("hello world", store.get("k").get().value());
    }

    @Test
    void scanComesAfterTheCommandsBeforeItAndEndsWithItsCount() throws Exception {
        FakeStore store = new FakeStore(false);
        StringWriter out = new StringWriter();
        ShellSession shell = new ShellSession(store, new ResultFormatter(false, false),
                new PrintWriter(out), 64);
        int errors = shell.run(new BufferedReader(new StringReader(String.join("\n",
                "put user:2 bob", "put user:1 alice", "put other x", "scan user:",
                "scan user: 1", "scan nothing", "scan user: zero"))));
        List<String> got = lines(out);
        assertEquals(List.of(
                "OK, " + FakeStore.headOf("user:2"),
                "OK, " + FakeStore.headOf("user:1"),
                "OK, " + FakeStore.headOf("other"),
                "user:1, alice", "user:2, bob", "SCAN, 2 keys",
                "user:1, alice", "SCAN, 1 key",
                "SCAN, 0 keys",
                "ERROR: usage: scan [<prefix> [<limit>]]: 'zero' is not a limit (at least 1)"),
                got);
        assertEquals(1, errors);
    }
}
