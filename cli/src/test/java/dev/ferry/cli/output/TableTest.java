package dev.ferry.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void columnsAreAligned_underATitle_withoutTrailingSpaces() {
        String text = Table.of("Work Pools", "Name", "Type", "Concurrency Limit")
                .row("my-process-pool", "process", "None")
                .row("ecs", "ecs", "5")
                .render();

        assertThat(text).isEqualTo("""
                Work Pools
                Name             Type     Concurrency Limit
                my-process-pool  process  None
                ecs              ecs      5
                """);
    }

    @Test
    void emptyCells_showADash_andNewlinesDoNotBreakRows() {
        String text = Table.of("T", "A", "B").row(null, "two\nlines").render();

        assertThat(text).isEqualTo("T\nA  B\n-  two lines\n");
    }

    @Test
    void aRowMustFitTheColumns() {
        assertThatThrownBy(() -> Table.of("T", "A", "B").row("only one"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
