package io.spillway.alert.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Shared JSON handling for the intake parsers: bounded nesting, string maps with bounded sizes. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(32).build())
            .build());
    /** Labels, annotations and details kept per alert; further ones are dropped. */
    static final int MAX_ENTRIES = 64;
    /** Longest key or value kept; longer ones are cut. */
    static final int MAX_VALUE = 2048;

    private Json() {}

    static JsonNode read(byte[] body) throws IOException {
        JsonNode n = MAPPER.readTree(body);
        if (n == null || n.isMissingNode()) {
            throw new IOException("empty body");
        }
        return n;
    }

    /** A JSON object of scalars as a bounded string map; nested values are kept as compact JSON. */
    static Map<String, String> strings(@Nullable JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || !node.isObject()) {
            return out;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (out.size() >= MAX_ENTRIES) {
                break;
            }
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            out.put(cut(e.getKey()), cut(v.isValueNode() ? v.asText() : v.toString()));
        }
        return out;
    }

    /** A parse error in one line, without Jackson's source excerpt. */
    static String describe(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
            String where = j.getLocation() == null
                    ? ""
                    : " at line " + j.getLocation().getLineNr() + ", column "
                            + j.getLocation().getColumnNr();
            return j.getOriginalMessage() + where;
        }
        return String.valueOf(e.getMessage());
    }

    static String cut(String s) {
        return s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE) + "…" : s;
    }

    static String text(@Nullable JsonNode parent, String field) {
        if (parent == null) {
            return "";
        }
        JsonNode n = parent.get(field);
        return n == null || n.isNull() || !n.isValueNode() ? "" : n.asText();
    }

    static String render(Map<String, Object> body) {
        try {
            return MAPPER.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String error(String status, String message, List<String> errors) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("status", status);
        o.put("message", message);
        ArrayNode a = o.putArray("errors");
        errors.forEach(a::add);
        return o.toString();
    }
}
