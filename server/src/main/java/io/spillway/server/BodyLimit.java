package io.spillway.server;

import io.javalin.http.HttpResponseException;
import io.spillway.pipeline.InflightMemory;
import io.spillway.pipeline.InputMetrics;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Bounds every request body on the HTTP listener, whatever its framing, before any route reads it:
 * a servlet filter in front of all routes.
 *
 * <ul>
 *   <li>A {@code Content-Length} over {@code http.max_request_body} is answered 413 before a byte of the
 *       body is read.
 *   <li>A body without one (chunked) is counted as it is read: the read that passes the bound fails with
 *       {@link Refused} (413), so at most the bound plus one read is ever held.
 *   <li>Every byte read is reserved in {@code limits.inflight_memory} until the route returns; a read
 *       the budget cannot hold fails with {@link Refused} (503, {@code inflight_memory}).
 *   <li>A {@code Content-Encoding} other than {@code identity} is answered 415: no route inflates
 *       request bodies, so none is decoded past its bound.
 * </ul>
 *
 * A refused body is counted in {@code spillway_input_errors{input="http",kind}} ({@code
 * body_too_large}, {@code inflight_memory}, {@code unsupported_encoding}), and its response closes the
 * connection, so the rest of the body is never read. Thread-safe; one per server.
 */
final class BodyLimit implements Filter {
    private final long maxBody;
    private final InflightMemory inflight;
    private final InputMetrics metrics;

    BodyLimit(long maxBody, InflightMemory inflight, InputMetrics metrics) {
        this.maxBody = maxBody;
        this.inflight = inflight;
        this.metrics = metrics;
    }

    /**
     * A body refused while it was read. Javalin answers it with its status and message on any route; the
     * ingest route catches it to answer in its own JSON.
     */
    static final class Refused extends HttpResponseException {
        private static final long serialVersionUID = 1L;

        Refused(int status, String message) {
            super(status, message);
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest req) || !(response instanceof HttpServletResponse res)) {
            chain.doFilter(request, response);
            return;
        }
        long declared = req.getContentLengthLong();
        if (declared > maxBody) {
            metrics.error("body_too_large");
            answer(res, 413, tooLarge(declared + " bytes (Content-Length)"));
            return;
        }
        String encoding = req.getHeader("Content-Encoding");
        if (encoding != null
                && !encoding.isBlank()
                && !encoding.strip().toLowerCase(Locale.ROOT).equals("identity")) {
            metrics.error("unsupported_encoding");
            answer(
                    res,
                    415,
                    "Content-Encoding " + encoding.strip() + " is not accepted: send the body uncompressed (at most"
                            + " http.max_request_body, " + maxBody + " bytes)");
            return;
        }
        try (InflightMemory.Lease lease = inflight.lease("http")) {
            chain.doFilter(new Bounded(req, res, lease), response);
        }
    }

    private String tooLarge(String observed) {
        return "request body of " + observed + " exceeds http.max_request_body (" + maxBody + " bytes)";
    }

    private static void answer(HttpServletResponse res, int status, String message) throws IOException {
        res.setStatus(status);
        res.setHeader("Connection", "close");
        res.setContentType("text/plain; charset=utf-8");
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        res.setContentLength(body.length);
        res.getOutputStream().write(body);
        res.flushBuffer();
    }

    /** The request with its body stream counted against both bounds. */
    private final class Bounded extends HttpServletRequestWrapper {
        private final HttpServletResponse response;
        private final InflightMemory.Lease lease;
        private @org.jspecify.annotations.Nullable ServletInputStream stream;

        Bounded(HttpServletRequest request, HttpServletResponse response, InflightMemory.Lease lease) {
            super(request);
            this.response = response;
            this.lease = lease;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream s = stream;
            if (s == null) {
                s = new Counted(super.getInputStream(), response, lease);
                stream = s;
            }
            return s;
        }
    }

    /** Counts the bytes read; fails the read that passes {@code max_request_body} or the budget. */
    private final class Counted extends ServletInputStream {
        private final ServletInputStream in;
        private final HttpServletResponse response;
        private final InflightMemory.Lease lease;
        private long read;

        Counted(ServletInputStream in, HttpServletResponse response, InflightMemory.Lease lease) {
            this.in = in;
            this.response = response;
            this.lease = lease;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            // Never ask for more than one byte past the bound, so passing it is seen before more is held.
            long room = maxBody + 1 - read;
            int n = in.read(b, off, (int) Math.max(1, Math.min(len, room)));
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            read += n;
            if (read > maxBody) {
                metrics.error("body_too_large");
                response.setHeader("Connection", "close");
                throw new Refused(413, tooLarge("more than " + maxBody + " bytes (chunked)"));
            }
            if (!lease.tryReserve(n)) {
                metrics.error("inflight_memory");
                response.setHeader("Connection", "close");
                response.setHeader("Retry-After", "5");
                throw new Refused(
                        503,
                        "request bodies and payloads in flight hold " + lease.used() + " bytes, the most"
                                + " limits.inflight_memory (" + lease.limit() + " bytes) allows; retry");
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }
    }
}
