package org.gtstore.proto;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a GTStore process secures its gRPC connections, one value for all of them (client,
 * chain, metadata; the metadata members give the same files to Ratis):
 *
 * <ul>
 * <li><b>mutual TLS</b>: every process presents a certificate and trusts only certificates
 *     signed by the operator's CA ({@code --tls-ca}, {@code --tls-cert}, {@code --tls-key},
 *     PEM; the key PKCS#8). A server's certificate must name the address others dial it by
 *     (subject alternative names). Without a certificate of that CA nobody connects at all.
 * <li><b>a cluster token</b> ({@code --token-file}): every call carries the token and every
 *     server refuses a call without it (UNAUTHENTICATED), so nobody who lacks the file can
 *     register a server, open a chain stream, call an admin RPC or read and write. It travels
 *     in plaintext unless TLS is on too; Ratis's own port is not covered (keep it private, or
 *     use TLS).
 * <li><b>plaintext</b>, neither: the loopback default.
 * </ul>
 *
 * <p>Immutable; {@link #serverCredentials}, {@link #tokenCheck}, {@link #channelCredentials}
 * and {@link #tokenSender} give what gRPC's builders take.
 */
public final class TransportSecurity {
    /** The call header that carries the cluster token. */
    public static final Metadata.Key<String> TOKEN_HEADER =
            Metadata.Key.of("gtstore-token", Metadata.ASCII_STRING_MARSHALLER);
    private static final int TOKEN_CHARS_MIN = 16;
    /**
     * The standard health service answers without the token (a load balancer's probe holds
     * none); it tells only SERVING or not. With TLS it still needs a certificate.
     */
    private static final String HEALTH_SERVICE = "grpc.health.v1.Health/";
    private static final Pattern PKCS8_PEM = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private static final TransportSecurity PLAINTEXT = new TransportSecurity(null, null, null,
            null);

    private final Path ca;
    private final Path cert;
    private final Path key;
    private final String token;

    private TransportSecurity(Path ca, Path cert, Path key, String token) {
        this.ca = ca;
        this.cert = cert;
        this.key = key;
        this.token = token;
    }

    /** No TLS, no token. */
    public static TransportSecurity plaintext() {
        return PLAINTEXT;
    }

    /**
     * From the flags as given (null or empty: not given): the three TLS files all or none, and
     * an optional token file. Throws IllegalArgumentException with one line naming the flag
     * and what is wrong (a missing file, an unreadable one, a short token).
     */
    public static TransportSecurity fromFlags(String ca, String cert, String key,
            String tokenFile) {
        boolean anyTls = given(ca) || given(cert) || given(key);
        if (anyTls && !(given(ca) && given(cert) && given(key))) {
            throw new IllegalArgumentException("TLS needs all three of --tls-ca, --tls-cert and"
                    + " --tls-key (given: " + (given(ca) ? "--tls-ca " : "")
                    + (given(cert) ? "--tls-cert " : "") + (given(key) ? "--tls-key" : "")
                    + ")");
        }
        String token = given(tokenFile) ? readToken(Path.of(tokenFile)) : null;
        if (!anyTls) {
            return token == null ? PLAINTEXT : new TransportSecurity(null, null, null, token);
        }
        TransportSecurity s = new TransportSecurity(readable(ca, "--tls-ca"),
                readable(cert, "--tls-cert"), readable(key, "--tls-key"), token);
        s.checkFiles();
        return s;
    }

    private static boolean given(String v) {
        return v != null && !v.isBlank();
    }

    private static Path readable(String file, String flag) {
        Path p = Path.of(file);
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(flag + " " + file + ": no such readable file");
        }
        return p;
    }

    /** Reads a token file: its first line, stripped; at least 16 characters. */
    static String readToken(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--token-file " + file + ": cannot read it: "
                    + e.getMessage());
        }
        String t = text.lines().findFirst().orElse("").strip();
        if (t.length() < TOKEN_CHARS_MIN || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("--token-file " + file + ": the token must be"
                    + " at least " + TOKEN_CHARS_MIN + " printable ASCII characters on the"
                    + " first line");
        }
        return t;
    }

    /**
     * Parses the three files once, so that a file that is not what its flag needs fails at
     * start, in one line naming it (gRPC would read them only at the first connection).
     */
    private void checkFiles() {
        certificates(ca, "--tls-ca");
        certificates(cert, "--tls-cert");
        privateKey(key);
    }

    private static void certificates(Path file, String flag) {
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw new CertificateException("no certificate in it");
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("cannot use the TLS files: " + flag + " " + file
                    + " holds no PEM certificate (" + e.getMessage() + ")");
        }
    }

    private static void privateKey(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot use the TLS files: --tls-key " + file
                    + ": " + e.getMessage());
        }
        Matcher m = PKCS8_PEM.matcher(text);
        if (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
                try {
                    KeyFactory.getInstance(algorithm).generatePrivate(
                            new PKCS8EncodedKeySpec(der));
                    return;
                } catch (GeneralSecurityException e) {
                    // Not this algorithm's key: try the next.
                }
            }
        }
        throw new IllegalArgumentException("cannot use the TLS files: --tls-key " + file
                + " holds no PEM PKCS#8 private key ('BEGIN PRIVATE KEY'; convert with"
                + " 'openssl pkcs8 -topk8 -nocrypt')");
    }

    public boolean tls() {
        return ca != null;
    }

    public boolean hasToken() {
        return token != null;
    }

    /** The CA certificate(s) trusted, if TLS is on. */
    public Optional<Path> caFile() {
        return Optional.ofNullable(ca);
    }

    /** This process's certificate chain, if TLS is on. */
    public Optional<Path> certFile() {
        return Optional.ofNullable(cert);
    }

    /** This process's private key, if TLS is on. */
    public Optional<Path> keyFile() {
        return Optional.ofNullable(key);
    }

    /** A server's credentials: TLS that requires a client certificate of the CA, or none. */
    public ServerCredentials serverCredentials() {
        if (!tls()) {
            return InsecureServerCredentials.create();
        }
        try {
            return TlsServerCredentials.newBuilder().keyManager(cert.toFile(), key.toFile())
                    .trustManager(ca.toFile())
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build();
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** A channel's credentials: TLS presenting this process's certificate, or none. */
    public ChannelCredentials channelCredentials() {
        if (!tls()) {
            return InsecureChannelCredentials.create();
        }
        try {
            return TlsChannelCredentials.newBuilder().keyManager(cert.toFile(), key.toFile())
                    .trustManager(ca.toFile()).build();
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The server interceptor that refuses every call without the cluster token
     * (UNAUTHENTICATED, nothing done) but the health service's; lets everything through when
     * there is no token.
     */
    public ServerInterceptor tokenCheck() {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call,
                    Metadata headers, ServerCallHandler<Q, A> next) {
                String presented = headers.get(TOKEN_HEADER);
                if (token != null && !matches(presented)
                        && !call.getMethodDescriptor().getFullMethodName()
                                .startsWith(HEALTH_SERVICE)) {
                    call.close(Status.UNAUTHENTICATED.withDescription(presented == null
                            ? "this GTStore cluster requires its token: give --token-file"
                                    + " (or token-file in the cluster file)"
                            : "the token given is not this GTStore cluster's (check"
                                    + " --token-file)"), new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                return next.startCall(call, headers);
            }
        };
    }

    private boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(
                presented.getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII));
    }

    /** The client interceptor that sends the cluster token with every call (if there is one). */
    public ClientInterceptor tokenSender() {
        return new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method,
                    CallOptions options, Channel next) {
                ClientCall<Q, A> call = next.newCall(method, options);
                if (token == null) {
                    return call;
                }
                return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
                    @Override
                    public void start(Listener<A> listener, Metadata headers) {
                        headers.put(TOKEN_HEADER, token);
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    /** {@code channel} with the token sent on every call. */
    public Channel withToken(Channel channel) {
        return token == null ? channel : ClientInterceptors.intercept(channel, tokenSender());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransportSecurity t && Objects.equals(ca, t.ca)
                && Objects.equals(cert, t.cert) && Objects.equals(key, t.key)
                && Objects.equals(token, t.token);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ca, cert, key, token);
    }

    /** What is on, never the token itself. */
    @Override
    public String toString() {
        return (tls() ? "mutual TLS (CA " + ca + ")" : "plaintext")
                + (hasToken() ? " with the cluster token" : "");
    }
}
