package dev.launchkit.builder.kaniko.source;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A git server speaking the smart HTTP protocol (git's {@code Documentation/gitprotocol-http.txt}: {@code GET
 * /info/refs?service=git-upload-pack}, then {@code POST /git-upload-pack}) over HTTPS on 127.0.0.1, with HTTP basic
 * authentication. Fetches are served by JGit's real {@link UploadPack}.
 */
public final class GitHttpsServer implements AutoCloseable {
    private final HttpsServer server;
    private final Map<String, Repository> repos = new ConcurrentHashMap<>();
    private final String user;
    private final String password;
    public final List<String> requests = new CopyOnWriteArrayList<>();

    public GitHttpsServer(SelfSignedCertificate cert, String user, String password) throws Exception {
        this.user = user;
        this.password = password;
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(cert.serverContext()));
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves {@code repo} at {@code https://127.0.0.1:port/<name>.git}. */
    public String serve(String name, Repository repo) {
        repos.put("/" + name + ".git", repo);
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/" + name + ".git";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            requests.add(ex.getRequestMethod() + " " + path);
            String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"git\"");
                ex.sendResponseHeaders(401, -1);
                return;
            }
            if (path.endsWith("/info/refs") && "git-upload-pack".equals(query(ex))) {
                Repository repo = repos.get(path.substring(0, path.length() - "/info/refs".length()));
                if (repo == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Type", "application/x-git-upload-pack-advertisement");
                ex.getResponseHeaders().set("Cache-Control", "no-cache");
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    PacketLineOut pck = new PacketLineOut(out);
                    pck.writeString("# service=git-upload-pack\n");
                    pck.end();
                    UploadPack up = new UploadPack(repo);
                    up.setBiDirectionalPipe(false);
                    up.sendAdvertisedRefs(new RefAdvertiser.PacketLineOutRefAdvertiser(pck));
                }
            } else if (path.endsWith("/git-upload-pack") && "POST".equals(ex.getRequestMethod())) {
                Repository repo = repos.get(path.substring(0, path.length() - "/git-upload-pack".length()));
                if (repo == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                InputStream in = ex.getRequestBody();
                if ("gzip".equals(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
                    in = new GZIPInputStream(in);
                }
                ex.getResponseHeaders().set("Content-Type", "application/x-git-upload-pack-result");
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    UploadPack up = new UploadPack(repo);
                    up.setBiDirectionalPipe(false);
                    up.upload(in, out, null);
                }
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        }
    }

    private static String query(HttpExchange ex) {
        String q = ex.getRequestURI().getQuery();
        return q != null && q.startsWith("service=") ? q.substring("service=".length()) : "";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
