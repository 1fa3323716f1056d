package io.spillway.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Masks secrets in a configuration tree before it is shown. Config records that hold a secret use a
 * type printing {@code ***} already; this is the second line of defence: any value under a key that
 * looks like a credential is replaced, whatever its type, and so is any string that looks like a URL
 * with a password ({@code scheme://user:pass@host}) or a Spillway token.
 */
final class ConfigMask {
    static final String MASK = "***";

    private static final Pattern SECRET_KEY =
            Pattern.compile(".*(secret|password|passwd|token|key|credential|auth|webhook).*");
    /**
     * Keys that match {@link #SECRET_KEY} but hold no secret: a mode ({@code ingest_auth: token}) and
     * the names of environment variables ({@code secret_env: HOOK_SECRET}) say how secrets are found,
     * and an operator reading the page needs to see them.
     */
    private static final Pattern NOT_SECRET_KEY = Pattern.compile("ingest_auth|.*_env");

    private static final Pattern URL_PASSWORD = Pattern.compile("(\\w+://[^/:@\\s]*:)[^@/\\s]+@");

    private ConfigMask() {}

    static JsonNode mask(JsonNode node) {
        return mask(node, "");
    }

    private static JsonNode mask(JsonNode node, String key) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        String lower = key.toLowerCase(Locale.ROOT);
        if (!key.isEmpty()
                && SECRET_KEY.matcher(lower).matches()
                && !NOT_SECRET_KEY.matcher(lower).matches()
                && !isEmptyValue(node)) {
            // A key like max_key_length is a number, not a secret: leave numbers and booleans alone.
            if (!node.isNumber() && !node.isBoolean()) {
                return f.textNode(MASK);
            }
        }
        if (node.isObject()) {
            ObjectNode out = f.objectNode();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                out.set(e.getKey(), mask(e.getValue(), e.getKey()));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = f.arrayNode();
            node.forEach(v -> out.add(mask(v, key)));
            return out;
        }
        if (node.isTextual()) {
            String t = node.asText();
            if (t.startsWith("spw_")) {
                return f.textNode(MASK);
            }
            return f.textNode(URL_PASSWORD.matcher(t).replaceAll("$1" + MASK + "@"));
        }
        return node;
    }

    private static boolean isEmptyValue(JsonNode node) {
        return node.isNull()
                || (node.isTextual() && node.asText().isEmpty())
                || (node.isContainerNode() && node.isEmpty());
    }
}
