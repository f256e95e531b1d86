package dev.ferry.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.common.Json;
import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void controlCharacters_areShownAsHex_butTabNewlineAndPrintableTextStayAsTheyAre() {
        assertThat(Printable.text("\u001b[31mred\u001b[0m")).isEqualTo("\\x1b[31mred\\x1b[0m");
        assertThat(Printable.text("a\u0000b\u0007c\u0008d\rE\u007f\u0085\u009b\u009f")).isEqualTo(
                "a\\x00b\\x07c\\x08d\\x0dE\\x7f\\x85\\x9b\\x9f");
        assertThat(Printable.text("tab\there\nnext line, caf\u00e9 \u2603 \ud83d\ude00 \u00a0")).isEqualTo(
                "tab\there\nnext line, caf\u00e9 \u2603 \ud83d\ude00 \u00a0");
        assertThat(Printable.text(null)).isNull();
    }

    @Test
    void jsonOutput_escapesDelAndC1Too_andStaysTheSameJson() {
        String pretty = Output.pretty(Json.tree("{\"m\": \"\\u001b[2J\\u007f\\u009b1m\u00e9\"}"));
        String compact = Output.compact(Json.tree("{\"m\": \"\\u001b[2J\\u007f\\u009b1m\u00e9\"}"));

        assertThat(pretty).contains("\\u001B[2J\\u007f\\u009b1m\u00e9");
        assertThat(compact).isEqualTo("{\"m\":\"\\u001B[2J\\u007f\\u009b1m\u00e9\"}");
        assertThat(Json.tree(pretty).path("m").asText()).isEqualTo("\u001b[2J\u007f\u009b1m\u00e9");
    }

    @Test
    void tableCells_showControlCharacters_andStayAligned() {
        String rendered = Table.of("Runs", "Name", "State").row("evil\u001b[2J", "RUNNING").row("ok", "DONE").render();

        assertThat(rendered).isEqualTo("Runs\nName         State\nevil\\x1b[2J  RUNNING\nok           DONE\n");
    }
}
