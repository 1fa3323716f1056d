package io.spillway.alert;

import io.spillway.alert.notify.Notification;
import io.spillway.alert.notify.Notifier;
import io.spillway.alert.notify.NotifyException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A notification target that records what it receives and fails as scripted. */
final class RecordingNotifier implements Notifier {
    private final String name;
    final List<Notification> received = new ArrayList<>();
    final Deque<NotifyException> failures = new ArrayDeque<>();
    int attempts;

    RecordingNotifier(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "test";
    }

    /** The next {@code n} attempts fail with {@code retryable}. */
    RecordingNotifier failNext(int n, boolean retryable) {
        for (int i = 0; i < n; i++) {
            failures.add(new NotifyException(name + ": HTTP 503 from test target", retryable));
        }
        return this;
    }

    @Override
    public synchronized void send(Notification n) throws NotifyException {
        attempts++;
        NotifyException f = failures.poll();
        if (f != null) {
            throw f;
        }
        received.add(n);
    }

    synchronized List<String> reasons() {
        return received.stream().map(Notification::reason).toList();
    }

    synchronized void clear() {
        received.clear();
    }
}
