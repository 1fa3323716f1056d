/**
 * Notifiers: how a page leaves Spillway (webhook with HMAC signature, Slack/Mattermost, SMTP email,
 * PagerDuty Events v2). Each implements {@link io.spillway.alert.notify.Notifier}.
 */
@NullMarked
package io.spillway.alert.notify;

import org.jspecify.annotations.NullMarked;
