package dev.ferry.core.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.pools.BaseJobTemplates;
import dev.ferry.core.pools.PoolType;
import org.junit.jupiter.api.Test;

class JobTemplateTest {

    private static ObjectNode json(String text) {
        return (ObjectNode) Json.tree(text);
    }

    @Test
    void wholePlaceholder_keepsTheValuesType_andEmbeddedOnesBecomeText() {
        ObjectNode template = json("""
                {"job_configuration": {"timeout": "{{ timeout }}", "env": "{{env}}", "label": "run {{ name }} in {{ missing }}!",
                  "nested": ["{{ timeout }}", 3]}, "variables": {}}""");
        ObjectNode config = JobTemplate.render(template, json("{\"timeout\": 30, \"env\": {\"A\": \"1\"}, \"name\": \"x\"}"));
        assertThat(config.toString()).isEqualTo(
                "{\"timeout\":30,\"env\":{\"A\":\"1\"},\"label\":\"run x in !\",\"nested\":[30,3]}");
    }

    @Test
    void missingVariable_rendersAsNull() {
        ObjectNode config = JobTemplate.render(json("{\"job_configuration\": {\"command\": \"{{ command }}\"}}"), json("{}"));
        assertThat(config.get("command").isNull()).isTrue();
    }

    @Test
    void merge_isDeepForObjects_andReplacesEverythingElse() {
        ObjectNode merged = JobTemplate.merge(json("{\"env\": {\"A\": \"1\", \"B\": \"2\"}, \"cmd\": \"x\", \"list\": [1]}"),
                json("{\"env\": {\"B\": \"3\"}, \"list\": [2]}"));
        assertThat(merged.toString()).isEqualTo("{\"env\":{\"A\":\"1\",\"B\":\"3\"},\"cmd\":\"x\",\"list\":[2]}");
    }

    @Test
    void processTemplate_defaultsRenderToAUsableConfiguration() {
        ObjectNode template = BaseJobTemplates.defaultFor(PoolType.PROCESS);
        ObjectNode config = JobTemplate.render(template, JobTemplate.defaults(template));
        assertThat(config.get("stream_output").asBoolean()).isTrue();
        assertThat(config.get("env").isObject()).isTrue();
        assertThat(config.get("command").isNull()).isTrue();
    }

    @Test
    void jobVariables_areValidatedAgainstThePoolsSchema_namingTheField() {
        ObjectNode template = BaseJobTemplates.defaultFor(PoolType.PROCESS);
        ObjectNode schema = JobTemplate.variablesSchema(template);
        assertThatThrownBy(() -> JsonSchemas.validate("job_variables", schema, json("{\"timeout_seconds\": \"soon\"}")))
                .isInstanceOfSatisfying(BadInput.class, e -> assertThat(e.field()).isEqualTo("job_variables.timeout_seconds"));
        assertThatThrownBy(() -> JsonSchemas.validate("job_variables", schema, json("{\"comand\": \"x\"}")))
                .isInstanceOfSatisfying(BadInput.class, e -> assertThat(e.field()).isEqualTo("job_variables.comand"));
    }

    @Test
    void parameters_missingRequired_namesTheParameter() {
        ObjectNode schema = json("{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\"}}, \"required\": [\"name\"]}");
        assertThatThrownBy(() -> JsonSchemas.validate("parameters", schema, json("{}")))
                .isInstanceOfSatisfying(BadInput.class, e -> {
                    assertThat(e.field()).isEqualTo("parameters.name");
                    assertThat(e.status()).isEqualTo(422);
                });
    }

    @Test
    void ecsTemplate_hasTheVariablesItsDispatcherNeeds() {
        ObjectNode vars = (ObjectNode) JobTemplate.variablesSchema(BaseJobTemplates.defaultFor(PoolType.ECS)).get("properties");
        assertThat(vars.fieldNames()).toIterable().contains("cluster", "image", "cpu", "memory", "subnets", "capacity_fallback");
    }
}
