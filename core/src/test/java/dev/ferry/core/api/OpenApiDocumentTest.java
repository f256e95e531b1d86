package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.ferry.core.Ferry;
import dev.ferry.core.Ports;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.automations.Automation;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Names;
import dev.ferry.core.deployments.CollisionStrategy;
import dev.ferry.core.deployments.Overlap;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.EventService;
import dev.ferry.core.events.NewEvent;
import dev.ferry.core.pools.BaseJobTemplates;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.pools.Readiness;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.Worker;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.State;
import dev.ferry.core.runs.StateType;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Keeps the hand-written OpenAPI document ({@code openapi.json} beside the router) true to the
 * server: the same operations as {@link Router#routes()}, request bodies equal to the records the
 * routes read, resource schemas equal to the records they serialize, valid JSON schemas throughout.
 */
class OpenApiDocumentTest {
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    /** Operations that read a {@link Bodies} record, and the record. */
    private static final Map<String, Class<?>> RECORD_BODIES = Map.ofEntries(
            Map.entry("POST /api/work_pools", Bodies.CreatePool.class),
            Map.entry("POST /api/work_pools/{pool}/queues", Bodies.CreateQueue.class),
            Map.entry("POST /api/work_pools/{pool}/workers/heartbeat", Bodies.Heartbeat.class),
            Map.entry("POST /api/work_pools/{pool}/get_scheduled_flow_runs", Bodies.GetScheduledRuns.class),
            Map.entry("POST /api/deployments", Bodies.Deploy.class),
            Map.entry("POST /api/deployments/{id}/create_flow_run", Bodies.CreateRun.class),
            Map.entry("POST /api/deployments/{id}/pause", Bodies.Pause.class),
            Map.entry("POST /api/deployments/{id}/backfill", Bodies.Backfill.class),
            Map.entry("POST /api/flow_runs/{id}/set_state", Bodies.SetState.class),
            Map.entry("POST /api/flow_runs/{id}/logs", Bodies.Logs.class),
            Map.entry("POST /api/api_keys", Bodies.CreateApiKey.class),
            Map.entry("POST /api/automations", Bodies.CreateAutomation.class),
            Map.entry("POST /api/webhooks", Bodies.CreateWebhook.class),
            Map.entry("POST /api/webhooks/{id}/rotate", Bodies.Rotate.class),
            Map.entry("POST /api/webhooks/{id}/test", Bodies.WebhookSample.class));

    /** Operations whose body is one schedule, read by {@code ScheduleParser} (which names the accepted fields). */
    private static final Set<String> SCHEDULE_BODIES = Set.of(
            "POST /api/deployments/{id}/schedules", "PATCH /api/deployments/{id}/schedules/{slug}");

    /** PATCH operations read their body with {@link Patch} (null differs from absent) instead of a record. */
    private static final Map<String, String> PATCH_BODIES = Map.of(
            "PATCH /api/work_pools/{pool}", "UpdatePool",
            "PATCH /api/work_pools/{pool}/queues/{queue}", "UpdateQueue",
            "PATCH /api/deployments/{id}", "UpdateDeployment",
            "PATCH /api/automations/{id}", "UpdateAutomation",
            "PATCH /api/webhooks/{id}", "UpdateWebhook");

    /** The document and the routes asked here reach no adapter. */
    private static final Ports NO_ADAPTERS = new Ports(null, null, null, null, null, null, null, null, null, null, null);

    private final Router router = new Router(Ferry.wire(NO_ADAPTERS, Clock.SYSTEM, Ids.RANDOM), Clock.SYSTEM, ApiKeyService.bootstrapOnly(BootstrapKey.none()));
    private final JsonNode doc = load();

    // --- the operations ---

    @Test
    void header_namesTheApiAndItsVersion() {
        assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(doc.at("/info/title").asText()).isEqualTo("Ferry API");
        assertThat(doc.at("/info/version").asText()).isEqualTo(Ferry.VERSION);
    }

    @Test
    void operations_areExactlyTheRoutes() {
        Set<String> routes = router.routes().stream().map(r -> r.method() + " " + r.path())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(new TreeSet<>(operations().keySet()))
                .as("documented operations vs Router.routes()")
                .isEqualTo(routes);
    }

    @Test
    void everyOperation_hasAUniqueOperationIdAndDocumentedResponses() {
        Set<String> ids = new HashSet<>();
        operations().forEach((key, op) -> {
            String id = op.path("operationId").asText("");
            assertThat(id).as("operationId of %s", key).isNotBlank();
            assertThat(ids.add(id)).as("operationId %s is unique", id).isTrue();
            assertThat(op.path("summary").asText("")).as("summary of %s", key).isNotBlank();
            assertThat(op.path("responses").size()).as("responses of %s", key).isPositive();
            boolean success = false;
            for (Iterator<String> it = op.path("responses").fieldNames(); it.hasNext(); ) {
                String code = it.next();
                if (code.startsWith("2")) success = true;
            }
            assertThat(success).as("%s documents a success response", key).isTrue();
        });
    }

    @Test
    void everyPathParameter_isDeclared() {
        doc.path("paths").fields().forEachRemaining(path -> {
            Set<String> inTemplate = new TreeSet<>();
            Matcher m = PATH_PARAM.matcher(path.getKey());
            while (m.find()) inTemplate.add(m.group(1));
            path.getValue().fields().forEachRemaining(entry -> {
                if (!HTTP_METHODS.contains(entry.getKey())) return;
                Set<String> declared = new TreeSet<>();
                List<JsonNode> params = new ArrayList<>();
                path.getValue().path("parameters").forEach(params::add);
                entry.getValue().path("parameters").forEach(params::add);
                for (JsonNode p : params) {
                    JsonNode param = deref(p);
                    assertThat(param.path("name").asText("")).as("a parameter of %s", path.getKey()).isNotBlank();
                    assertThat(param.path("in").asText()).isIn("path", "query", "header", "cookie");
                    if ("path".equals(param.path("in").asText())) {
                        assertThat(param.path("required").asBoolean()).as("path parameter %s is required", param).isTrue();
                        declared.add(param.path("name").asText());
                    }
                }
                assertThat(declared).as("path parameters of %s %s", entry.getKey(), path.getKey()).isEqualTo(inTemplate);
            });
        });
    }

    @Test
    void everyRef_resolves_andEverySchemaIsUsed() {
        Set<String> refs = new TreeSet<>();
        walk(doc, node -> {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual()) refs.add(ref.asText());
        });
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).as("local reference").startsWith("#/");
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as("%s resolves", ref).isFalse();
        }
        doc.at("/components/schemas").fieldNames().forEachRemaining(name ->
                assertThat(refs).as("schema %s is referenced", name).contains("#/components/schemas/" + name));
    }

    @Test
    void document_isServedByTheRouter() throws IOException {
        ApiResponse response = router.handle(new ApiRequest("GET", "/api/openapi.json", Map.of(), Map.of(), new byte[0]));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers()).containsEntry("Content-Type", ApiResponse.JSON);
        assertThat(Json.MAPPER.readTree(response.body())).isEqualTo(doc);
    }

    // --- security ---

    @Test
    void bearerSecurity_appliesToAllButHealth() {
        assertThat(doc.at("/components/securitySchemes/bearer/type").asText()).isEqualTo("http");
        assertThat(doc.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
        assertThat(doc.path("security").toString()).isEqualTo("[{\"bearer\":[]}]");
        operations().forEach((key, op) -> {
            if (key.equals("GET /api/health")) {
                assertThat(op.path("security").toString()).isEqualTo("[]");
                assertThat(op.path("responses").has("401")).isFalse();
            } else if (key.equals("POST /hooks/{slug}")) {
                // no API key: a webhook's slug and signature guard it, and a bad signature is a 401
                assertThat(op.path("security").toString()).isEqualTo("[]");
                assertThat(op.path("responses").has("401")).isTrue();
            } else {
                assertThat(op.has("security")).as("%s keeps the document's security", key).isFalse();
                assertThat(op.path("responses").has("401")).as("%s documents 401", key).isTrue();
            }
        });
    }

    @Test
    void serverWithAKey_refusesEveryRouteButHealth_withADocumentedProblem() {
        Router locked = new Router(Ferry.wire(NO_ADAPTERS, Clock.SYSTEM, Ids.RANDOM), Clock.SYSTEM, ApiKeyService.bootstrapOnly(BootstrapKey.ofKey("sesame")));
        Schema problem = compile("Problem");
        for (Route route : locked.routes()) {
            ApiResponse response = locked.handle(new ApiRequest(route.method(), concrete(route.path()), Map.of(), Map.of(),
                    new byte[0]));
            if (route.path().equals("/api/health")) {
                assertThat(response.status()).isEqualTo(200);
                assertThat(validate(compile("Health"), body(response))).isEmpty();
            } else if (route.path().startsWith("/hooks/")) {
                continue; // public by design: WebhooksContract proves what it answers
            } else {
                assertThat(response.status()).as("%s %s without a key", route.method(), route.path()).isEqualTo(401);
                assertThat(validate(problem, body(response))).isEmpty();
            }
        }
    }

    // --- request bodies ---

    @Test
    void recordBodies_areDocumentedFieldForField() {
        List<Class<?>> records = Arrays.stream(Bodies.class.getDeclaredClasses()).filter(Class::isRecord).toList();
        assertThat(records).isNotEmpty();
        for (Class<?> record : records) {
            JsonNode schema = doc.at("/components/schemas/" + record.getSimpleName());
            assertThat(schema.isMissingNode()).as("schema %s for Bodies.%s", record.getSimpleName(), record.getSimpleName()).isFalse();
            assertThat(schema.path("additionalProperties").isBoolean() && !schema.path("additionalProperties").asBoolean())
                    .as("%s has additionalProperties: false (unknown fields are refused)", record.getSimpleName()).isTrue();
            Map<String, RecordComponent> fields = new LinkedHashMap<>();
            for (RecordComponent c : record.getRecordComponents()) fields.put(snake(c.getName()), c);
            assertThat(fieldNames(schema.path("properties")))
                    .as("properties of %s vs the fields of Bodies.%s", record.getSimpleName(), record.getSimpleName())
                    .isEqualTo(new TreeSet<>(fields.keySet()));
            assertThat(fields.keySet()).as("required fields of %s", record.getSimpleName())
                    .containsAll(texts(schema.path("required")));
            fields.forEach((field, component) -> assertTypeMatches(record.getSimpleName() + "." + field,
                    schema.path("properties").path(field), component.getType(), component.getGenericType()));
        }
    }

    @Test
    void recordBodies_areTheRequestBodiesOfTheirOperations() {
        Map<String, JsonNode> ops = operations();
        RECORD_BODIES.forEach((key, record) -> {
            JsonNode body = ops.get(key).at("/requestBody/content/application~1json/schema/$ref");
            assertThat(body.asText()).as("request body of %s", key).isEqualTo("#/components/schemas/" + record.getSimpleName());
        });
        assertThat(ops.get("POST /api/deployments/{id}/create_flow_run").at("/requestBody/required").asBoolean())
                .as("create_flow_run takes an empty body").isFalse();
        assertThat(ops.get("POST /api/deployments/{id}/pause").at("/requestBody/required").asBoolean())
                .as("pause takes an empty body").isFalse();
        Set<String> withBodies = new TreeSet<>();
        ops.forEach((key, op) -> {
            if (op.has("requestBody")) withBodies.add(key);
        });
        Set<String> covered = new TreeSet<>(RECORD_BODIES.keySet());
        covered.addAll(PATCH_BODIES.keySet());
        covered.addAll(SCHEDULE_BODIES);
        covered.add("POST /api/events");
        covered.add("POST /api/flow_runs/{id}/events");
        covered.add("POST /hooks/{slug}");
        assertThat(withBodies).as("every documented request body is checked against the server").isEqualTo(covered);
    }

    @Test
    void aRunsEventBatches_areTheSameEvents_whoseResourceMayBeLeftOut() {
        JsonNode body = operations().get("POST /api/flow_runs/{id}/events").at("/requestBody/content/application~1json/schema");
        assertThat(body.path("maxItems").asInt()).isEqualTo(EventService.MAX_BATCH);
        assertThat(body.at("/items/$ref").asText()).isEqualTo("#/components/schemas/RunEvent");
        JsonNode runEvent = doc.at("/components/schemas/RunEvent");
        assertThat(runEvent.path("properties")).isEqualTo(doc.at("/components/schemas/NewEvent/properties"));
        assertThat(texts(runEvent.path("required"))).containsExactly("event");
    }

    @Test
    void eventBatches_areArraysOfNewEvents_documentedFieldForField() {
        JsonNode body = operations().get("POST /api/events").at("/requestBody/content/application~1json/schema");
        assertThat(body.path("type").asText()).isEqualTo("array");
        assertThat(body.path("maxItems").asInt()).isEqualTo(EventService.MAX_BATCH);
        assertThat(body.at("/items/$ref").asText()).isEqualTo("#/components/schemas/NewEvent");
        JsonNode schema = doc.at("/components/schemas/NewEvent");
        Set<String> fields = Arrays.stream(NewEvent.class.getRecordComponents()).map(c -> snake(c.getName()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(fieldNames(schema.path("properties"))).isEqualTo(fields);
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(schema.at("/properties/event/maxLength").asInt()).isEqualTo(EventService.MAX_NAME_LENGTH);
        assertThat(schema.at("/properties/related/maxItems").asInt()).isEqualTo(EventService.MAX_RELATED);
    }

    @Test
    void scheduleBodies_acceptExactlyTheDocumentedFields() {
        for (String key : SCHEDULE_BODIES) {
            assertThat(operations().get(key).at("/requestBody/content/application~1json/schema/$ref").asText())
                    .isEqualTo("#/components/schemas/Schedule");
        }
        assertThat(fieldNames(doc.at("/components/schemas/Schedule/properties")))
                .isEqualTo(new TreeSet<>(dev.ferry.core.schedules.ScheduleParser.FIELDS));
    }

    @Test
    void patchBodies_acceptExactlyTheDocumentedFields() {
        Map<String, JsonNode> ops = operations();
        PATCH_BODIES.forEach((key, schemaName) -> {
            JsonNode op = ops.get(key);
            assertThat(op.at("/requestBody/content/application~1json/schema/$ref").asText())
                    .isEqualTo("#/components/schemas/" + schemaName);
            JsonNode schema = doc.at("/components/schemas/" + schemaName);
            assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
            // The route names the fields it accepts when it refuses an unknown one (before touching any service).
            String path = key.substring(key.indexOf(' ') + 1);
            ApiResponse response = router.handle(new ApiRequest("PATCH", concrete(path), Map.of(),
                    Map.of("content-type", "application/json"), "{\"no_such_field\": 1}".getBytes(StandardCharsets.UTF_8)));
            assertThat(response.status()).isEqualTo(400);
            String detail = body(response).path("detail").asText();
            assertThat(detail).contains("accepted: ");
            Set<String> accepted = Arrays.stream(detail.substring(detail.indexOf("accepted: ") + 10).split(","))
                    .map(String::strip).collect(Collectors.toCollection(TreeSet::new));
            assertThat(fieldNames(schema.path("properties"))).as("properties of %s vs what %s accepts", schemaName, key)
                    .isEqualTo(accepted);
        });
    }

    // --- resources ---

    @Test
    void resourceSchemas_matchTheSerializedRecords() {
        assertResource("WorkPool", WorkPool.class, node -> node.put("status", Readiness.READY.name()));
        assertResource("Event", Event.class, node -> {}, Set.of("follows"));
        assertResource("Automation", Automation.class, node -> {});
        assertResource("WorkQueue", WorkQueue.class, node -> {
            node.remove("pool_id");
            node.put("status", Readiness.NOT_READY.name());
        });
        assertResource("Worker", Worker.class, node -> {
            node.remove("pool_id");
            node.remove("registered_by");
            node.put("status", Worker.Status.ONLINE.name());
        });
        assertResource("Deployment", DeploymentView.class, node -> {});
        assertResource("FlowRun", FlowRunView.class, node -> {}, Set.of("state_history"));
        assertResource("State", State.class, node -> {});
        assertResource("LogLine", LogLine.class, node -> {});
        assertResource("Claim", ClaimView.class, node -> {});
        assertResource("ApiKey", dev.ferry.core.auth.ApiKeyRecord.class, node -> node.remove("hash"));
    }

    @Test
    void schemaValidation_isNotVacuous() {
        ObjectNode pool = (ObjectNode) Json.MAPPER.valueToTree(sample(WorkPool.class, WorkPool.class, "value"));
        pool.put("status", "READY");
        Schema schema = compile("WorkPool");
        assertThat(validate(schema, pool)).isEmpty();
        assertThat(validate(schema, pool.deepCopy().put("is_paused", "yes"))).isNotEmpty();
        assertThat(validate(schema, pool.deepCopy().put("status", "BUSY"))).isNotEmpty();
        assertThat(validate(schema, pool.deepCopy().put("concurrency_limit", -1))).isNotEmpty();
        assertThat(validate(compile("CreatePool"), Json.tree("{\"name\": \"p\", \"type\": \"process\", \"extra\": 1}")))
                .isNotEmpty();
        assertThat(validate(compile("GetScheduledRuns"), Json.tree("{\"worker_name\": \"w\", \"wait_seconds\": 21}")))
                .isNotEmpty();
    }

    @Test
    void defaultBaseJobTemplates_matchTheirSchema() {
        for (PoolType type : PoolType.values()) {
            ApiResponse response = router.handle(new ApiRequest("GET", "/api/work_pool_types/" + type.wire()
                    + "/base_job_template", Map.of(), Map.of(), new byte[0]));
            assertThat(response.status()).isEqualTo(200);
            assertThat(validate(compile("BaseJobTemplate"), body(response))).as("default template of %s", type).isEmpty();
        }
    }

    @Test
    void enums_matchTheirJavaTypes() {
        assertThat(texts(doc.at("/components/schemas/StateType/enum"))).isEqualTo(wire(StateType.values()));
        assertThat(texts(doc.at("/components/schemas/PoolType/enum"))).isEqualTo(wire(PoolType.values()));
        assertThat(texts(doc.at("/components/schemas/CollisionStrategy/enum"))).isEqualTo(wire(CollisionStrategy.values()));
        assertThat(texts(doc.at("/components/schemas/Readiness/enum"))).isEqualTo(wire(Readiness.values()));
        assertThat(texts(doc.at("/components/schemas/Overlap/enum"))).isEqualTo(wire(Overlap.values()));
        assertThat(texts(doc.at("/components/schemas/Worker/properties/status/enum"))).isEqualTo(wire(Worker.Status.values()));
    }

    @Test
    void nameSchema_agreesWithNamesCheck() {
        Schema name = compile("Name");
        List<String> samples = List.of("my-pool", "Nightly ETL", "ünïcode", "a", "x".repeat(100), "x".repeat(101), "",
                " ", "a/b", "per%cent", "tab\tname", " lead", "trail ", "bell\u0007", "del\u007f");
        for (String sample : samples) {
            boolean accepted;
            try {
                Names.check("name", sample);
                accepted = true;
            } catch (BadInput e) {
                accepted = false;
            }
            assertThat(validate(name, TextNode.valueOf(sample)).isEmpty()).as("Name schema on '%s'", sample).isEqualTo(accepted);
        }
    }

    // --- the schemas themselves ---

    @Test
    void everyComponentSchema_compiles() {
        doc.at("/components/schemas").fieldNames().forEachRemaining(name ->
                assertThatCode(() -> compile(name)).as("schema %s", name).doesNotThrowAnyException());
    }

    @Test
    void errorResponses_referenceTheProblemSchema() {
        doc.at("/components/responses").fields().forEachRemaining(e -> {
            JsonNode schema = e.getValue().at("/content/application~1problem+json/schema");
            assertThat(schema.isMissingNode()).as("%s is a problem response", e.getKey()).isFalse();
            assertThat(schema.path("$ref").asText()).isIn("#/components/schemas/Problem", "#/components/schemas/TransitionProblem");
        });
        operations().forEach((key, op) -> op.path("responses").fields().forEachRemaining(r -> {
            if (r.getKey().startsWith("4")) {
                assertThat(r.getValue().path("$ref").asText()).as("%s response %s", key, r.getKey()).startsWith("#/components/responses/");
            }
        }));
        ApiResponse notFound = router.handle(new ApiRequest("GET", "/api/no_such_thing", Map.of(), Map.of(), new byte[0]));
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(validate(compile("Problem"), body(notFound))).isEmpty();
        assertThat(fieldNames(doc.at("/components/schemas/Problem/properties")))
                .containsExactlyInAnyOrder("type", "title", "status", "detail", "field");
    }

    // --- helpers ---

    private void assertResource(String schemaName, Class<?> record, Consumer<ObjectNode> asServed) {
        assertResource(schemaName, record, asServed, Set.of());
    }

    /** @param leftOut fields some answers leave out (a list's runs have no history), so not required */
    private void assertResource(String schemaName, Class<?> record, Consumer<ObjectNode> asServed, Set<String> leftOut) {
        ObjectNode served = (ObjectNode) Json.MAPPER.valueToTree(sample(record, record, "value"));
        asServed.accept(served);
        JsonNode schema = doc.at("/components/schemas/" + schemaName);
        assertThat(fieldNames(schema.path("properties"))).as("properties of %s vs what the server sends", schemaName)
                .isEqualTo(fieldNames(served));
        Set<String> always = new TreeSet<>(fieldNames(served));
        always.removeAll(leftOut);
        assertThat(new TreeSet<>(texts(schema.path("required")))).as("every field of %s is always sent", schemaName)
                .isEqualTo(always);
        assertThat(validate(compile(schemaName), served)).as("a served %s validates", schemaName).isEmpty();
    }

    /** The JSON type(s) a record component must be documented with. */
    private void assertTypeMatches(String where, JsonNode property, Class<?> type, Type generic) {
        JsonNode schema = resolve(property);
        Set<String> types = new TreeSet<>(texts(schema.path("type")));
        if (type.isEnum()) {
            assertThat(texts(schema.path("enum"))).as("%s enum", where).isEqualTo(wire(type.getEnumConstants()));
            return;
        }
        String expected;
        if (type == String.class) expected = "string";
        else if (type == Integer.class || type == int.class || type == Long.class || type == long.class) expected = "integer";
        else if (type == Boolean.class || type == boolean.class) expected = "boolean";
        else if (type == Instant.class) expected = "string";
        else if (ObjectNode.class.isAssignableFrom(type) || type.isRecord()) expected = "object";
        else if (List.class.isAssignableFrom(type)) expected = "array";
        else if (Map.class.isAssignableFrom(type)) expected = "object";
        else throw new AssertionError(where + ": no JSON type known for " + type);
        assertThat(types).as("%s type", where).contains(expected);
        if (type == Instant.class) assertThat(schema.path("format").asText()).as("%s format", where).isEqualTo("date-time");
        if (type.isRecord()) {
            assertThat(property.path("$ref").asText()).as("%s refers to the schema of its record", where)
                    .isEqualTo("#/components/schemas/" + type.getSimpleName());
        }
        if (List.class.isAssignableFrom(type) && generic instanceof ParameterizedType p
                && p.getActualTypeArguments()[0] instanceof Class<?> element && element != JsonNode.class) {
            assertTypeMatches(where + "[]", schema.path("items"), element, element);
        }
    }

    /** Follows $ref and single-element allOf wrappers (used to attach a description to a reference). */
    private JsonNode resolve(JsonNode schema) {
        for (int i = 0; i < 10; i++) {
            if (schema.has("$ref")) schema = doc.at(schema.get("$ref").asText().substring(1));
            else if (!schema.has("type") && schema.path("allOf").size() == 1) schema = schema.get("allOf").get(0);
            else return schema;
        }
        throw new AssertionError("reference loop at " + schema);
    }

    private JsonNode deref(JsonNode node) {
        return node.has("$ref") ? doc.at(node.get("$ref").asText().substring(1)) : node;
    }

    /** Compiles one component schema in the context of all of them, resolving every reference it makes. */
    private Schema compile(String name) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.putObject("components").set("schemas", doc.at("/components/schemas").deepCopy());
        root.put("$ref", "#/components/schemas/" + name);
        Schema schema = SCHEMAS.getSchema(root);
        schema.initializeValidators();
        return schema;
    }

    private static List<String> validate(Schema schema, JsonNode value) {
        return schema.validate(value).stream().map(Error::toString).toList();
    }

    /** A value of {@code type} with every field filled in, so the served JSON shows every field's type. */
    private static Object sample(Class<?> type, Type generic, String field) {
        if (type == String.class) return field.equals("stream") ? "stdout" : "x";
        if (type == int.class || type == Integer.class) return 1;
        if (type == long.class || type == Long.class) return 1L;
        if (type == boolean.class || type == Boolean.class) return true;
        if (type == Instant.class) return Instant.parse("2026-01-31T12:00:00Z");
        if (field.equals("base_job_template")) return BaseJobTemplates.defaultFor(PoolType.PROCESS);
        if (field.equals("schedules")) return List.of(Json.tree("{\"slug\": \"nightly\", \"cron\": \"0 2 * * *\"}"));
        if (JsonNode.class.isAssignableFrom(type)) return JsonNodeFactory.instance.objectNode().put("key", "value");
        if (type.isEnum()) return type.getEnumConstants()[0];
        if (field.equals("labels")) return Map.of("ferry.resource.id", "x", "ferry.resource.role", "x");
        if (List.class.isAssignableFrom(type)) {
            Type element = generic instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            return element instanceof Class<?> c ? List.of(sample(c, c, field)) : List.of();
        }
        if (type.isRecord()) {
            RecordComponent[] components = type.getRecordComponents();
            Object[] args = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                args[i] = sample(types[i], components[i].getGenericType(), snake(components[i].getName()));
            }
            try {
                Constructor<?> constructor = type.getDeclaredConstructor(types);
                constructor.setAccessible(true);
                return constructor.newInstance(args);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("can't build a sample " + type.getSimpleName(), e);
            }
        }
        throw new AssertionError("no sample value for " + type + " (field " + field + ")");
    }

    private Map<String, JsonNode> operations() {
        Map<String, JsonNode> ops = new LinkedHashMap<>();
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(entry -> {
            if (HTTP_METHODS.contains(entry.getKey())) {
                ops.put(entry.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey(), entry.getValue());
            }
        }));
        return ops;
    }

    private static void walk(JsonNode node, Consumer<JsonNode> visit) {
        if (node.isObject()) {
            visit.accept(node);
            node.elements().forEachRemaining(child -> walk(child, visit));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(child -> walk(child, visit));
        }
    }

    private static String concrete(String template) {
        return PATH_PARAM.matcher(template).replaceAll(m -> m.group(1).equals("type") ? "process" : "x");
    }

    private static JsonNode body(ApiResponse response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) out.add(node.asText());
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> wire(Object[] constants) {
        return Arrays.stream(constants).map(c -> Json.MAPPER.valueToTree(c).asText()).toList();
    }

    private static String snake(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) sb.append('_').append(Character.toLowerCase(c));
            else sb.append(c);
        }
        return sb.toString();
    }

    private static JsonNode load() {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("openapi.json")) {
            assertThat(in).as("dev/ferry/core/api/openapi.json on the classpath").isNotNull();
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
