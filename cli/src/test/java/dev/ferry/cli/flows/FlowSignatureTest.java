package dev.ferry.cli.flows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs the real ferry_signature.py, through FlowSignature, on flow files written for each case. */
class FlowSignatureTest {
    private static final String IMPORTS = """
            import datetime as dt
            import typing
            import uuid
            from datetime import date, datetime
            from pathlib import Path
            from typing import Annotated, Any, Dict, List, Literal, Optional, Sequence, Set, Tuple, Union
            """;

    @TempDir
    Path dir;

    static Stream<Arguments> annotations() {
        return Stream.of(
                Arguments.of("int", "{'type':'integer'}"),
                Arguments.of("float", "{'type':'number'}"),
                Arguments.of("str", "{'type':'string'}"),
                Arguments.of("bool", "{'type':'boolean'}"),
                Arguments.of("list", "{'type':'array'}"),
                Arguments.of("List", "{'type':'array'}"),
                Arguments.of("List[int]", "{'type':'array','items':{'type':'integer'}}"),
                Arguments.of("list[str]", "{'type':'array','items':{'type':'string'}}"),
                Arguments.of("typing.List[float]", "{'type':'array','items':{'type':'number'}}"),
                Arguments.of("Sequence[bool]", "{'type':'array','items':{'type':'boolean'}}"),
                Arguments.of("List[List[int]]", "{'type':'array','items':{'type':'array','items':{'type':'integer'}}}"),
                Arguments.of("List[SomeClass]", "{'type':'array'}"),
                Arguments.of("Set[str]", "{'type':'array','uniqueItems':true,'items':{'type':'string'}}"),
                Arguments.of("Tuple[int, ...]", "{'type':'array','items':{'type':'integer'}}"),
                Arguments.of("tuple[int, str]", "{'type':'array','prefixItems':[{'type':'integer'},{'type':'string'}],"
                        + "'minItems':2,'maxItems':2}"),
                Arguments.of("dict", "{'type':'object'}"),
                Arguments.of("Dict", "{'type':'object'}"),
                Arguments.of("Dict[str, int]", "{'type':'object','additionalProperties':{'type':'integer'}}"),
                Arguments.of("dict[str, Any]", "{'type':'object'}"),
                Arguments.of("Optional[int]", "{'anyOf':[{'type':'integer'},{'type':'null'}]}"),
                Arguments.of("typing.Optional[str]", "{'anyOf':[{'type':'string'},{'type':'null'}]}"),
                Arguments.of("int | None", "{'anyOf':[{'type':'integer'},{'type':'null'}]}"),
                Arguments.of("None | str | int", "{'anyOf':[{'type':'null'},{'type':'string'},{'type':'integer'}]}"),
                Arguments.of("Union[int, str]", "{'anyOf':[{'type':'integer'},{'type':'string'}]}"),
                Arguments.of("Union[int, None, str]", "{'anyOf':[{'type':'integer'},{'type':'null'},{'type':'string'}]}"),
                Arguments.of("Optional[Union[int, str]]", "{'anyOf':[{'type':'integer'},{'type':'string'},{'type':'null'}]}"),
                Arguments.of("Optional[List[int]]",
                        "{'anyOf':[{'type':'array','items':{'type':'integer'}},{'type':'null'}]}"),
                Arguments.of("Union[int, SomeClass]", "{}"),
                Arguments.of("Literal['a', 'b']", "{'enum':['a','b']}"),
                Arguments.of("Literal[1, 2, -3]", "{'enum':[1,2,-3]}"),
                Arguments.of("typing.Literal['x']", "{'enum':['x']}"),
                Arguments.of("Optional[Literal['a']]", "{'anyOf':[{'enum':['a']},{'type':'null'}]}"),
                Arguments.of("datetime", "{'type':'string','format':'date-time'}"),
                Arguments.of("dt.datetime", "{'type':'string','format':'date-time'}"),
                Arguments.of("date", "{'type':'string','format':'date'}"),
                Arguments.of("uuid.UUID", "{'type':'string','format':'uuid'}"),
                Arguments.of("Path", "{'type':'string','format':'path'}"),
                Arguments.of("Annotated[int, 'a count']", "{'type':'integer'}"),
                Arguments.of("'int'", "{'type':'integer'}"),
                Arguments.of("'Optional[str]'", "{'anyOf':[{'type':'string'},{'type':'null'}]}"),
                Arguments.of("Any", "{}"),
                Arguments.of("object", "{}"),
                Arguments.of("SomeClass", "{}"),
                Arguments.of("pandas.DataFrame", "{}"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("annotations")
    void mapsAnnotationToJsonSchemaType(String annotation, String expected) throws IOException {
        write("flows/typed.py", IMPORTS + "\ndef typed(x: " + annotation + "):\n    pass\n");

        JsonNode property = FlowSignature.read(dir, "flows/typed.py:typed").get("properties").get("x");

        ObjectNode want = (ObjectNode) json("{'title':'x','position':0}");
        want.setAll((ObjectNode) json(expected));
        assertThat(property).isEqualTo(want);
    }

    @Test
    void parameterWithoutAnnotationHasNoTypeConstraint() throws IOException {
        write("flows/plain.py", "def plain(anything):\n    pass\n");

        ObjectNode schema = FlowSignature.read(dir, "flows/plain.py:plain");

        assertThat(schema).isEqualTo(json("""
                {'type':'object','title':'Parameters',
                 'properties':{'anything':{'title':'anything','position':0}},
                 'required':['anything'],'additionalProperties':false}"""));
    }

    @Test
    void literalDefaultsAreRecordedAndMakeTheParameterOptional() throws IOException {
        write("flows/defaults.py", """
                def defaults(name: str, count: int = 3, ratio: float = -0.5, loud: bool = False,
                             label: str = "hi", tags: list = ["a", "b"], opts: dict = {"k": [1, None]},
                             pair: tuple = (1, "x"), nothing=None):
                    pass
                """);

        ObjectNode schema = FlowSignature.read(dir, "flows/defaults.py:defaults");

        JsonNode properties = schema.get("properties");
        assertThat(properties.get("count").get("default")).isEqualTo(json("3"));
        assertThat(properties.get("ratio").get("default")).isEqualTo(json("-0.5"));
        assertThat(properties.get("loud").get("default")).isEqualTo(json("false"));
        assertThat(properties.get("label").get("default")).isEqualTo(json("'hi'"));
        assertThat(properties.get("tags").get("default")).isEqualTo(json("['a','b']"));
        assertThat(properties.get("opts").get("default")).isEqualTo(json("{'k':[1,null]}"));
        assertThat(properties.get("pair").get("default")).as("tuples become arrays").isEqualTo(json("[1,'x']"));
        assertThat(properties.get("nothing").has("default")).isTrue();
        assertThat(properties.get("nothing").get("default").isNull()).isTrue();
        assertThat(schema.get("required")).isEqualTo(json("['name']"));
    }

    @Test
    void unknownParametersAreRefused_unlessTheFunctionTakesKwargs() throws IOException {
        write("flows/kw.py", """
                def strict(a: int):
                    pass
                def loose(a: int, **extra):
                    pass
                """);

        assertThat(FlowSignature.read(dir, "flows/kw.py:strict").get("additionalProperties").asBoolean()).isFalse();
        assertThat(FlowSignature.read(dir, "flows/kw.py:loose").get("additionalProperties").asBoolean()).isTrue();
    }

    @Test
    void defaultsThatAreNotLiteralsAreLeftOutButStillOptional() throws IOException {
        write("flows/computed.py", """
                import datetime
                LIMIT = 10
                def computed(when=datetime.datetime.now(), limit: int = LIMIT, flags: set = {1, 2},
                             raw: bytes = b"x", big: float = 1e999, keyed: dict = {1: "a"}):
                    pass
                """);

        ObjectNode schema = FlowSignature.read(dir, "flows/computed.py:computed");

        for (String name : List.of("when", "limit", "flags", "raw", "big", "keyed")) {
            assertThat(schema.get("properties").get(name).has("default")).as(name).isFalse();
        }
        assertThat(schema.get("properties").get("limit").get("type").asText()).isEqualTo("integer");
        assertThat(schema.get("required")).isEmpty();
    }

    @Test
    void noneDefaultOnANonOptionalAnnotationAllowsNull() throws IOException {
        write("flows/implicit.py", """
                from typing import Optional
                def implicit(a: int = None, b: Optional[str] = None, c: int = 5):
                    pass
                """);

        JsonNode properties = FlowSignature.read(dir, "flows/implicit.py:implicit").get("properties");

        assertThat(properties.get("a")).isEqualTo(json(
                "{'title':'a','position':0,'default':null,'anyOf':[{'type':'integer'},{'type':'null'}]}"));
        assertThat(properties.get("b")).isEqualTo(json(
                "{'title':'b','position':1,'default':null,'anyOf':[{'type':'string'},{'type':'null'}]}"));
        assertThat(properties.get("c").get("type").asText()).isEqualTo("integer");
    }

    @Test
    void positionsFollowTheSignatureAndIncludeKeywordOnlyButNotStarArgs() throws IOException {
        write("flows/shapes.py", """
                def shapes(first, /, second: int, third: str = "x", *rest, only: bool, also: int = 2, **extra):
                    pass
                """);

        ObjectNode schema = FlowSignature.read(dir, "flows/shapes.py:shapes");

        JsonNode properties = schema.get("properties");
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("first", "second", "third", "only", "also");
        for (int i = 0; i < names.size(); i++) {
            assertThat(properties.get(names.get(i)).get("position").asInt()).as(names.get(i)).isEqualTo(i);
            assertThat(properties.get(names.get(i)).get("title").asText()).isEqualTo(names.get(i));
        }
        assertThat(properties.get("only").get("type").asText()).isEqualTo("boolean");
        assertThat(properties.get("also").get("default").asInt()).isEqualTo(2);
        assertThat(schema.get("required")).isEqualTo(json("['first','second','only']"));
    }

    @Test
    void functionWithoutParametersHasAnEmptySchema() throws IOException {
        write("flows/empty.py", "def empty():\n    pass\n");

        assertThat(FlowSignature.read(dir, "flows/empty.py:empty")).isEqualTo(json(
                "{'type':'object','title':'Parameters','properties':{},'required':[],'additionalProperties':false}"));
    }

    @Test
    void findsDecoratedAndAsyncFunctions() throws IOException {
        write("flows/decorated.py", """
                from prefect import flow, task

                @flow
                def bare(a: int):
                    pass

                @flow(name="Called", retries=2)
                async def called(b: str = "x"):
                    pass

                @task
                @flow(log_prints=True)
                def stacked(c: float):
                    pass

                async def plain_async(d: bool = True):
                    pass
                """);

        assertThat(FlowSignature.read(dir, "flows/decorated.py:bare").get("properties").get("a").get("type").asText())
                .isEqualTo("integer");
        assertThat(FlowSignature.read(dir, "flows/decorated.py:called").get("properties").get("b"))
                .isEqualTo(json("{'title':'b','position':0,'default':'x','type':'string'}"));
        assertThat(FlowSignature.read(dir, "flows/decorated.py:stacked").get("required")).isEqualTo(json("['c']"));
        assertThat(FlowSignature.read(dir, "flows/decorated.py:plain_async").get("properties").get("d").get("default")
                .asBoolean()).isTrue();
    }

    @Test
    void theLastDefinitionWinsAsWhenPythonRunsTheFile() throws IOException {
        write("flows/twice.py", "def twice(old):\n    pass\n\ndef twice(new: int):\n    pass\n");

        assertThat(FlowSignature.read(dir, "flows/twice.py:twice").get("required")).isEqualTo(json("['new']"));
    }

    @Test
    void neverImportsOrExecutesTheFlowFile() throws IOException {
        Path marker = dir.resolve("executed.marker");
        write("flows/dangerous.py", """
                import this_package_is_not_installed_anywhere
                open(%s, "w").write("the flow file ran")
                raise SystemExit("the flow file ran")

                def dangerous(x: int = 1):
                    pass

                if __name__ == "__main__":
                    open(%<s, "w").write("the flow file ran as a script")
                """.formatted(pythonString(marker.toString())));

        ObjectNode schema = FlowSignature.read(dir, "flows/dangerous.py:dangerous");

        assertThat(schema.get("properties").get("x").get("default").asInt()).isEqualTo(1);
        assertThat(marker).doesNotExist();
        assertThat(dir.resolve("flows/__pycache__")).doesNotExist();
    }

    @Test
    void readsPathsRelativeToTheGivenDirectoryAndNonAsciiSource() throws IOException {
        // Under a C/POSIX locale the JVM itself turns non-ASCII process arguments into '?'.
        assumeTrue(Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")).newEncoder().canEncode("grüßen"),
                "the JVM's platform encoding cannot pass non-ASCII arguments to a process");
        write("deep/er/flows/unicode_flow.py", """
                # -*- coding: utf-8 -*-
                def grüßen(名前: str = "Zoë"):
                    \"\"\"Grüße ✓\"\"\"
                """);

        ObjectNode schema = FlowSignature.read(dir.resolve("deep"), "er/flows/unicode_flow.py:grüßen");

        assertThat(schema.get("properties").get("名前").get("default").asText()).isEqualTo("Zoë");
    }

    @Test
    void missingFileIsReportedWithTheWorkingDirectory() throws IOException {
        assertThatThrownBy(() -> FlowSignature.read(dir, "flows/missing.py:my_flow"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("flow file 'flows/missing.py' not found (cwd " + dir.toRealPath() + ")");
    }

    @Test
    void directoryInsteadOfFileIsReported() throws IOException {
        Files.createDirectories(dir.resolve("flows/pkg.py"));

        assertThatThrownBy(() -> FlowSignature.read(dir, "flows/pkg.py:my_flow"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("flow file 'flows/pkg.py' is a directory");
    }

    @Test
    void syntaxErrorNamesTheFileAndLine() throws IOException {
        // An error every Python version places on the same line; an unclosed bracket is not one.
        write("flows/broken.py", "import os\n\ndef broken(:\n    pass\n");

        assertThatThrownBy(() -> FlowSignature.read(dir, "flows/broken.py:broken"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("syntax error in flows/broken.py line 3: ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void missingFunctionListsTheTopLevelFunctionsThatExist() throws IOException {
        write("flows/several.py", """
                import os
                def alpha(): pass
                async def beta(): pass
                class Gamma:
                    def my_flow(self): pass
                def outer():
                    def my_flow(): pass
                """);

        assertThatThrownBy(() -> FlowSignature.read(dir, "flows/several.py:my_flow"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("function 'my_flow' not found in flows/several.py; found: alpha, beta, outer");
    }

    @Test
    void missingFunctionInAFileWithoutFunctionsSaysSo() throws IOException {
        write("flows/nothing.py", "X = 1\n");

        assertThatThrownBy(() -> FlowSignature.read(dir, "flows/nothing.py:my_flow"))
                .hasMessage("function 'my_flow' not found in flows/nothing.py; found: no functions");
    }

    @Test
    void functionBuiltByAssignmentIsExplained() throws IOException {
        write("flows/assigned.py", "from prefect import flow\ndef impl(x): pass\nmy_flow = flow(impl)\n");

        assertThatThrownBy(() -> FlowSignature.read(dir, "flows/assigned.py:my_flow"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'my_flow' in flows/assigned.py is assigned (my_flow = ...), not defined with def");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "flows/my_flow.py", "flows/my_flow.py:", "flows/my_flow.py:a:b", "flows/my_flow:my_flow",
        "flows/my_flow.txt:my_flow", ".py:my_flow", "flows/my_flow.py:1st", "flows/my_flow.py:my-flow",
        "flows/my_flow.py:my flow", "flows/my_flow.py:class", "C:/flows/my_flow.py:my_flow"})
    void malformedEntrypointIsRejectedBeforePythonRuns(String entrypoint) {
        assertThatThrownBy(() -> FlowSignature.read(dir, entrypoint))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("entrypoint '" + entrypoint + "' ")
                .hasMessageEndingWith("expected path/to/file.py:function_name, e.g. flows/my_flow.py:my_flow");
    }

    @Test
    void malformedEntrypointSaysWhatIsWrong() {
        assertThatThrownBy(() -> FlowSignature.read(dir, "flows/x.py"))
                .hasMessageContaining("has no ':' before the function name");
        assertThatThrownBy(() -> FlowSignature.read(dir, "flows/x.py:a:b"))
                .hasMessageContaining("has more than one ':'");
        assertThatThrownBy(() -> FlowSignature.read(dir, "flows/x.txt:a"))
                .hasMessageContaining("does not name a .py file");
        assertThatThrownBy(() -> FlowSignature.read(dir, "flows/x.py:my-flow"))
                .hasMessageContaining("has 'my-flow' after the ':', which is not a Python function name");
        assertThatThrownBy(() -> FlowSignature.read(dir, "flows/x.py:"))
                .hasMessageContaining("has no function name after the ':'");
        assertThatThrownBy(() -> FlowSignature.read(dir, " "))
                .hasMessageStartingWith("the flow entrypoint is empty");
    }

    @Test
    void describe_readsTheFlowDecoratorsSettings_forPrefectsFerrysAndBareFlow() throws IOException {
        write("flows/settings.py", """
                import ferry
                import prefect
                from prefect import flow

                @flow(name="Nightly ETL", retries=3, retry_delay_seconds=2.5, timeout_seconds=600,
                      description="Loads the warehouse.", log_prints=True)
                def bare_import(day: str = "today"):
                    \"\"\"The docstring loses to description=.\"\"\"

                @prefect.flow(name="qualified")
                def prefect_qualified():
                    pass

                @ferry.flow(retries=1)
                def ferry_qualified():
                    \"\"\"Copies files.

                    Second paragraph.
                    \"\"\"
                """);

        FlowSignature.Described settings = FlowSignature.describe(dir, "flows/settings.py:bare_import");
        FlowSignature.Described qualified = FlowSignature.describe(dir, "flows/settings.py:prefect_qualified");
        FlowSignature.Described ferry = FlowSignature.describe(dir, "flows/settings.py:ferry_qualified");

        assertThat(settings).isEqualTo(new FlowSignature.Described(settings.parameters(), "Nightly ETL",
                "Loads the warehouse.", 3, 3, 600.0));
        assertThat(settings.parameters().get("properties").get("day").get("default").asText()).isEqualTo("today");
        assertThat(qualified.name()).isEqualTo("qualified");
        assertThat(qualified.description()).isNull();
        assertThat(qualified.retries()).isNull();
        assertThat(ferry.name()).isNull();
        assertThat(ferry.retries()).isEqualTo(1);
        assertThat(ferry.description()).isEqualTo("Copies files.\n\nSecond paragraph.");
    }

    @Test
    void describe_leavesOutSettingsThatAreNotLiterals_andReadsADocstringWithoutADecorator() throws IOException {
        write("flows/computed_settings.py", """
                from prefect import flow
                NAME = "from a constant"

                @flow(name=NAME, retries=int("2"), timeout_seconds=True)
                def computed():
                    pass

                def undecorated():
                    \"\"\"Plain functions have descriptions too.\"\"\"
                """);

        FlowSignature.Described computed = FlowSignature.describe(dir, "flows/computed_settings.py:computed");
        FlowSignature.Described undecorated = FlowSignature.describe(dir, "flows/computed_settings.py:undecorated");

        assertThat(computed.name()).isNull();
        assertThat(computed.retries()).isNull();
        assertThat(computed.timeoutSeconds()).isNull();
        assertThat(undecorated.name()).isNull();
        assertThat(undecorated.description()).isEqualTo("Plain functions have descriptions too.");
    }

    @Test
    void flowNameWritesUnderscoresAsHyphens() {
        assertThat(FlowSignature.flowName("my_flow")).isEqualTo("my-flow");
        assertThat(FlowSignature.flowName("_private__flow_")).isEqualTo("-private--flow-");
        assertThat(FlowSignature.flowName("etl")).isEqualTo("etl");
    }

    private void write(String relative, String source) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
    }

    /** Parses JSON written with single quotes, which keeps the expectations above readable. */
    private static JsonNode json(String singleQuoted) {
        return Json.tree(singleQuoted.replace('\'', '"'));
    }

    private static String pythonString(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
