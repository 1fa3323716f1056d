/**
 * Notifiers: how a page leaves Spillway (webhook with HMAC signature, Slack/Mattermost, SMTP email,
 * PagerDuty Events v2). Each implements {@link io.spillway.alert.notify.Notifier}.
 *
 * <p>Targets are configured as {@link io.spillway.alert.notify.TargetConfig} ({@code alert.targets})
 * and built by {@link io.spillway.alert.notify.Notifiers#build}; {@link
 * io.spillway.alert.notify.NotifierSelfTest} tests them at start-up and periodically, turning a dead
 * target into a {@code notifier_unreachable} event. Credentials are {@link
 * io.spillway.alert.notify.Secret}s and token-bearing URLs {@link io.spillway.alert.notify.SecretUrl}s,
 * so neither reaches a log line or the printed configuration.
 */
@NullMarked
package io.spillway.alert.notify;

import org.jspecify.annotations.NullMarked;
