package org.gtstore.proto;

import picocli.CommandLine.Option;

/**
 * The TLS and token flags every GTStore process and gtctl take, as one picocli mixin
 * ({@code @Mixin SecurityFlags security}); the cluster file's keys of the same names supply
 * what the command line does not give ({@link ClusterConfigFile#securityFlags}).
 */
public final class SecurityFlags {
    @Option(names = "--tls-ca", paramLabel = "F", description = "PEM file of the CA whose"
            + " certificates this process trusts (mutual TLS with --tls-cert and --tls-key).")
    String ca;

    @Option(names = "--tls-cert", paramLabel = "F", description = "PEM certificate chain this"
            + " process presents; a server's names the addresses it is dialled at.")
    String cert;

    @Option(names = "--tls-key", paramLabel = "F", description = "PEM (PKCS#8) private key of"
            + " --tls-cert.")
    String key;

    @Option(names = "--token-file", paramLabel = "F", description = "File holding the"
            + " cluster's shared token; every call carries it and every server requires it.")
    String tokenFile;

    /** True if any of the flags was given. */
    public boolean given() {
        return ca != null || cert != null || key != null || tokenFile != null;
    }

    /** The security these flags describe; IllegalArgumentException (one line) if bad. */
    public TransportSecurity security() {
        return TransportSecurity.fromFlags(ca, cert, key, tokenFile);
    }
}
