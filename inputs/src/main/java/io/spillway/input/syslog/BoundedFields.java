package io.spillway.input.syslog;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects a record's fields under the input's bounds: at most {@link SyslogDecoder#MAX_FIELDS}
 * entries and values of at most {@link SyslogDecoder#MAX_FIELD_VALUE} characters. When entries had to
 * be left out, the last slot holds {@code fields_truncated=true}, so the loss is visible in the record.
 * The first value of a repeated key wins. Not thread-safe; one per record.
 */
final class BoundedFields {
    static final String TRUNCATED = "fields_truncated";

    private final Map<String, String> map = new LinkedHashMap<>();
    private boolean truncated;

    void put(String key, String value) {
        if (map.containsKey(key)) {
            return;
        }
        if (map.size() >= SyslogDecoder.MAX_FIELDS - 1) {
            truncated = true;
            return;
        }
        String v = value.length() > SyslogDecoder.MAX_FIELD_VALUE
                ? value.substring(0, SyslogDecoder.MAX_FIELD_VALUE)
                : value;
        map.put(key, v);
    }

    Map<String, String> build() {
        if (truncated) {
            map.put(TRUNCATED, "true");
        }
        return map;
    }
}
