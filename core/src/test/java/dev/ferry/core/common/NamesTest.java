package dev.ferry.core.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a/b", "tab\tname", "new\nline", " lead", "trail ", "per%cent"})
    void badNames_areRefused_namingTheField(String name) {
        assertThatThrownBy(() -> Names.check("name", name))
                .isInstanceOfSatisfying(BadInput.class, e -> {
                    assertThat(e.field()).isEqualTo("name");
                    assertThat(e.status()).isEqualTo(422);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"my-process-pool", "Nightly ETL", "ünïcode", "a.b_c"})
    void goodNames_pass(String name) {
        assertThat(Names.check("name", name)).isEqualTo(name);
    }

    @org.junit.jupiter.api.Test
    void longNames_areRefused() {
        assertThatThrownBy(() -> Names.check("name", "x".repeat(101))).hasMessageContaining("at most 100");
        assertThat(Names.check("name", "x".repeat(100))).hasSize(100);
    }
}
