package dev.ferry.core.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.BadInput;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates values against JSON schemas (parameter schemas, job-variable schemas) and turns
 * the first violation into a {@link BadInput} naming the field.
 */
public final class JsonSchemas {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final int CACHE_LIMIT = 512;
    private static final Map<String, Schema> CACHE = new ConcurrentHashMap<>();

    private JsonSchemas() {}

    /** Refuses a schema that can't be compiled, naming {@code field}. */
    public static void checkSchema(String field, JsonNode schema) {
        if (schema == null || schema.isNull()) return;
        if (!schema.isObject()) {
            throw BadInput.invalid(field, "'" + field + "' must be a JSON schema object");
        }
        List<Error> errors = MetaSchema.INSTANCE.validate(schema);
        if (!errors.isEmpty()) {
            Error first = errors.get(0);
            throw BadInput.invalid(field, "'" + field + "' is not a valid JSON schema: " + fieldPath("", first)
                    .replaceFirst("^\\.", "") + " " + describe(first));
        }
        try {
            compile(schema);
        } catch (RuntimeException e) {
            throw BadInput.invalid(field, "'" + field + "' is not a valid JSON schema: " + e.getMessage());
        }
    }

    /** Validates {@code value}; violations are reported as {@code prefix.path}. */
    public static void validate(String prefix, JsonNode schema, JsonNode value) {
        if (schema == null || schema.isNull() || schema.isEmpty()) return;
        List<Error> errors = compile(schema).validate(value);
        if (errors.isEmpty()) return;
        Error first = errors.get(0);
        String path = fieldPath(prefix, first);
        throw BadInput.invalid(path, "'" + path + "' " + describe(first));
    }

    /**
     * The draft 2020-12 meta-schema ships inside the validator's jar (no network access). Loaded
     * on first use only: creating a run never needs it, and a Lambda cold start shouldn't pay for it.
     */
    private static final class MetaSchema {
        static final Schema INSTANCE = REGISTRY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
    }

    private static Schema compile(JsonNode schema) {
        String key = schema.toString();
        Schema compiled = CACHE.get(key);
        if (compiled == null) {
            compiled = REGISTRY.getSchema(schema);
            if (CACHE.size() >= CACHE_LIMIT) CACHE.clear();
            CACHE.put(key, compiled);
        }
        return compiled;
    }

    private static String fieldPath(String prefix, Error error) {
        StringBuilder sb = new StringBuilder(prefix);
        // The location is a JSON pointer ("/items/0/name"); users read dotted paths ("items.0.name").
        String location = error.getInstanceLocation().toString();
        if (location.startsWith("$")) location = location.substring(1);
        for (String part : location.split("[/.]")) {
            if (!part.isEmpty()) sb.append('.').append(part.replace("~1", "/").replace("~0", "~"));
        }
        if (error.getProperty() != null && ("required".equals(error.getKeyword())
                || "additionalProperties".equals(error.getKeyword()))) {
            sb.append('.').append(error.getProperty());
        }
        return sb.toString();
    }

    private static String describe(Error error) {
        String keyword = error.getKeyword();
        if ("required".equals(keyword)) return "is required";
        if ("additionalProperties".equals(keyword)) return "is not accepted here";
        String message = error.getMessage();
        // The library prefixes its messages with the instance location; the field is named already.
        int colon = message.indexOf(": ");
        return colon >= 0 && message.startsWith("$") ? message.substring(colon + 2) : message;
    }
}
