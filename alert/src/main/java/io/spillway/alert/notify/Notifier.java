package io.spillway.alert.notify;

/**
 * One notification target (a webhook URL, a Slack channel, a mail recipient list, a PagerDuty
 * service). {@link #send} is a single delivery attempt; the caller retries with backoff and records
 * every attempt in the incident's timeline. Implementations are thread-safe and bound every attempt
 * in time (connect and read timeouts).
 */
public interface Notifier {
    /** The target's configured name, e.g. {@code oncall-webhook}. */
    String name();

    /** The kind: {@code webhook}, {@code slack}, {@code email}, {@code pagerduty}. */
    String kind();

    /**
     * Delivers one notification, once.
     *
     * @throws NotifyException with a message naming the target and what went wrong (status code,
     *     connection refused, SMTP reply)
     */
    void send(Notification notification) throws NotifyException;
}
