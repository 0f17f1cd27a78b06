package org.gtstore.gtctl;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.cluster.TestCertificates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl cluster certs --out DIR [--host H]...}: a new CA and one member certificate
 * for a test cluster's mutual TLS, naming every host given (and 127.0.0.1, localhost). Every
 * process is then started with {@code --tls-ca DIR/ca.pem --tls-cert DIR/member.pem --tls-key
 * DIR/member.key} (or those keys in the cluster file). A production cluster uses its own CA.
 */
@Command(name = "certs", description = "Make a CA and a member certificate for a test"
        + " cluster's mutual TLS.")
final class ClusterCertsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Where to write ca.pem, ca.key, member.pem and member.key.")
    private Path out;

    @Option(names = "--host", paramLabel = "H", split = ",", description = "A host name or IP"
            + " address the members are dialled at (repeat or comma-separate).")
    private List<String> hosts = new ArrayList<>();

    @Option(names = "--help", usageHelp = true, description = "Print this help and exit.")
    private boolean help;

    @Override
    public Integer call() {
        TestCertificates.Files3 files = TestCertificates.write(out, hosts);
        PrintWriter w = spec.commandLine().getOut();
        w.println("--tls-ca " + files.ca() + " --tls-cert " + files.cert() + " --tls-key "
                + files.key());
        w.flush();
        return Gtctl.EXIT_OK;
    }
}
