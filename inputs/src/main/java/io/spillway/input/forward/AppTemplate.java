package io.spillway.input.forward;

import io.spillway.config.InvalidValueException;
import io.spillway.record.AppNames;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code app} template: literal text with {@code {{name}}} placeholders, where {@code tag} is the
 * event's fluent tag and any other name a top-level record field ({@code container_name} without
 * Docker's leading {@code /}). When a placeholder has no value the app falls back to the tag; the
 * result goes through {@link AppNames#normalize}. Immutable, thread-safe.
 */
final class AppTemplate {
    static final String TAG = "tag";

    /** Literal parts at even indexes, placeholder names at odd indexes. */
    private final List<String> parts;

    private AppTemplate(List<String> parts) {
        this.parts = List.copyOf(parts);
    }

    /** Parses a template, throwing {@link InvalidValueException} for key {@code app}. */
    static AppTemplate parse(String template) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (true) {
            int open = template.indexOf("{{", i);
            if (open < 0) {
                parts.add(template.substring(i));
                break;
            }
            int close = template.indexOf("}}", open + 2);
            if (close < 0) {
                throw new InvalidValueException("app", "unclosed '{{' in '" + template + "'");
            }
            String name = template.substring(open + 2, close).trim();
            if (name.isEmpty()) {
                throw new InvalidValueException("app", "empty placeholder '{{}}' in '" + template + "'");
            }
            parts.add(template.substring(i, open));
            parts.add(name);
            i = close + 2;
        }
        if (parts.size() == 1 && parts.get(0).isBlank()) {
            throw new InvalidValueException("app", "must not be empty");
        }
        return new AppTemplate(parts);
    }

    /**
     * The app for an event.
     *
     * @param tag the event's tag
     * @param field a record field's text by name, or null when absent
     */
    String render(String tag, Function<String, @org.jspecify.annotations.Nullable String> field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            if (i % 2 == 0) {
                out.append(p);
                continue;
            }
            String v = p.equals(TAG) ? tag : field.apply(p);
            if (v != null && p.equals("container_name") && v.startsWith("/")) {
                v = v.substring(1);
            }
            if (v == null || v.isEmpty()) {
                return AppNames.normalize(tag);
            }
            out.append(v);
        }
        return AppNames.normalize(out);
    }
}
