package org.gtstore.gtctl.admin;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.cluster.TestCertificates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl cluster certs --out DIR [--name N] [--host H]...}: a certificate {@code N.pem}
 * with key {@code N.key} (default N: member) for a test cluster's mutual TLS, naming every
 * host given (and 127.0.0.1, localhost), signed by the CA in DIR, which is made first if DIR
 * holds none. Every process is then started with {@code --tls-ca DIR/ca.pem --tls-cert
 * DIR/N.pem --tls-key DIR/N.key} (or those keys in the cluster file); a host added later gets
 * a certificate of its own from the same CA. A production cluster uses its own CA.
 */
@Command(name = "certs", description = "Make a CA (if DIR has none) and a certificate it"
        + " signs, for a test cluster's mutual TLS.")
final class ClusterCertsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "The CA's directory: ca.pem, ca.key and the certificates it signs.")
    private Path out;

    @Option(names = "--name", paramLabel = "N", defaultValue = "member",
            description = "The certificate's file names, N.pem and N.key (default:"
                    + " ${DEFAULT-VALUE}).")
    private String name;

    @Option(names = "--host", paramLabel = "H", split = ",", description = "A host name or IP"
            + " address the members are dialled at (repeat or comma-separate).")
    private List<String> hosts = new ArrayList<>();

    @Override
    public Integer call() {
        TestCertificates.Files3 files = TestCertificates.issue(out, name, hosts);
        PrintWriter w = spec.commandLine().getOut();
        w.println("--tls-ca " + files.ca() + " --tls-cert " + files.cert() + " --tls-key "
                + files.key());
        w.flush();
        return Gtctl.EXIT_OK;
    }
}
