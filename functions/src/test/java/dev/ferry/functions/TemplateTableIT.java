package dev.ferry.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.aws.dynamodb.Tables;
import dev.ferry.aws.testing.Emulator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Production's table comes from template.yaml, the tests' and the local {@code --aws} mode's from
 * {@code Tables.create}: the two must be the same table, or the adapter is tested on
 * one layout and deployed on another.
 */
@ExtendWith(Emulator.class)
class TemplateTableIT {

    @Test
    void templateTable_isTheTableCreateTableMakes() {
        Emulator.reset();
        DynamoDbClient dynamoDb = Emulator.dynamoDb();
        Tables.create(dynamoDb, "ferry-template-check");
        TableDescription created = dynamoDb.describeTable(r -> r.tableName("ferry-template-check")).table();
        JsonNode declared = Repo.template().path("Resources").path("Table").path("Properties");

        Map<String, String> declaredAttributes = new TreeMap<>();
        declared.path("AttributeDefinitions").forEach(a ->
                declaredAttributes.put(a.path("AttributeName").asText(), a.path("AttributeType").asText()));
        Map<String, String> createdAttributes = new TreeMap<>();
        created.attributeDefinitions().forEach(a -> createdAttributes.put(a.attributeName(), a.attributeTypeAsString()));
        assertThat(declaredAttributes).isEqualTo(createdAttributes);

        assertThat(keys(declared.path("KeySchema"))).isEqualTo(keys(created.keySchema()));

        Map<String, String> declaredIndexes = new TreeMap<>();
        declared.path("GlobalSecondaryIndexes").forEach(i -> declaredIndexes.put(i.path("IndexName").asText(),
                keys(i.path("KeySchema")) + " " + i.path("Projection").path("ProjectionType").asText()
                        + " " + new TreeSet<>(texts(i.path("Projection").path("NonKeyAttributes")))));
        Map<String, String> createdIndexes = new TreeMap<>();
        for (GlobalSecondaryIndexDescription i : created.globalSecondaryIndexes()) {
            createdIndexes.put(i.indexName(), keys(i.keySchema()) + " " + i.projection().projectionTypeAsString()
                    + " " + new TreeSet<>(i.projection().nonKeyAttributes()));
        }
        assertThat(declaredIndexes).isEqualTo(createdIndexes);

        assertThat(declared.path("BillingMode").asText()).isEqualTo(created.billingModeSummary().billingModeAsString());
        assertThat(declared.path("TimeToLiveSpecification").path("AttributeName").asText()).isEqualTo(dynamoDb
                .describeTimeToLive(r -> r.tableName("ferry-template-check")).timeToLiveDescription().attributeName());
    }

    private static String keys(JsonNode schema) {
        List<String> keys = new ArrayList<>();
        schema.forEach(k -> keys.add(k.path("AttributeName").asText() + ":" + k.path("KeyType").asText()));
        return keys.toString();
    }

    private static String keys(List<KeySchemaElement> schema) {
        return schema.stream().map(k -> k.attributeName() + ":" + k.keyTypeAsString()).toList().toString();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(t -> texts.add(t.asText()));
        return texts;
    }
}
