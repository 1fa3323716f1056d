package io.spillway.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.spillway.config.ConfigException;
import io.spillway.event.EventSeverity;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Against GreenMail, a real SMTP/SMTPS server on free loopback ports. */
class EmailNotifierTest {
    static final String PASSWORD = "correct horse battery staple";

    GreenMail mail;

    @AfterEach
    void stop() {
        if (mail != null) {
            mail.stop();
        }
    }

    GreenMail start(ServerSetup setup, boolean withUser) {
        mail = new GreenMail(setup.dynamicPort());
        if (withUser) {
            mail.withConfiguration(
                    GreenMailConfiguration.aConfig().withUser("spillway@example.com", "spillway", PASSWORD));
        }
        mail.start();
        return mail;
    }

    static String base(int port, String extra) {
        return "targets:\n  ops-mail:\n    type: email\n    host: 127.0.0.1\n    port: " + port + "\n"
                + "    from: Spillway <spillway@example.com>\n    to: [oncall@example.com, lead@example.com]\n"
                + "    timeout: 5s\n    connect_timeout: 2s\n" + extra;
    }

    static Notifier email(String yaml, Map<String, String> env) throws ConfigException {
        return Targets.build(yaml, env).get("ops-mail");
    }

    @Test
    void send_plainSmtp_deliversSubjectRecipientsBodyAndAckLink() throws Exception {
        GreenMail gm = start(ServerSetupTest.SMTP, false);
        Notifier n = email(base(gm.getSmtp().getPort(), "    starttls: off\n"), Map.of());
        n.send(Samples.trigger());

        assertThat(gm.waitForIncomingEmail(10_000, 2)).isTrue();
        MimeMessage m = gm.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[CRITICAL] #42 /var/lib/docker 91% used on node-7");
        assertThat(Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(Address::toString))
                .containsExactly("oncall@example.com", "lead@example.com");
        assertThat(m.getFrom()[0].toString()).isEqualTo("Spillway <spillway@example.com>");
        assertThat(m.getHeader("Auto-Submitted")[0]).isEqualTo("auto-generated");
        assertThat(m.getHeader("X-Spillway-Incident")[0]).isEqualTo("42");
        String body = GreenMailUtil.getBody(m);
        assertThat(body)
                .contains("/var/lib/docker 91% used")
                .contains("Top writer: app sensors-api writes 3.1 GB/min to /var/lib/docker on node-7")
                .contains("used_percent: 91")
                .contains("Acknowledge: https://spillway.example.com/ack/tok-123");
    }

    @Test
    void send_withAuthAndHtml_logsInAndAddsHtmlAlternative() throws Exception {
        GreenMail gm = start(ServerSetupTest.SMTP, true);
        Notifier n = email(
                base(
                        gm.getSmtp().getPort(),
                        "    starttls: opportunistic\n    username: spillway\n    password_env: SMTP_PASSWORD\n    html: true\n"),
                Map.of("SMTP_PASSWORD", PASSWORD));
        n.send(Samples.trigger());

        assertThat(gm.waitForIncomingEmail(10_000, 2)).isTrue();
        MimeMessage m = gm.getReceivedMessages()[0];
        assertThat(m.getContentType()).startsWith("multipart/alternative");
        MimeMultipart parts = (MimeMultipart) m.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
        assertThat((String) parts.getBodyPart(1).getContent())
                .contains("<a href=\"https://spillway.example.com/ack/tok-123\"");
    }

    @Test
    void send_wrongPassword_loginRefusedNotRetryableAndPasswordNotShown() throws Exception {
        GreenMail gm = start(ServerSetupTest.SMTP, true);
        Notifier n = email(
                base(
                        gm.getSmtp().getPort(),
                        "    starttls: off\n    username: spillway\n    password: hunter2-wrong\n"),
                Map.of());
        NotifyException e = catchThrowableOfType(NotifyException.class, () -> n.send(Samples.trigger()));
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage())
                .contains("email target \"ops-mail\"")
                .contains("login refused for user \"spillway\"")
                .doesNotContain("hunter2");
        assertThat(gm.getReceivedMessages()).isEmpty();
    }

    @Test
    void send_implicitTlsWithTrustedRelayCertificate_delivers() throws Exception {
        GreenMail gm = start(ServerSetupTest.SMTPS, false);
        Notifier n = email(
                base(gm.getSmtps().getPort(), "    tls: true\n    starttls: off\n    tls_trust: [\"*\"]\n"), Map.of());
        n.send(Samples.trigger());
        assertThat(gm.waitForIncomingEmail(10_000, 2)).isTrue();
        assertThat(gm.getReceivedMessages()[0].getSubject()).contains("#42");
    }

    @Test
    void send_implicitTlsWithUntrustedCertificate_failsNotRetryable() throws Exception {
        GreenMail gm = start(ServerSetupTest.SMTPS, false);
        Notifier n = email(base(gm.getSmtps().getPort(), "    tls: true\n    starttls: off\n"), Map.of());
        NotifyException e = catchThrowableOfType(NotifyException.class, () -> n.send(Samples.trigger()));
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("TLS failed").contains("tls_trust");
        assertThat(gm.getReceivedMessages()).isEmpty();
    }

    @Test
    void send_starttlsRequiredServerOffersIt_upgradesBeforeSending() throws Exception {
        try (StartTlsSmtpServer server = new StartTlsSmtpServer()) {
            email(base(server.port(), "    starttls: required\n    tls_trust: [127.0.0.1]\n"), Map.of())
                    .send(Samples.trigger());
            StartTlsSmtpServer.Received r = server.take();
            assertThat(r.overTls()).isTrue();
            assertThat(r.data()).contains("Subject: [CRITICAL] #42 /var/lib/docker 91% used on node-7");
        }
    }

    @Test
    void send_starttlsOfferedButCertificateUntrusted_failsNotRetryable() throws Exception {
        try (StartTlsSmtpServer server = new StartTlsSmtpServer()) {
            NotifyException e = catchThrowableOfType(
                    NotifyException.class,
                    () -> email(base(server.port(), ""), Map.of()).send(Samples.trigger()));
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("TLS failed");
        }
    }

    @Test
    void send_starttlsRequiredButServerOffersNone_refusesToSendInClear() throws Exception {
        // GreenMail's SMTP server does not offer STARTTLS: exactly the downgrade "required" must refuse.
        GreenMail gm = start(ServerSetupTest.SMTP, false);
        Notifier n = email(base(gm.getSmtp().getPort(), ""), Map.of());
        NotifyException e = catchThrowableOfType(NotifyException.class, () -> n.send(Samples.trigger()));
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("ops-mail").contains("STARTTLS");
        assertThat(gm.getReceivedMessages()).isEmpty();
    }

    @Test
    void send_starttlsOpportunisticServerOffersNone_deliversInClear() throws Exception {
        GreenMail gm = start(ServerSetupTest.SMTP, false);
        email(base(gm.getSmtp().getPort(), "    starttls: opportunistic\n"), Map.of())
                .send(Samples.trigger());
        assertThat(gm.waitForIncomingEmail(10_000, 2)).isTrue();
    }

    @Test
    void send_nothingListening_retryable() throws Exception {
        Notifier n = email(base(Receiver.deadPort(), "    starttls: off\n"), Map.of());
        NotifyException e = catchThrowableOfType(NotifyException.class, () -> n.send(Samples.trigger()));
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("email target \"ops-mail\" (smtp://127.0.0.1:");
    }

    @Test
    void subject_templateWithLineBreaksInSummary_foldedToOneLine() {
        Notification n = new Notification(
                "acknowledge",
                "9",
                "k",
                EventSeverity.WARNING,
                "acknowledged",
                "disk full\r\nBcc: victim@example.com",
                "node-1",
                "web",
                null,
                Map.of(),
                "",
                null,
                0,
                Samples.TIME);
        assertThat(EmailNotifier.subject("[{status}] #{id} {summary} ({app}, {severity}) {unknown}", n))
                .isEqualTo("[ACKNOWLEDGED] #9 disk full Bcc: victim@example.com (web, warning) {unknown}");
        assertThat(EmailNotifier.subject(
                        TargetConfig.DEFAULT_SUBJECT, NotifierSelfTest.testNotification("m", "h", Samples.TIME)))
                .startsWith("[TEST] #test ");
    }

    @Test
    void build_invalidRecipient_failsWithKeyPath() {
        assertThatThrownBy(() -> email(base(25, "").replace("lead@example.com", "not an address"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alert.targets.ops-mail.to[1]: is not a valid email address");
    }
}
