package io.spillway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Binds a YAML tree to immutable config records.
 *
 * <p>Contract for a bindable record type {@code R}:
 *
 * <ul>
 *   <li>it declares {@code public static R defaults()}: every key has a default, so an empty file
 *       (or none) is a complete configuration;
 *   <li>each component {@code fooBar} is the key {@code foo_bar};
 *   <li>its compact constructor validates and throws {@link InvalidValueException} naming the key.
 * </ul>
 *
 * <p>Leaf types: {@code String}, {@code boolean}, {@code int}, {@code long}, {@code double}, enums
 * (written in lower case), {@link Duration} (via {@link Durations}), {@link Path}, {@code List<T>},
 * {@code Map<String, T>}, nested records, and any type with a {@code public static T parse(String)}
 * ({@link DataSize}, {@link ListenAddress}, …).
 *
 * <p>All problems are collected and reported at once, each as {@code path.to.key: what was expected,
 * got what}. Unknown keys are errors, never ignored, and list the keys that are known. A component
 * annotated {@link RenamedFrom} also binds its former key, which is reported to the caller as {@link
 * WrittenKeys}; one annotated {@link NotAKey} is neither read nor printed. Thread-safe.
 */
public final class ConfigBinder {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigBinder() {}

    /** Reads a YAML document; an empty file is an empty object. */
    public static ObjectNode readYaml(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file: " + reason(e));
        }
        return readYaml(text, file.toString());
    }

    /** Why a file could not be read, in words: the JDK's exceptions for these carry only the path. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e.getMessage() != null && e.getMessage().contains("Is a directory")) {
            return "it is a directory";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    public static ObjectNode readYaml(String text, String origin) throws ConfigException {
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new ConfigException(origin + ": not valid YAML" + where + ": " + e.getOriginalMessage());
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!(node instanceof ObjectNode object)) {
            throw new ConfigException(origin + ": expected a mapping of keys at the top level, got " + describe(node));
        }
        return object;
    }

    /**
     * Applies a command-line override {@code path.to.key=value} to the tree. The value is read as
     * YAML, so {@code =true}, {@code =128KiB} and {@code =[a, b]} mean what they would in the file.
     */
    public static void applyOverride(ObjectNode root, String assignment) throws ConfigException {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--set " + assignment + ": expected path.to.key=value");
        }
        String path = assignment.substring(0, eq).trim();
        String raw = assignment.substring(eq + 1);
        JsonNode value;
        try {
            value = raw.isEmpty() ? JsonNodeFactory.instance.textNode("") : YAML.readTree(raw);
        } catch (JsonProcessingException e) {
            value = JsonNodeFactory.instance.textNode(raw);
        }
        if (value == null || value.isMissingNode()) {
            value = JsonNodeFactory.instance.textNode(raw);
        }
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].isEmpty()) {
                throw new ConfigException("--set " + assignment + ": empty key in path \"" + path + "\"");
            }
            JsonNode child = node.get(parts[i]);
            if (child instanceof ObjectNode o) {
                node = o;
            } else {
                node = node.putObject(parts[i]);
            }
        }
        node.set(parts[parts.length - 1], value);
    }

    /** Binds {@code node} to {@code type}, starting from {@code type.defaults()}. */
    public static <R extends Record> R bind(Class<R> type, JsonNode node) throws ConfigException {
        return bind(type, node, new LinkedHashMap<>());
    }

    /**
     * As {@link #bind(Class, JsonNode)}, and puts into {@code written} every key that was written in a
     * former spelling ({@link RenamedFrom}), full path of the current key to full path as written.
     */
    public static <R extends Record> R bind(Class<R> type, JsonNode node, Map<String, String> written)
            throws ConfigException {
        List<String> problems = new ArrayList<>();
        Object result = bindRecord(type, node, defaultsOf(type), "", problems, written);
        if (!problems.isEmpty() || result == null) {
            throw new ConfigException(problems.isEmpty() ? List.of("config could not be bound") : problems);
        }
        return type.cast(result);
    }

    /** The {@code defaults()} instance of a config record type. */
    public static <R extends Record> R defaultsOf(Class<R> type) {
        try {
            Method m = type.getMethod("defaults");
            if (!Modifier.isStatic(m.getModifiers())) {
                throw new IllegalStateException(type.getName() + ".defaults() must be static");
            }
            return type.cast(m.invoke(null));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type.getName() + " must declare public static defaults()", e);
        }
    }

    /** {@code maxFrame} → {@code max_frame}. */
    public static String keyOf(String componentName) {
        StringBuilder sb = new StringBuilder(componentName.length() + 4);
        for (char c : componentName.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('_').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static @Nullable Object bindRecord(
            Class<?> type,
            @Nullable JsonNode node,
            @Nullable Object base,
            String path,
            List<String> problems,
            Map<String, String> written) {
        if (base == null) {
            @SuppressWarnings("unchecked")
            Class<? extends Record> rt = (Class<? extends Record>) type;
            base = defaultsOf(rt);
        }
        if (node == null || node.isNull()) {
            return base;
        }
        if (!node.isObject()) {
            problems.add(label(path) + "expected a mapping of keys, got " + describe(node));
            return null;
        }
        RecordComponent[] components = type.getRecordComponents();
        Map<String, RecordComponent> byKey = new LinkedHashMap<>();
        Map<String, String> formerKeys = new LinkedHashMap<>();
        for (RecordComponent c : components) {
            if (c.isAnnotationPresent(NotAKey.class)) {
                continue;
            }
            byKey.put(keyOf(c.getName()), c);
            RenamedFrom renamed = c.getAnnotation(RenamedFrom.class);
            if (renamed != null) {
                formerKeys.put(renamed.value(), keyOf(c.getName()));
            }
        }
        int before = problems.size();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!byKey.containsKey(key) && !formerKeys.containsKey(key)) {
                problems.add(join(path, key) + ": unknown key; known keys here are "
                        + String.join(", ", new TreeSet<>(byKey.keySet())));
            }
        }
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            Object current;
            try {
                current = c.getAccessor().invoke(base);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (c.isAnnotationPresent(NotAKey.class)) {
                args[i] = current;
                continue;
            }
            String key = keyOf(c.getName());
            JsonNode child = node.get(key);
            String as = key;
            RenamedFrom renamed = c.getAnnotation(RenamedFrom.class);
            if (renamed != null && node.has(renamed.value())) {
                if (child != null) {
                    problems.add(join(path, renamed.value()) + ": the former spelling of " + join(path, key)
                            + ", which is set too; keep only " + join(path, key));
                    continue;
                }
                as = renamed.value();
                child = node.get(as);
                written.put(join(path, key), join(path, as));
            }
            args[i] = child == null
                    ? current
                    : convert(c.getGenericType(), child, current, join(path, as), problems, written);
        }
        if (problems.size() > before) {
            return null;
        }
        try {
            Constructor<?> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InvalidValueException ive) {
                problems.add(join(path, ive.key()) + ": " + ive.reason());
            } else if (cause instanceof IllegalArgumentException || cause instanceof NullPointerException) {
                problems.add(label(path) + cause.getMessage());
            } else {
                throw new IllegalStateException("binding " + type.getName(), cause);
            }
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("binding " + type.getName(), e);
        }
    }

    private static @Nullable Object convert(
            Type generic,
            JsonNode node,
            @Nullable Object current,
            String path,
            List<String> problems,
            Map<String, String> written) {
        Class<?> raw = rawClass(generic);
        if (raw.isRecord() && !hasParse(raw)) {
            return bindRecord(raw, node, current, path, problems, written);
        }
        if (node.isNull()) {
            if (raw.isPrimitive()) {
                problems.add(path + ": a value is required here");
            }
            return null;
        }
        if (raw == List.class) {
            Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
            List<Object> out = new ArrayList<>();
            if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    out.add(convert(element, node.get(i), null, path + "[" + i + "]", problems, written));
                }
            } else {
                out.add(convert(element, node, null, path + "[0]", problems, written));
            }
            return List.copyOf(out.stream().filter(java.util.Objects::nonNull).toList());
        }
        if (raw == Map.class) {
            Type value = ((ParameterizedType) generic).getActualTypeArguments()[1];
            if (!node.isObject()) {
                problems.add(path + ": expected a mapping, got " + describe(node));
                return null;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Object v = convert(value, e.getValue(), null, path + "." + e.getKey(), problems, written);
                if (v != null) {
                    out.put(e.getKey(), v);
                }
            }
            return java.util.Collections.unmodifiableMap(out);
        }
        if (!node.isValueNode()) {
            problems.add(path + ": expected " + expected(raw) + ", got " + describe(node));
            return null;
        }
        String text = node.asText();
        try {
            if (raw == String.class) {
                return text;
            }
            if (raw == boolean.class || raw == Boolean.class) {
                if (node.isBoolean()) {
                    return node.booleanValue();
                }
                return switch (text.toLowerCase(Locale.ROOT)) {
                    case "true", "yes", "on" -> true;
                    case "false", "no", "off" -> false;
                    default -> throw new IllegalArgumentException("expected true or false, got \"" + text + "\"");
                };
            }
            if (raw == int.class || raw == Integer.class) {
                return Integer.parseInt(text.trim().replace("_", ""));
            }
            if (raw == long.class || raw == Long.class) {
                return Long.parseLong(text.trim().replace("_", ""));
            }
            if (raw == double.class || raw == Double.class) {
                return Double.parseDouble(text.trim());
            }
            if (raw == Duration.class) {
                return Durations.parse(text);
            }
            if (raw == Path.class) {
                return Path.of(text);
            }
            if (raw.isEnum()) {
                for (Object constant : raw.getEnumConstants()) {
                    if (((Enum<?>) constant).name().equalsIgnoreCase(text.trim().replace('-', '_'))) {
                        return constant;
                    }
                }
                throw new IllegalArgumentException("expected " + expected(raw) + ", got \"" + text + "\"");
            }
            if (hasParse(raw)) {
                try {
                    return raw.getMethod("parse", String.class).invoke(null, text);
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof IllegalArgumentException iae) {
                        throw iae;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } catch (NumberFormatException e) {
            problems.add(path + ": expected " + expected(raw) + ", got \"" + text + "\"");
            return null;
        } catch (IllegalArgumentException e) {
            problems.add(path + ": " + e.getMessage());
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("config type not supported: " + generic + " at " + path);
    }

    private static boolean hasParse(Class<?> raw) {
        try {
            Method m = raw.getMethod("parse", String.class);
            return Modifier.isStatic(m.getModifiers()) && raw.isAssignableFrom(m.getReturnType());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static String expected(Class<?> raw) {
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            return "a whole number";
        }
        if (raw == double.class || raw == Double.class) {
            return "a number";
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return "true or false";
        }
        if (raw == Duration.class) {
            return Durations.EXPECTED;
        }
        if (raw == DataSize.class) {
            return DataSize.EXPECTED;
        }
        if (raw.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object c : raw.getEnumConstants()) {
                names.add(((Enum<?>) c).name().toLowerCase(Locale.ROOT));
            }
            return "one of " + String.join(", ", names);
        }
        return "a " + raw.getSimpleName();
    }

    private static Class<?> rawClass(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalStateException("config type not supported: " + t);
    }

    private static String describe(JsonNode node) {
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        return "\"" + node.asText() + "\"";
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String label(String path) {
        return path.isEmpty() ? "" : path + ": ";
    }

    /** Renders a config record back to a YAML-able tree (effective config views, `config check --print`). */
    public static JsonNode toTree(Object value) {
        return toTreeValue(value);
    }

    private static JsonNode toTreeValue(@Nullable Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null) {
            return f.nullNode();
        }
        if (value instanceof Record r && !hasParse(r.getClass())) {
            ObjectNode o = f.objectNode();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                if (c.isAnnotationPresent(NotAKey.class)) {
                    continue;
                }
                try {
                    o.set(keyOf(c.getName()), toTreeValue(c.getAccessor().invoke(r)));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return o;
        }
        if (value instanceof List<?> l) {
            var a = f.arrayNode();
            l.forEach(v -> a.add(toTreeValue(v)));
            return a;
        }
        if (value instanceof Map<?, ?> m) {
            ObjectNode o = f.objectNode();
            m.forEach((k, v) -> o.set(String.valueOf(k), toTreeValue(v)));
            return o;
        }
        if (value instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (value instanceof Integer i) {
            return f.numberNode(i);
        }
        if (value instanceof Long l) {
            return f.numberNode(l);
        }
        if (value instanceof Double d) {
            return f.numberNode(d);
        }
        if (value instanceof Duration d) {
            return f.textNode(Durations.format(d));
        }
        if (value instanceof Enum<?> e) {
            return f.textNode(e.name().toLowerCase(Locale.ROOT));
        }
        return f.textNode(value.toString());
    }

    /** Writes a tree as YAML text. */
    public static String toYaml(JsonNode tree) {
        try {
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
