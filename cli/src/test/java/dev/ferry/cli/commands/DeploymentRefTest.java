package dev.ferry.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeploymentRefTest {

    @Test
    void flowSlashName_isAReferenceByName() {
        DeploymentRef ref = DeploymentRef.parse("my-flow/my-deployment");

        assertThat(ref.byName()).isTrue();
        assertThat(ref.flowName()).isEqualTo("my-flow");
        assertThat(ref.name()).isEqualTo("my-deployment");
        assertThat(ref).hasToString("my-flow/my-deployment");
    }

    @Test
    void withoutASlash_itIsAnId() {
        DeploymentRef ref = DeploymentRef.parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        assertThat(ref.byName()).isFalse();
        assertThat(ref.id()).isEqualTo("0f8fad5b-d9cb-469f-a165-70867728950e");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/name", "flow/", "a/b/c", " ", "/"})
    void malformedNames_areUsageErrors(String text) {
        assertThatThrownBy(() -> DeploymentRef.parse(text)).isInstanceOf(UsageError.class);
    }
}
