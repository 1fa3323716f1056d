package io.spillway.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.alert.Incident;
import io.spillway.alert.IncidentState;
import io.spillway.guard.DropLedger;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's routes over HTTP without a browser: sign-in, sessions, CSRF, scopes, escaping. */
class DashboardRoutesTest {
    @TempDir
    Path dir;

    DashboardServer server;
    HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeEach
    void start() throws IOException {
        server = new DashboardServer(dir);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String cookie, Map<String, String> form, String origin)
            throws Exception {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Signs in and returns the cookie pair to send back. */
    private String signIn(String token) throws Exception {
        HttpResponse<String> r = post("/login", null, Map.of("token", token), null);
        assertThat(r.statusCode()).isEqualTo(303);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** A Server-Sent Events response, its body left open for the test to read. */
    private HttpResponse<java.io.InputStream> stream(String path, String cookie) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.base() + path))
                .header("Cookie", cookie)
                .build();
        return client.send(req, HttpResponse.BodyHandlers.ofInputStream());
    }

    private static java.io.BufferedReader lines(HttpResponse<java.io.InputStream> r) {
        return new java.io.BufferedReader(new java.io.InputStreamReader(r.body(), StandardCharsets.UTF_8));
    }

    private static String csrf(String page) {
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([0-9a-f]+)\"").matcher(page);
        assertThat(m.find()).as("page has a CSRF field").isTrue();
        return m.group(1);
    }

    @Test
    void page_withoutSession_redirectsToSignIn() throws Exception {
        HttpResponse<String> r = get("/apps", null);
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("/login?next=%2Fapps");
        assertThat(get("/fragments/apps", null).statusCode()).isEqualTo(401);
    }

    @Test
    void incidentLink_signedOut_signInLeadsBackToTheIncident() throws Exception {
        Incident i = server.trigger("checkout", "disk full");
        HttpResponse<String> r = get("/incidents/" + i.id(), null);
        assertThat(r.statusCode()).isEqualTo(303);
        String login = r.headers().firstValue("Location").orElseThrow();
        assertThat(login).isEqualTo("/login?next=%2Fincidents%2F" + i.id());
        assertThat(get(login, null).body()).contains("name=\"next\" value=\"/incidents/" + i.id() + "\"");
        HttpResponse<String> in =
                post("/login", null, Map.of("token", server.adminToken, "next", "/incidents/" + i.id()), null);
        assertThat(in.headers().firstValue("Location")).hasValue("/incidents/" + i.id());
        // Never to another site.
        HttpResponse<String> evil =
                post("/login", null, Map.of("token", server.adminToken, "next", "//evil.example/x"), null);
        assertThat(evil.headers().firstValue("Location")).hasValue("/");
        assertThat(Dashboard.safeNext("/\\evil.example")).isNull();
        assertThat(Dashboard.safeNext("https://evil.example")).isNull();
    }

    @Test
    void signIn_badToken_refusedWithForm() throws Exception {
        HttpResponse<String> r = post("/login", null, Map.of("token", "spw_nope"), null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("not valid").contains("<label for=\"token\"");
        assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void signIn_goodToken_setsHttpOnlyStrictCookieWithoutTheToken() throws Exception {
        HttpResponse<String> r = post("/login", null, Map.of("token", server.adminToken), null);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").doesNotContain(server.adminToken);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        HttpResponse<String> page = get("/", cookie);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<h1>Overview</h1>").doesNotContain(server.adminToken);
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'"));
    }

    @Test
    void signOut_endsTheSession() throws Exception {
        String cookie = signIn(server.adminToken);
        String token = csrf(get("/apps", cookie).body());
        assertThat(post("/logout", cookie, Map.of("_csrf", token), null).statusCode())
                .isEqualTo(303);
        assertThat(get("/apps", cookie).statusCode()).isEqualTo(303);
    }

    @Test
    void revokedToken_endsItsSessions() throws Exception {
        String cookie = signIn(server.checkoutToken);
        assertThat(get("/apps", cookie).statusCode()).isEqualTo(200);
        String id = server.tokens.list().stream()
                .filter(t -> !t.scope().isAdmin())
                .findFirst()
                .orElseThrow()
                .id();
        server.tokens.revoke(id);
        assertThat(get("/apps", cookie).statusCode()).isEqualTo(303);
    }

    @Test
    void post_withoutCsrfToken_refused() throws Exception {
        Incident i = server.trigger("checkout", "disk full");
        String cookie = signIn(server.adminToken);
        HttpResponse<String> r = post("/incidents/" + i.id() + "/ack", cookie, Map.of(), null);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("CSRF");
        HttpResponse<String> wrong = post("/incidents/" + i.id() + "/ack", cookie, Map.of("_csrf", "00"), null);
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(server.incidents.get(i.id()).orElseThrow().state()).isEqualTo(IncidentState.TRIGGERED);
    }

    @Test
    void post_fromAnotherOrigin_refusedEvenWithToken() throws Exception {
        Incident i = server.trigger("checkout", "disk full");
        String cookie = signIn(server.adminToken);
        String token = csrf(get("/incidents/" + i.id(), cookie).body());
        HttpResponse<String> r =
                post("/incidents/" + i.id() + "/ack", cookie, Map.of("_csrf", token), "http://evil.example");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(server.incidents.get(i.id()).orElseThrow().state()).isEqualTo(IncidentState.TRIGGERED);
    }

    @Test
    void acknowledge_withCsrfToken_changesStateAndNamesWho() throws Exception {
        Incident i = server.trigger("checkout", "disk full");
        String cookie = signIn(server.adminToken);
        String token = csrf(get("/incidents/" + i.id(), cookie).body());
        HttpResponse<String> r = post("/incidents/" + i.id() + "/ack", cookie, Map.of("_csrf", token), server.base());
        assertThat(r.statusCode()).isEqualTo(303);
        Incident after = server.incidents.get(i.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(IncidentState.ACKNOWLEDGED);
        assertThat(after.acknowledgedBy()).isEqualTo("dashboard:ops");
        assertThat(after.acknowledgedVia()).isEqualTo("dashboard");
    }

    @Test
    void appToken_otherAppsPage_forbiddenBeforeExistence() throws Exception {
        server.log("checkout", "hello");
        server.log("billing", "secret invoice");
        String cookie = signIn(server.checkoutToken);
        HttpResponse<String> other = get("/apps/billing", cookie);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.body()).doesNotContain("secret invoice");
        // A name that does not exist answers the same: no probing of app names.
        assertThat(get("/apps/nosuchapp", cookie).statusCode()).isEqualTo(403);
        assertThat(get("/apps/billing/tail", cookie).statusCode()).isEqualTo(403);
        assertThat(get("/config", cookie).statusCode()).isEqualTo(403);
        HttpResponse<String> list = get("/apps", cookie);
        assertThat(list.body()).contains("checkout").doesNotContain("billing");
        assertThat(get("/apps/checkout", cookie).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownApp_admin404_butAnAppTokensOwnAppHasAPageBeforeItsFirstLine() throws Exception {
        assertThat(get("/apps/nosuchapp", signIn(server.adminToken)).statusCode())
                .isEqualTo(404);
        HttpResponse<String> own = get("/apps/checkout", signIn(server.checkoutToken));
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(own.body()).contains("Live tail");
    }

    @Test
    void appToken_incidents_onlyItsApp() throws Exception {
        Incident mine = server.trigger("checkout", "checkout is slow");
        Incident theirs = server.trigger("billing", "billing is down");
        String cookie = signIn(server.checkoutToken);
        assertThat(get("/incidents", cookie).body())
                .contains("checkout is slow")
                .doesNotContain("billing is down");
        assertThat(get("/incidents/" + theirs.id(), cookie).statusCode()).isEqualTo(403);
        HttpResponse<String> page = get("/incidents/" + mine.id(), cookie);
        assertThat(page.statusCode()).isEqualTo(200);
        // Reads only: acting on incidents needs an admin token, as in the incident API.
        assertThat(page.body()).doesNotContain("id=\"ack\"");
        HttpResponse<String> ack =
                post("/incidents/" + mine.id() + "/ack", cookie, Map.of("_csrf", csrf(page.body())), null);
        assertThat(ack.statusCode()).isEqualTo(403);
        assertThat(server.incidents.get(mine.id()).orElseThrow().state()).isEqualTo(IncidentState.TRIGGERED);
    }

    @Test
    void hostileLogLineAndIncident_renderAsText() throws Exception {
        server.log("checkout", "<script>alert('x')</script> & \"quoted\"");
        server.trigger("checkout", "<img src=x onerror=alert(1)>");
        String cookie = signIn(server.adminToken);
        String page = get("/apps/checkout", cookie).body();
        assertThat(page)
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;")
                .doesNotContain("<script>alert");
        String incidents = get("/incidents", cookie).body();
        assertThat(incidents).contains("&lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img src=x");
    }

    @Test
    void appPage_dropMarker_highlightedAndDropsByReasonShown() throws Exception {
        server.log(
                "checkout", "dropped 10 lines: rate limit", Map.of(DropLedger.MARKER_FIELD, DropLedger.MARKER_VALUE));
        server.drops.put("checkout", Map.of("rate_limit", 10L));
        String cookie = signIn(server.adminToken);
        String page = get("/apps/checkout", cookie).body();
        assertThat(page).contains("class=\"line sev-info marker\"").contains("<td>rate_limit</td>");
        assertThat(page).contains("100/s for checkout");
    }

    @Test
    void appsTable_sortedByBytes_andDropOnlyAppListed() throws Exception {
        server.log("small", "x");
        for (int i = 0; i < 50; i++) {
            server.log("big", "a much longer line to make this app bigger ".repeat(5) + i);
        }
        server.drops.put("ghost", Map.of("rate_limit", 5L));
        String cookie = signIn(server.adminToken);
        String table = get("/fragments/apps?sort=bytes&dir=desc", cookie).body();
        assertThat(table.indexOf("data-app=\"big\"")).isLessThan(table.indexOf("data-app=\"small\""));
        assertThat(table).contains("data-app=\"ghost\"").contains("aria-sort=\"descending\"");
    }

    @Test
    void config_masksSecrets() throws Exception {
        String cookie = signIn(server.adminToken);
        String page = get("/config", cookie).body();
        assertThat(page).doesNotContain("hunter2").doesNotContain("s3cret").contains("***");
        assertThat(page).contains("max_key_length: 64");
    }

    @Test
    void series_scopedToTheTokensApp() throws Exception {
        server.log("checkout", "a");
        server.log("billing", "b");
        server.dashboard.sampleSeries();
        server.dashboard.sampleSeries();
        String cookie = signIn(server.checkoutToken);
        String json = get("/fragments/series?app=checkout&app=billing", cookie).body();
        assertThat(json).contains("\"checkout\"").doesNotContain("billing");
    }

    @Test
    void staticAsset_servedWithLongCache_unknownIs404() throws Exception {
        String cookie = signIn(server.adminToken);
        Matcher m = Pattern.compile("src=\"(/static/[0-9a-f]+/htmx\\.min\\.js)\"")
                .matcher(get("/apps", cookie).body());
        assertThat(m.find()).isTrue();
        HttpResponse<String> js = get(m.group(1), null);
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
        assertThat(get("/static/000000000000/htmx.min.js", null).statusCode()).isEqualTo(404);
        assertThat(get("/static/x/..%2F..%2Fetc%2Fpasswd", null).statusCode()).isEqualTo(404);
    }

    @Test
    void tail_resumedAfterTheLastShownLine_sendsWhatWasStoredSinceThenLiveLinesOnce() throws Exception {
        String cookie = signIn(server.adminToken);
        server.log("web", "shown on the page");
        server.log("web", "stored while the page loaded");
        String shownCursor = server.store
                .query(new io.spillway.store.Query(
                        "web", null, null, null, 1, io.spillway.store.Query.Order.OLDEST_FIRST, null))
                .records()
                .getFirst()
                .cursor();
        HttpResponse<java.io.InputStream> r =
                stream("/apps/web/tail?after=" + URLEncoder.encode(shownCursor, StandardCharsets.UTF_8), cookie);
        assertThat(r.statusCode()).isEqualTo(200);
        java.io.BufferedReader in = lines(r);
        java.util.List<String> data = new java.util.ArrayList<>();
        java.util.List<String> ids = new java.util.ArrayList<>();
        boolean loggedLive = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String line;
        while (System.nanoTime() < deadline && (line = in.readLine()) != null) {
            if (line.startsWith("id: ")) {
                ids.add(line.substring(4));
            } else if (line.startsWith("data: ") && line.contains("\"message\"")) {
                data.add(line);
                if (!loggedLive) {
                    loggedLive = true;
                    server.log("web", "a live line");
                }
                if (line.contains("a live line")) {
                    break;
                }
            }
        }
        r.body().close();
        assertThat(data).hasSize(2);
        assertThat(data.get(0)).contains("stored while the page loaded");
        assertThat(data.get(1)).contains("a live line");
        assertThat(String.join("\n", data)).doesNotContain("shown on the page");
        assertThat(ids).hasSize(2).doesNotContain(shownCursor);
    }

    @Test
    void tail_storeClosesItsTails_streamEndsAndFreesTheSlot() throws Exception {
        // As the API's tail does: a node stopping closes the store's tails, and a live tail that kept
        // heartbeating into a closed one would hold its thread and permit until the browser left.
        String cookie = signIn(server.adminToken);
        server.log("web", "a line");
        HttpResponse<java.io.InputStream> r = stream("/apps/web/tail", cookie);
        assertThat(r.statusCode()).isEqualTo(200);
        java.io.BufferedReader in = lines(r);
        for (String line; (line = in.readLine()) != null && !line.equals("event: ready"); ) {
            // up to the stream's first event
        }
        assertThat(server.dashboard.openTails()).isEqualTo(1);
        server.store.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.dashboard.openTails() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        r.body().close();
        assertThat(server.dashboard.openTails())
                .as("tails still open once the store closed them")
                .isZero();
    }
}
