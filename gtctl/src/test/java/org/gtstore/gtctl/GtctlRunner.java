package org.gtstore.gtctl;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gtstore.gtctl.admin.FakeMetadataView;
import org.gtstore.gtctl.cluster.MetadataView;
import org.gtstore.gtctl.kv.FakeStore;
import org.gtstore.gtctl.kv.KeyValueStore;

/** Runs gtctl in-process against fakes and captures what it prints. */
public final class GtctlRunner implements Connector {
    public final FakeStore store;
    final FakeMetadataView metadata;
    public final List<List<String>> storeAddresses = new ArrayList<>();
    String stdin = "";

    public GtctlRunner(FakeStore store, FakeMetadataView metadata) {
        this.store = store;
        this.metadata = metadata;
    }

    public record Result(int exitCode, String out, String err) {
        public List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n", -1)).subList(0,
                    out.split("\n", -1).length - 1);
        }
    }

    public Result run(String... args) {
        return run(false, args);
    }

    /** Runs the line through picocli even if it is a one-shot command. */
    public Result runWithPicocli(String... args) {
        return run(true, args);
    }

    private Result run(boolean picocli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayInputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int code = picocli
                ? Gtctl.runParsed(args, this, in, new PrintWriter(out), new PrintWriter(err))
                : Gtctl.run(args, this, in, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Override
    public KeyValueStore openStore(List<String> metadataAddresses, Duration deadline) {
        storeAddresses.add(metadataAddresses);
        return store;
    }

    @Override
    public MetadataView openMetadata(List<String> metadataAddresses) {
        return metadata;
    }
}
