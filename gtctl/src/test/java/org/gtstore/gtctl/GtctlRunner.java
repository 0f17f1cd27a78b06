package org.gtstore.gtctl;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gtstore.gtctl.cluster.MetadataView;

/** Runs gtctl in-process against fakes and captures what it prints. */
final class GtctlRunner implements Connector {
    final FakeStore store;
    final FakeMetadataView metadata;
    final List<List<String>> storeAddresses = new ArrayList<>();
    String stdin = "";

    GtctlRunner(FakeStore store, FakeMetadataView metadata) {
        this.store = store;
        this.metadata = metadata;
    }

    record Result(int exitCode, String out, String err) {
        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n", -1)).subList(0,
                    out.split("\n", -1).length - 1);
        }
    }

    Result run(String... args) {
        return run(false, args);
    }

    /** Runs the line through picocli even if it is a one-shot command. */
    Result runWithPicocli(String... args) {
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
