package dev.launchkit.core.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS trust for servers behind a private CA (a self-hosted W&B server, an HTTPS git server): the JVM's default CAs
 * plus the certificates of PEM bundles. The W&B Helm chart mounts a custom CA and names it in
 * {@code REQUESTS_CA_BUNDLE} / {@code SSL_CERT_FILE}, which Python reads by itself and a JVM does not.
 */
public final class TrustBundles {

    private TrustBundles() {
    }

    /**
     * An SSL context trusting the default CAs and every certificate in {@code pemFiles}.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    public static SSLContext sslContext(List<Path> pemFiles) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trustManager(pemFiles)}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot build TLS trust from " + pemFiles + ": " + e.getMessage(), e);
        }
    }

    /**
     * A trust manager accepting servers that either the default CAs or the bundles' certificates vouch for.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    public static X509TrustManager trustManager(List<Path> pemFiles) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Path pem : pemFiles) {
                for (Certificate c : read(pem)) {
                    store.setCertificateEntry("bundle-" + n++, c);
                }
            }
            return new Either(manager(store), manager(null));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot build TLS trust from " + pemFiles + ": " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> read(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("the CA bundle " + pem + " holds no PEM certificate");
            }
            return certs;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the CA bundle " + pem + ": " + e.getMessage(), e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("the CA bundle " + pem + " is not a PEM certificate bundle: "
                    + e.getMessage(), e);
        }
    }

    private static X509TrustManager manager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        for (TrustManager tm : f.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509 trust manager available");
    }

    /** Trusts what the bundle or the default store trusts. */
    private record Either(X509TrustManager bundle, X509TrustManager system) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                bundle.checkClientTrusted(chain, authType);
            } catch (CertificateException e) {
                system.checkClientTrusted(chain, authType);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                bundle.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                system.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            List<X509Certificate> all = new ArrayList<>(List.of(bundle.getAcceptedIssuers()));
            all.addAll(List.of(system.getAcceptedIssuers()));
            return all.toArray(X509Certificate[]::new);
        }
    }
}
