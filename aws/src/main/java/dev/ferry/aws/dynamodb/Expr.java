package dev.ferry.aws.dynamodb;

import static dev.ferry.aws.dynamodb.Items.n;
import static dev.ferry.aws.dynamodb.Items.s;

import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A condition expression with its placeholders. */
record Expr(String expression, Map<String, String> names, Map<String, AttributeValue> values) {
    static Expr none() {
        return new Expr(null, Map.of(), Map.of());
    }

    static Expr absent() {
        return new Expr("attribute_not_exists(#pk)", Map.of("#pk", Keys.PK), Map.of());
    }

    static Expr present() {
        return new Expr("attribute_exists(#pk)", Map.of("#pk", Keys.PK), Map.of());
    }

    /** The item exists and is the entity with this id (not another one under the same name). */
    static Expr idIs(String id) {
        return new Expr("#id = :id", Map.of("#id", Items.ID), Map.of(":id", s(id)));
    }

    /**
     * The item exists and still has this revision. Items written before revisions existed
     * have none, and read as revision 0.
     */
    static Expr revision(long revision) {
        if (revision == 0) {
            return new Expr("attribute_exists(#pk) AND attribute_not_exists(#rev)",
                    Map.of("#pk", Keys.PK, "#rev", Items.REVISION), Map.of());
        }
        return new Expr("#rev = :rev", Map.of("#rev", Items.REVISION), Map.of(":rev", n(revision)));
    }

    /** Placeholders of an expression built around this one's. */
    static <K, V> Map<K, V> merge(Map<K, V> a, Map<K, V> b) {
        Map<K, V> merged = new HashMap<>(a);
        merged.putAll(b);
        return merged;
    }

    Expr and(Expr other) {
        return new Expr(expression + " AND " + other.expression, merge(names, other.names), merge(values, other.values));
    }

    boolean isEmpty() {
        return expression == null;
    }
}
