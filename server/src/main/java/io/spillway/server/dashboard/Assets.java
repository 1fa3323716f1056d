package io.spillway.server.dashboard;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's static files, served from the classpath: htmx and uPlot from their WebJars (Maven
 * Central), and this package's own CSS and JS. Nothing is fetched from the internet by a page.
 *
 * <p>Each file is read once at start-up and served at {@code /static/<hash>/<name>}, where the hash
 * is of its content: the URL changes whenever the file does, so every response may be cached for a
 * year ({@code immutable}). Only the files listed here are served; a request names an entry, never a
 * classpath path, so there is nothing to traverse. Immutable after construction; thread-safe.
 */
final class Assets {
    static final String HTMX = "htmx.min.js";
    static final String UPLOT_JS = "uPlot.iife.min.js";
    static final String UPLOT_CSS = "uPlot.min.css";
    static final String CSS = "dashboard.css";
    static final String JS = "dashboard.js";

    private static final String WEBJARS = "META-INF/resources/webjars/";

    private record Asset(String hash, String contentType, byte[] body) {}

    private final Map<String, Asset> assets = new LinkedHashMap<>();

    Assets() {
        add(HTMX, WEBJARS + "htmx.org/2.0.4/dist/htmx.min.js", "text/javascript; charset=utf-8");
        add(UPLOT_JS, WEBJARS + "uplot/1.6.30/dist/uPlot.iife.min.js", "text/javascript; charset=utf-8");
        add(UPLOT_CSS, WEBJARS + "uplot/1.6.30/dist/uPlot.min.css", "text/css; charset=utf-8");
        add(CSS, "io/spillway/server/dashboard/dashboard.css", "text/css; charset=utf-8");
        add(JS, "io/spillway/server/dashboard/dashboard.js", "text/javascript; charset=utf-8");
    }

    private void add(String name, String resource, String contentType) {
        try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("dashboard asset missing from the classpath: " + resource);
            }
            byte[] body = in.readAllBytes();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            assets.put(name, new Asset(HexFormat.of().formatHex(digest, 0, 6), contentType, body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The URL of one of the names above. */
    String url(String name) {
        Asset a = assets.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no asset " + name);
        }
        return "/static/" + a.hash() + "/" + name;
    }

    void serve(Context ctx) {
        Asset a = assets.get(ctx.pathParam("name"));
        if (a == null || !a.hash().equals(ctx.pathParam("hash"))) {
            ctx.status(HttpStatus.NOT_FOUND)
                    .contentType("text/plain; charset=utf-8")
                    .result("not found\n");
            return;
        }
        ctx.header("Cache-Control", "public, max-age=31536000, immutable");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.contentType(a.contentType()).result(a.body());
    }
}
