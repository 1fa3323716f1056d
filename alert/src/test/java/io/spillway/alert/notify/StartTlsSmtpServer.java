package io.spillway.alert.notify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A minimal SMTP server that offers STARTTLS (GreenMail's SMTP server does not), using GreenMail's
 * self-signed test certificate. Enough of RFC 5321 and RFC 3207 for one client: EHLO, STARTTLS,
 * MAIL, RCPT, DATA, QUIT. Records each message's data and whether it arrived over TLS.
 */
final class StartTlsSmtpServer implements AutoCloseable {
    record Received(String data, boolean overTls) {}

    private final ServerSocket server;
    private final SSLContext tls;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final Thread thread;

    StartTlsSmtpServer() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = StartTlsSmtpServer.class.getClassLoader().getResourceAsStream("greenmail.p12")) {
            if (in == null) {
                throw new IllegalStateException(
                        "greenmail.p12 (GreenMail's test certificate) is not on the class path");
            }
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        thread = Thread.ofPlatform().name("starttls-smtp").daemon(true).start(this::serve);
    }

    int port() {
        return server.getLocalPort();
    }

    Received take() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no message arrived within 10s");
        }
        return r;
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket plain = server.accept()) {
                plain.setSoTimeout(10_000);
                session(plain);
            } catch (IOException e) {
                // Closed, or the client went away: wait for the next one.
            }
        }
    }

    private void session(Socket plain) throws IOException {
        Socket s = plain;
        boolean overTls = false;
        BufferedReader in = reader(s);
        OutputStream out = s.getOutputStream();
        write(out, "220 starttls.test ESMTP");
        String line;
        while ((line = in.readLine()) != null) {
            String cmd = line.toUpperCase(java.util.Locale.ROOT);
            if (cmd.startsWith("EHLO")) {
                write(out, overTls ? "250 starttls.test" : "250-starttls.test\r\n250 STARTTLS");
            } else if (cmd.startsWith("HELO")) {
                write(out, "250 starttls.test");
            } else if (cmd.equals("STARTTLS") && !overTls) {
                write(out, "220 go ahead");
                SSLSocket secure = (SSLSocket) tls.getSocketFactory()
                        .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), false);
                secure.setUseClientMode(false);
                secure.startHandshake();
                s = secure;
                overTls = true;
                in = reader(s);
                out = s.getOutputStream();
            } else if (cmd.startsWith("MAIL FROM")
                    || cmd.startsWith("RCPT TO")
                    || cmd.startsWith("RSET")
                    || cmd.startsWith("NOOP")) {
                write(out, "250 ok");
            } else if (cmd.equals("DATA")) {
                write(out, "354 end with <CRLF>.<CRLF>");
                StringBuilder data = new StringBuilder();
                String d;
                while ((d = in.readLine()) != null && !d.equals(".")) {
                    data.append(d.startsWith("..") ? d.substring(1) : d).append('\n');
                }
                received.add(new Received(data.toString(), overTls));
                write(out, "250 queued");
            } else if (cmd.equals("QUIT")) {
                write(out, "221 bye");
                return;
            } else {
                write(out, "502 not implemented");
            }
        }
    }

    private static BufferedReader reader(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    }

    private static void write(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
    }
}
