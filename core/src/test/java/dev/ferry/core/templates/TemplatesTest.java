package dev.ferry.core.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import org.junit.jupiter.api.Test;

class TemplatesTest {
    private static final ObjectNode CONTEXT = (ObjectNode) Json.tree("""
            {"event": {"event": "ferry.flow-run.Completed",
                       "resource": {"ferry.resource.id": "ferry.flow-run.42", "ferry.resource.name": "nightly"},
                       "payload": {"count": 3, "ratio": 0.5, "ok": true, "none": null, "body": {"ref": "refs/heads/main"},
                                   "tags": ["a", "b"], "words": ["b", "a", "c"]}},
             "flow_run": {"name": "brave-otter"}}
            """);

    private static JsonNode render(String template) throws TemplateFailure {
        return JsonTemplate.compile("t", Json.tree(template)).render(CONTEXT);
    }

    private static String text(String source) throws TemplateFailure {
        return JsonTemplate.compile("t", Json.MAPPER.getNodeFactory().textNode(source)).render(CONTEXT).textValue();
    }

    private static TemplateFailure failure(String source) {
        try {
            JsonTemplate.compile("t", Json.MAPPER.getNodeFactory().textNode(source)).render(CONTEXT);
        } catch (TemplateFailure e) {
            assertThat(e.getMessage()).doesNotContain("\tat ", "io.pebbletemplates", "Exception");
            return e;
        }
        throw new AssertionError("rendered: " + source);
    }

    @Test
    void singleExpression_keepsItsJsonType() throws Exception {
        JsonNode out = render("""
                {"n": "{{ event.payload.count }}", "r": "{{event.payload.ratio}}", "b": "{{ event.payload.ok }}",
                 "o": "{{ event.payload.body }}", "a": "{{ event.payload.tags }}", "z": "{{ event.payload.none }}",
                 "s": "{{ flow_run.name }}", "sum": "{{ event.payload.count + 1 }}"}
                """);
        assertThat(out).isEqualTo(Json.tree("""
                {"n": 3, "r": 0.5, "b": true, "o": {"ref": "refs/heads/main"}, "a": ["a", "b"], "z": null,
                 "s": "brave-otter", "sum": 4}
                """));
    }

    @Test
    void mixedString_rendersToAString() throws Exception {
        assertThat(text("count={{ event.payload.count }}")).isEqualTo("count=3");
        assertThat(text(" {{ event.payload.count }}")).isEqualTo(" 3");
        assertThat(text("{{ event.payload.count }}{{ event.payload.count }}")).isEqualTo("33");
        assertThat(text("{% if event.payload.ok %}yes{% else %}no{% endif %}")).isEqualTo("yes");
        assertThat(text("tags: {{ event.payload.tags }}")).isEqualTo("tags: [\"a\",\"b\"]");
    }

    @Test
    void nonTemplateStrings_andKeys_areKeptAsTheyAre() throws Exception {
        JsonNode out = render("""
                {"{{ flow_run.name }}": "plain {# not a comment #} }}", "n": 5, "x": [true, null]}
                """);
        assertThat(out).isEqualTo(Json.tree("""
                {"{{ flow_run.name }}": "plain {# not a comment #} }}", "n": 5, "x": [true, null]}
                """));
    }

    @Test
    void nestedTemplates_renderInPlace_andFailuresNameTheirPath() throws Exception {
        JsonTemplate template = JsonTemplate.compile("actions", Json.tree("""
                [{"parameters": {"branch": "{{ event.payload.body.ref | replace('refs/heads/', '') }}",
                                 "list": ["x", "{{ flow_run.name | upper }}"]}}]
                """));
        assertThat(template.render(CONTEXT)).isEqualTo(Json.tree("""
                [{"parameters": {"branch": "main", "list": ["x", "BRAVE-OTTER"]}}]
                """));

        JsonTemplate broken = JsonTemplate.compile("actions", Json.tree("""
                [{"parameters": {"ok": "{{ flow_run.name }}", "list": ["x", "{{ flow_run.nope }}"]}}]
                """));
        assertThatThrownBy(() -> broken.render(CONTEXT))
                .isInstanceOf(TemplateFailure.class)
                .hasMessageStartingWith("actions[0].parameters.list[1]: ")
                .hasMessageContaining("'nope'")
                .satisfies(e -> assertThat(((TemplateFailure) e).path()).isEqualTo("actions[0].parameters.list[1]"));
    }

    @Test
    void syntaxError_isBadInput_namingTheField() {
        assertThatThrownBy(() -> JsonTemplate.compile("actions[0].parameters", Json.tree("""
                {"branch": "{% if x %}never closed", "other": "{{ fine }}"}
                """)))
                .isInstanceOfSatisfying(BadInput.class, e -> {
                    assertThat(e.field()).isEqualTo("actions[0].parameters.branch");
                    assertThat(e.status()).isEqualTo(422);
                });
        assertThatThrownBy(() -> JsonTemplate.compile("p", Json.tree("{\"a\": [\"{{ 1 + }}\"]}")))
                .isInstanceOfSatisfying(BadInput.class, e -> assertThat(e.field()).isEqualTo("p.a[0]"));
        assertThatThrownBy(() -> JsonTemplate.compile("p", Json.tree("{\"ferry.label\": \"{{ }\"}")))
                .isInstanceOfSatisfying(BadInput.class, e -> assertThat(e.field()).isEqualTo("p['ferry.label']"));
    }

    @Test
    void missingVariables_failNamingWhatIsMissing() {
        assertThat(failure("{{ nope }}").getMessage()).contains("'nope' is not defined").contains("event, flow_run");
        assertThat(failure("{{ event.nope }}").getMessage()).contains("'nope'");
        assertThat(failure("x {{ event.payload.body.nope.deeper }}").getMessage()).contains("'nope'");
        assertThat(failure("{{ event.payload.tags[5] }}").getMessage()).contains("out of range");
    }

    @Test
    void default_coversMissingAndNullValues() throws Exception {
        assertThat(text("{{ event.payload.branch | default('main') }}")).isEqualTo("main");
        assertThat(text("{{ nope | default('main') }}")).isEqualTo("main");
        assertThat(text("{{ event.payload.none | default('main') }}")).isEqualTo("main");
        assertThat(text("{{ event.payload.body.ref | default('main') }}")).isEqualTo("refs/heads/main");
        assertThat(render("{\"n\": \"{{ event.payload.missing | default(7) }}\"}")).isEqualTo(Json.tree("{\"n\": 7}"));
        assertThat(text("{% if event.payload.missing is defined %}a{% else %}b{% endif %}")).isEqualTo("b");
    }

    @Test
    void bracketAccess_readsDottedLabelNames() throws Exception {
        assertThat(text("{{ event.resource['ferry.resource.id'] }}")).isEqualTo("ferry.flow-run.42");
        assertThat(text("run {{ event.resource[\"ferry.resource.name\"] }}")).isEqualTo("run nightly");
        assertThat(text("{{ event.payload.tags[-1] }}")).isEqualTo("b");
    }

    @Test
    void filters_upperLowerDefaultTojson() throws Exception {
        assertThat(text("{{ flow_run.name | upper }}")).isEqualTo("BRAVE-OTTER");
        assertThat(text("{{ 'ABC' | lower }}")).isEqualTo("abc");
        assertThat(text("body={{ event.payload.body | tojson }}")).isEqualTo("body={\"ref\":\"refs/heads/main\"}");
        assertThat(text("{{ event.payload.none | tojson }}")).isEqualTo("null");
        assertThat(text("{{ event.payload.tags | join(',') }}")).isEqualTo("a,b");
        assertThat(text("{% for t in event.payload.tags %}[{{ t }}]{% endfor %}")).isEqualTo("[a][b]");
    }

    @Test
    void sortingFilters_doNotReorderTheContextForLaterStrings() throws Exception {
        JsonNode out = render("""
                ["{{ event.payload.words | sort }}", "{{ event.payload.words }}"]
                """);
        assertThat(out).isEqualTo(Json.tree("[[\"a\", \"b\", \"c\"], [\"b\", \"a\", \"c\"]]"));
    }

    @Test
    void hugeLoops_failFast() {
        for (String source : new String[] {
                "{% for i in range(0, 100000000) %}{% endfor %}",
                "{% for i in 0..100000000 %}{% endfor %}",
                "{% for i in range(0, 5000) %}{% for j in range(0, 5000) %}{% endfor %}{% endfor %}",
                "{% set s = 'ab' %}{% for i in range(0, 9000) %}{% set s = s ~ s %}{% endfor %}{{ s | length }}",
        }) {
            long started = System.nanoTime();
            TemplateFailure e = failure(source);
            assertThat((System.nanoTime() - started) / 1_000_000).as(source).isLessThan(500);
            assertThat(e.getMessage()).containsAnyOf("iterations", "elements", "characters");
        }
    }

    @Test
    void output_isBounded() {
        String big = "{% for i in range(0, 9000) %}0123456789{% endfor %}";
        assertThat(failure(big).getMessage()).contains("longer than 65536 characters");
        assertThatThrownBy(() -> JsonTemplate.compile("t", Json.MAPPER.getNodeFactory()
                .textNode("{{ 'x' }}" + "y".repeat(17 * 1024))))
                .isInstanceOfSatisfying(BadInput.class, e -> assertThat(e.getMessage()).contains("at most 16384"));
    }

    @Test
    void javaMembers_andOtherTemplates_areOutOfReach() {
        assertThat(failure("{{ event.getClass() }}").getMessage()).contains("cannot call methods");
        assertThat(failure("{{ flow_run.name.getClass().getName() }}").getMessage()).contains("cannot call methods");
        assertThat(failure("{{ flow_run.name.bytes }}").getMessage()).contains("has no attribute 'bytes'");
        assertThat(failure("{{ _self.name }}").getMessage()).isNotBlank();
        assertThat(failure("{{ _context.event.getClass() }}").getMessage()).isNotBlank();
        assertThat(failure("x{{ flow_run.name.class }}").getMessage()).contains("no attribute 'class'");
        for (String tag : new String[] {"{% include 'etc/passwd' %}", "{% import 'x' %}", "{% extends 'x' %}",
                "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{{ i18n('x', 'y') }}"}) {
            assertThatThrownBy(() -> {
                JsonTemplate.compile("t", Json.MAPPER.getNodeFactory().textNode(tag)).render(CONTEXT);
            }).as(tag).isInstanceOfAny(BadInput.class, TemplateFailure.class);
        }
    }

    @Test
    void compiledOnce_rendersManyTimes_withTheSameResult() throws Exception {
        JsonTemplate template = JsonTemplate.compile("t", Json.tree("{\"n\": \"{{ event.payload.count * 2 }}\", \"s\": \"{{ flow_run.name }}!\"}"));
        for (int i = 0; i < 1000; i++) {
            assertThat(template.render(CONTEXT)).isEqualTo(Json.tree("{\"n\": 6, \"s\": \"brave-otter!\"}"));
        }
        assertThat(template.source()).isEqualTo(Json.tree("{\"n\": \"{{ event.payload.count * 2 }}\", \"s\": \"{{ flow_run.name }}!\"}"));
    }

    @Test
    void renderErrors_becomeFailures_neverRuntimeExceptions() {
        assertThat(failure("{{ 1 / 0 }}").getMessage()).isNotBlank();
        assertThat(failure("{{ event.payload.words | sort | first | abs }}").getMessage()).isNotBlank();
        assertThat(failure("{{ event.payload.nope | upper }}").getMessage()).contains("'nope'");
    }
}
