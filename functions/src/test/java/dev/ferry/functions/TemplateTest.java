package dev.ferry.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.aws.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** template.yaml against the code it deploys. */
class TemplateTest {
    private final JsonNode template = Repo.template();

    @Test
    void everyHandler_isAClassImplementingRequestHandler() throws Exception {
        Map<String, String> handlers = handlers();

        assertThat(handlers).containsOnlyKeys("ApiFunction", "JanitorFunction", "ScheduleFunction", "EcsDispatchFunction",
                "EcsEventsFunction", "AutomationsFunction");
        for (Map.Entry<String, String> entry : handlers.entrySet()) {
            String[] parts = entry.getValue().split("::");
            assertThat(parts).as("%s's Handler '%s' must be class::method", entry.getKey(), entry.getValue()).hasSize(2);
            Class<?> type = Class.forName(parts[0]);
            assertThat(RequestHandler.class).as(entry.getValue()).isAssignableFrom(type);
            assertThat(type.getMethod(parts[1], Object.class, Context.class)).as(entry.getValue()).isNotNull();
            // Lambda instantiates the handler with its no-arg constructor
            assertThat(type.getConstructor()).as(entry.getValue()).isNotNull();
        }
    }

    @Test
    void everyVariableConfigReads_isSetByTheTemplate_orByLambda() {
        Set<String> set = new TreeSet<>();
        template.path("Globals").path("Function").path("Environment").path("Variables").fieldNames().forEachRemaining(set::add);
        functions().values().forEach(f -> f.path("Properties").path("Environment").path("Variables").fieldNames()
                .forEachRemaining(set::add));

        Set<String> needed = new TreeSet<>(Config.VARIABLES);
        needed.removeAll(Config.SET_BY_LAMBDA);

        assertThat(set).containsAll(needed);
        assertThat(set).as("Lambda refuses templates that set its reserved variables").doesNotContainAnyElementsOf(Config.SET_BY_LAMBDA);
    }

    @Test
    void functions_runThePackagedJar_withSnapStart_onArm64() {
        JsonNode globals = template.path("Globals").path("Function");

        assertThat(globals.path("Runtime").asText()).isEqualTo("java21");
        assertThat(globals.path("Architectures").get(0).asText()).isEqualTo("arm64");
        assertThat(globals.path("SnapStart").path("ApplyOn").asText()).isEqualTo("PublishedVersions");
        assertThat(globals.path("AutoPublishAlias").asText()).isNotBlank();
        functions().forEach((name, f) -> {
            assertThat(f.path("Properties").path("CodeUri").asText()).as(name).isEqualTo(".");
            // sam build builds from source: a skipped build deploys whatever jar happens to lie there
            assertThat(f.path("Metadata").path("SkipBuild").asBoolean(false)).as(name).isFalse();
            assertThat(f.path("Metadata").path("BuildMethod").asText()).as(name).isEqualTo("makefile");
        });
    }

    @Test
    void theMakefile_buildsEveryFunctionFromSource_intoItsArtifact() throws Exception {
        Set<String> targets = new TreeSet<>();
        String makefile = Files.readString(Repo.root().resolve("Makefile"));
        Matcher rule = Pattern.compile("(?m)^((?:build-\\w+ ?)+): jar$").matcher(makefile);
        while (rule.find()) for (String t : rule.group(1).trim().split(" ")) targets.add(t.substring("build-".length()));

        assertThat(targets).isEqualTo(new TreeSet<>(functions().keySet()));
        assertThat(makefile).contains("package -pl functions -am -DskipTests")
                .contains("cp functions/target/ferry-functions.jar \"$(ARTIFACTS_DIR)/lib/\"");
    }

    @Test
    void everyFunction_hasASampleEvent_andEveryEvent_aFunction() {
        Set<String> withEvents = new TreeSet<>();
        for (Path event : Repo.events()) {
            String function = Repo.functionOf(event, functions().keySet());
            assertThat(function).as("events/%s is named after no function of template.yaml", event.getFileName()).isNotNull();
            withEvents.add(function);
        }

        assertThat(withEvents).isEqualTo(functions().keySet());
    }

    /**
     * Each stops runs' ECS tasks: the API and the schedule (overlap cancel_other) on cancelling, the
     * others when they reconcile. A refused StopTask is taken for a task already gone, and never retried.
     */
    @Test
    void everyFunction_mayStopEcsTasks() {
        functions().forEach((name, f) -> {
            List<String> policies = new ArrayList<>();
            f.path("Properties").path("Policies").forEach(p -> policies.add(p.asText()));
            assertThat(policies).as(name).contains("EcsControlPolicy");
        });
    }

    @Test
    void apiFunction_servesBothRouteFamilies() {
        JsonNode events = functions().get("ApiFunction").path("Properties").path("Events");
        Set<String> paths = new TreeSet<>();
        events.forEach(e -> {
            assertThat(e.path("Type").asText()).isEqualTo("HttpApi");
            paths.add(e.path("Properties").path("Path").asText());
        });

        assertThat(paths).containsExactly("/", "/api/{proxy+}", "/hooks/{slug}", "/{proxy+}");
        // webhooks' addresses have a route of their own, so their throttling is their own
        assertThat(template.at("/Resources/HttpApi/Properties/RouteSettings").has("POST /hooks/{slug}")).isTrue();
    }

    @Test
    void theTableHasTtlAndPointInTimeRecovery_andIsOnDemand() {
        JsonNode table = template.path("Resources").path("Table").path("Properties");

        assertThat(table.path("BillingMode").asText()).isEqualTo("PAY_PER_REQUEST");
        assertThat(table.path("PointInTimeRecoverySpecification").path("PointInTimeRecoveryEnabled").asBoolean()).isTrue();
        assertThat(table.path("TimeToLiveSpecification").path("AttributeName").asText()).isEqualTo("ttl");
        // the automations function reads new event items from the table's stream
        assertThat(table.at("/StreamSpecification/StreamViewType").asText()).isEqualTo("NEW_IMAGE");
    }

    private Map<String, JsonNode> functions() {
        Map<String, JsonNode> functions = new LinkedHashMap<>();
        template.path("Resources").fields().forEachRemaining(e -> {
            if ("AWS::Serverless::Function".equals(e.getValue().path("Type").asText())) functions.put(e.getKey(), e.getValue());
        });
        return functions;
    }

    private Map<String, String> handlers() {
        String global = template.path("Globals").path("Function").path("Handler").asText(null);
        Map<String, String> handlers = new LinkedHashMap<>();
        functions().forEach((name, f) -> handlers.put(name, f.path("Properties").path("Handler").asText(global)));
        return handlers;
    }
}
