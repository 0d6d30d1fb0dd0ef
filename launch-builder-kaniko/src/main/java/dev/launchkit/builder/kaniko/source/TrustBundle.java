package dev.launchkit.builder.kaniko.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trust for HTTPS git servers: the JVM's default CAs plus the certificates of a PEM bundle (the W&B chart's
 * {@code customCABundle}, mounted at {@code /usr/local/share/ca-certificates/custom-ca.crt} and named by
 * {@code REQUESTS_CA_BUNDLE}, which Python reads by itself and a JVM does not).
 */
public final class TrustBundle {

    private TrustBundle() {
    }

    /**
     * A trust manager accepting servers that either the default CAs or the bundle's certificates vouch for.
     *
     * @throws IllegalArgumentException naming the file when it holds no certificate or cannot be read
     */
    public static X509TrustManager load(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("the CA bundle " + pem + " holds no PEM certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("custom-" + i++, c);
            }
            return new Either(manager(store), manager(null));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA bundle " + pem + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
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

    /** Trusts what the first or the second manager trusts. */
    private record Either(X509TrustManager custom, X509TrustManager system) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                custom.checkClientTrusted(chain, authType);
            } catch (CertificateException e) {
                system.checkClientTrusted(chain, authType);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                custom.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                system.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            List<X509Certificate> all = new ArrayList<>(List.of(custom.getAcceptedIssuers()));
            all.addAll(List.of(system.getAcceptedIssuers()));
            return all.toArray(X509Certificate[]::new);
        }
    }
}
