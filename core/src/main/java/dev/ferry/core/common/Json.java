package dev.ferry.core.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.Collectors;

/** The one JSON mapper configuration: snake_case, strict on input, ISO-8601 instants. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // {"role": 0} must not mean the first role (ADMIN), nor 1.5 the integer 1 (Jackson would cut
            // it down; an integer is written without a fraction, 3.0 included)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // {"name": "a", "name": "b"}: which one a reader took would depend on the reader
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .build();

    static {
        // Jackson turns 5 into "5" for String fields by default; a wrong type must be refused instead.
        MAPPER.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        MAPPER.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private Json() {}

    /** Reads a request body into {@code type}, turning every mapping failure into a {@link BadInput} naming the field. */
    private static final com.fasterxml.jackson.databind.ObjectWriter SORTED =
            MAPPER.writer().with(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public static <T> T read(byte[] body, Class<T> type) {
        if (body == null || body.length == 0) {
            throw BadInput.malformed(null, "request body is empty; expected a JSON object");
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw BadInput.malformed(null, "request body must be a JSON object");
            }
            return value;
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof BadInput bad) throw bad;
            throw BadInput.malformed(path(e), "field '" + path(e) + "' has an invalid value");
        } catch (UnrecognizedPropertyException e) {
            String field = path(e);
            throw BadInput.malformed(field, "unknown field '" + field + "'; accepted: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")));
        } catch (InvalidFormatException e) {
            String field = path(e);
            if (!(e.getValue() instanceof String)) {
                throw BadInput.malformed(field, "field '" + field + "' has the wrong type; expected " + typeName(e.getTargetType()));
            }
            // The JSON type was right but the text is not one we accept: a 422 like any other bad value.
            throw BadInput.invalid(field, "field '" + field + "' has an invalid value '" + e.getValue()
                    + "'; expected " + typeName(e.getTargetType()));
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw BadInput.malformed(field.isEmpty() ? null : field, field.isEmpty()
                    ? "request body must be a JSON object"
                    : "field '" + field + "' has the wrong type; expected " + typeName(e.getTargetType()));
        } catch (JsonProcessingException e) {
            throw BadInput.malformed(null, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** JSON text with object keys sorted at every level: equal content, equal text (for content digests). */
    public static String canonical(Object value) {
        try {
            return SORTED.writeValueAsString(MAPPER.convertValue(value, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serializable as JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static String string(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static <T> T convert(Object value, Class<T> type) {
        return MAPPER.convertValue(value, type);
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) sb.append('.');
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String typeName(Class<?> type) {
        if (type == null) return "another type";
        if (type == String.class) return "a string";
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "an integer";
        if (type == Boolean.class || type == boolean.class) return "a boolean";
        if (type == java.time.Instant.class) return "an ISO-8601 timestamp such as 2026-01-31T12:00:00Z";
        if (type.isEnum()) {
            StringBuilder sb = new StringBuilder("one of ");
            Object[] constants = type.getEnumConstants();
            for (int i = 0; i < constants.length; i++) {
                if (i > 0) sb.append(", ");
                sb.append(constants[i]);
            }
            return sb.toString();
        }
        if (java.util.List.class.isAssignableFrom(type)) return "an array";
        if (java.util.Map.class.isAssignableFrom(type) || JsonNode.class.isAssignableFrom(type)) return "a JSON object";
        return "an object";
    }
}
