package io.spillway.alert.notify;

import io.spillway.config.InvalidValueException;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.jspecify.annotations.Nullable;

/**
 * Sends each notification as an email over SMTP ({@code type: email}), with Eclipse Angus Mail.
 *
 * <p>Message: the subject from the {@code subject} template (line breaks removed, at most {@value
 * #MAX_SUBJECT} characters); a plain-text body with the summary, host, app, top writer, details and
 * the acknowledge link, plus an HTML alternative when {@code html: true}; headers {@code
 * Auto-Submitted: auto-generated} (RFC 3834, so vacation responders stay quiet), {@code
 * X-Spillway-Incident} and {@code X-Spillway-Reason} for mail filters.
 *
 * <p>Transport: {@code tls: true} speaks SMTPS (TLS from the first byte); otherwise {@code starttls}
 * decides whether the connection is upgraded. Certificates and host names are verified unless the
 * host is listed in {@code tls_trust}. Connect, read and write are each bounded by the target's
 * timeouts ({@code mail.smtp.connectiontimeout}, {@code timeout}, {@code writetimeout}).
 *
 * <p>Errors: a refused login, a server without STARTTLS when it is required, or a recipient refused
 * with a 5xx reply is not retryable (only a config change helps); a 4xx reply, a timeout or a
 * connection failure is. The password never appears in a message or log. Thread-safe: each attempt
 * opens its own connection.
 */
public final class EmailNotifier implements Notifier {
    /** Subjects longer than this are cut; mail clients show far less anyway. */
    static final int MAX_SUBJECT = 250;

    private final String name;
    private final String host;
    private final int port;
    private final String protocol;
    private final @Nullable String username;
    private final @Nullable String password;
    private final InternetAddress from;
    private final InternetAddress[] to;
    private final String subjectTemplate;
    private final boolean html;
    private final Session session;

    /**
     * @param password the resolved password (never logged), or null without {@code username}
     * @throws InvalidValueException naming {@code from} or {@code to[i]} when an address is invalid
     */
    public EmailNotifier(String name, TargetConfig config, @Nullable String password) {
        this.name = name;
        this.host = require(config.host(), "host");
        this.port = config.effectivePort();
        this.protocol = config.tls() ? "smtps" : "smtp";
        this.username = config.username();
        this.password = password;
        this.from = address(require(config.from(), "from"), "from");
        List<String> recipients = config.to();
        this.to = new InternetAddress[recipients.size()];
        for (int i = 0; i < recipients.size(); i++) {
            to[i] = address(recipients.get(i), "to[" + i + "]");
        }
        this.subjectTemplate = config.subject();
        this.html = config.html();
        this.session = Session.getInstance(properties(config));
    }

    private static String require(@Nullable String value, String key) {
        if (value == null || value.isBlank()) {
            throw new InvalidValueException(key, "is required for type email");
        }
        return value;
    }

    private static InternetAddress address(String text, String key) {
        try {
            InternetAddress a = new InternetAddress(text, true);
            a.validate();
            return a;
        } catch (AddressException e) {
            throw new InvalidValueException(key, "is not a valid email address (\"" + text + "\"): " + e.getMessage());
        }
    }

    private Properties properties(TargetConfig c) {
        String p = "mail." + protocol + ".";
        Properties props = new Properties();
        props.setProperty("mail.transport.protocol", protocol);
        props.setProperty(p + "host", host);
        props.setProperty(p + "port", Integer.toString(port));
        props.setProperty(
                p + "connectiontimeout", Long.toString(c.connectTimeout().toMillis()));
        props.setProperty(p + "timeout", Long.toString(c.timeout().toMillis()));
        props.setProperty(p + "writetimeout", Long.toString(c.timeout().toMillis()));
        props.setProperty(p + "auth", Boolean.toString(username != null));
        props.setProperty(p + "from", from.getAddress());
        switch (c.startTlsMode()) {
            case REQUIRED -> {
                props.setProperty(p + "starttls.enable", "true");
                props.setProperty(p + "starttls.required", "true");
            }
            case OPPORTUNISTIC -> props.setProperty(p + "starttls.enable", "true");
            case OFF -> props.setProperty(p + "starttls.enable", "false");
        }
        if (c.tlsTrust().isEmpty()) {
            // Older Jakarta Mail releases did not check the certificate's host name unless asked to.
            props.setProperty(p + "ssl.checkserveridentity", "true");
        } else {
            // tls_trust means "accept this relay's certificate as it is": its name is not checked either.
            props.setProperty(p + "ssl.trust", String.join(" ", c.tlsTrust()));
            props.setProperty(p + "ssl.checkserveridentity", "false");
        }
        return props;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "email";
    }

    @Override
    public void send(Notification n) throws NotifyException {
        MimeMessage message;
        try {
            message = compose(n);
        } catch (MessagingException e) {
            throw new NotifyException(prefix() + "cannot compose the message: " + e.getMessage(), false, e);
        }
        try (Transport transport = session.getTransport(protocol)) {
            transport.connect(host, port, username, password);
            transport.sendMessage(message, message.getAllRecipients());
        } catch (MessagingException e) {
            throw classify(e);
        }
    }

    MimeMessage compose(Notification n) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(from);
        m.setRecipients(Message.RecipientType.TO, to);
        m.setSubject(subject(subjectTemplate, n), "UTF-8");
        m.setSentDate(Date.from(n.time()));
        m.setHeader("Auto-Submitted", "auto-generated");
        m.setHeader("X-Spillway-Incident", oneLine(n.incidentId()));
        m.setHeader("X-Spillway-Reason", oneLine(n.reason()));
        String text = plainBody(n);
        if (html) {
            MimeMultipart alternative = new MimeMultipart("alternative");
            MimeBodyPart plain = new MimeBodyPart();
            plain.setText(text, "UTF-8", "plain");
            MimeBodyPart rich = new MimeBodyPart();
            rich.setText(htmlBody(n), "UTF-8", "html");
            // RFC 2046: alternatives go from plainest to richest.
            alternative.addBodyPart(plain);
            alternative.addBodyPart(rich);
            m.setContent(alternative);
        } else {
            m.setText(text, "UTF-8", "plain");
        }
        m.saveChanges();
        return m;
    }

    /** Expands the subject template; unknown placeholders stay as written. */
    static String subject(String template, Notification n) {
        Map<String, String> values = Map.of(
                "{status}", Render.status(n),
                "{severity}", Render.severity(n),
                "{id}", n.incidentId(),
                "{summary}", n.summary(),
                "{host}", n.host(),
                "{app}", n.app() == null ? "" : n.app(),
                "{reason}", n.reason(),
                "{state}", n.state());
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                sb.append(template, i, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                sb.append(template, i, template.length());
                break;
            }
            String key = template.substring(open, close + 1);
            String value = values.get(key);
            sb.append(template, i, open).append(value == null ? key : value);
            i = close + 1;
        }
        String s = oneLine(sb.toString()).strip();
        return s.length() <= MAX_SUBJECT ? s : s.substring(0, MAX_SUBJECT - 1) + "…";
    }

    /** Line breaks would end the header (header injection); fold them into spaces. */
    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n\\t]+", " ");
    }

    static String plainBody(Notification n) {
        StringBuilder sb = new StringBuilder();
        sb.append('[')
                .append(Render.status(n))
                .append("] #")
                .append(n.incidentId())
                .append(' ');
        sb.append(n.summary()).append('\n');
        String phrase = Render.reasonPhrase(n);
        if (!phrase.isEmpty()) {
            sb.append('(').append(phrase).append(")\n");
        }
        sb.append('\n');
        sb.append("Host:       ").append(n.host()).append('\n');
        if (n.app() != null) {
            sb.append("App:        ").append(n.app()).append('\n');
        }
        if (n.topWriter() != null) {
            sb.append("Top writer: ").append(n.topWriter()).append('\n');
        }
        sb.append("Severity:   ").append(Render.severity(n)).append('\n');
        sb.append("State:      ").append(n.state()).append('\n');
        if (!n.details().isEmpty()) {
            sb.append("\nDetails:\n");
            new TreeMap<>(n.details())
                    .forEach((k, v) ->
                            sb.append("  ").append(k).append(": ").append(v).append('\n'));
        }
        sb.append('\n');
        if (Render.hasAck(n)) {
            sb.append("Acknowledge: ").append(n.ackUrl()).append('\n');
        }
        if (n.incidentUrl() != null && !n.incidentUrl().isBlank()) {
            sb.append("Incident:    ").append(n.incidentUrl()).append('\n');
        }
        sb.append("\n-- \nSpillway · ").append(n.dedupKey()).append('\n');
        return sb.toString();
    }

    static String htmlBody(Notification n) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
        sb.append("<h2>[")
                .append(Render.status(n))
                .append("] #")
                .append(esc(n.incidentId()))
                .append(' ')
                .append(esc(n.summary()))
                .append("</h2>");
        String phrase = Render.reasonPhrase(n);
        if (!phrase.isEmpty()) {
            sb.append("<p><em>").append(esc(phrase)).append("</em></p>");
        }
        if (Render.hasAck(n)) {
            sb.append("<p><a href=\"")
                    .append(esc(n.ackUrl()))
                    .append("\" style=\"font-size:1.2em;font-weight:bold\">Acknowledge</a></p>");
        }
        sb.append("<table>");
        row(sb, "Host", n.host());
        if (n.app() != null) {
            row(sb, "App", n.app());
        }
        if (n.topWriter() != null) {
            row(sb, "Top writer", n.topWriter());
        }
        row(sb, "Severity", Render.severity(n));
        row(sb, "State", n.state());
        new TreeMap<>(n.details()).forEach((k, v) -> row(sb, k, v));
        sb.append("</table>");
        if (n.incidentUrl() != null && !n.incidentUrl().isBlank()) {
            sb.append("<p><a href=\"").append(esc(n.incidentUrl())).append("\">Open the incident</a></p>");
        }
        sb.append("<p style=\"color:#888\">Spillway · ")
                .append(esc(n.dedupKey()))
                .append("</p></body></html>");
        return sb.toString();
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("<tr><th align=\"left\">")
                .append(esc(k))
                .append("</th><td>")
                .append(esc(v))
                .append("</td></tr>");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private NotifyException classify(MessagingException e) {
        if (e instanceof AuthenticationFailedException) {
            return new NotifyException(
                    prefix() + "login refused for user \"" + username + "\" (" + reply(e) + ")", false, e);
        }
        if (e instanceof SMTPSendFailedException sf) {
            return new NotifyException(
                    prefix() + "server refused the message: " + sf.getReturnCode() + " " + reply(e),
                    sf.getReturnCode() < 500,
                    e);
        }
        if (e instanceof SendFailedException sfe) {
            int code = 0;
            for (Exception next = sfe.getNextException(); next != null; ) {
                if (next instanceof SMTPAddressFailedException af) {
                    code = af.getReturnCode();
                    break;
                }
                next = next instanceof MessagingException me ? me.getNextException() : null;
            }
            return new NotifyException(
                    prefix() + "recipients refused" + (code == 0 ? "" : " (" + code + ")") + ": " + reply(e),
                    code > 0 && code < 500,
                    e);
        }
        Throwable cause = e.getCause();
        if (cause instanceof SocketTimeoutException) {
            return new NotifyException(prefix() + "timed out: " + cause.getMessage(), true, e);
        }
        if (cause instanceof UnknownHostException) {
            return new NotifyException(prefix() + "unknown host " + host, true, e);
        }
        if (cause instanceof ConnectException) {
            return new NotifyException(prefix() + "connection refused or unreachable: " + cause.getMessage(), true, e);
        }
        if (cause instanceof javax.net.ssl.SSLException) {
            return new NotifyException(
                    prefix() + "TLS failed: " + cause.getMessage()
                            + " (for a self-signed relay certificate, list the host in tls_trust)",
                    false,
                    e);
        }
        if (cause instanceof IOException) {
            return new NotifyException(
                    prefix() + cause.getClass().getSimpleName() + ": " + cause.getMessage(), true, e);
        }
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("STARTTLS")) {
            return new NotifyException(
                    prefix() + msg + " (starttls: required; use tls: true for SMTPS, or starttls: opportunistic)",
                    false,
                    e);
        }
        return new NotifyException(prefix() + msg, true, e);
    }

    private static String reply(MessagingException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : oneLine(m).strip();
    }

    private String prefix() {
        return "email target \"" + name + "\" (" + protocol + "://" + host + ":" + port + "): ";
    }

    @Override
    public String toString() {
        return "email \"" + name + "\" → " + protocol + "://" + host + ":" + port;
    }
}
