package dev.ferry.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunTokensTest {
    private static final byte[] SECRET = new byte[32];

    static {
        Arrays.fill(SECRET, (byte) 7);
    }

    private final RunTokens tokens = RunTokens.withSecret(SECRET);

    @Test
    void aMintedToken_verifiesAsItsRun() {
        String token = tokens.mint("2b1c7f0e-9d5e-4c1a-8f4e-0c6f1b2a3d4e");

        assertThat(token).matches("ferry_run_2b1c7f0e-9d5e-4c1a-8f4e-0c6f1b2a3d4e_[0-9a-f]{64}");
        assertThat(tokens.verify(token)).contains("2b1c7f0e-9d5e-4c1a-8f4e-0c6f1b2a3d4e");
        assertThat(tokens.mint("2b1c7f0e-9d5e-4c1a-8f4e-0c6f1b2a3d4e")).as("deterministic").isEqualTo(token);
    }

    @Test
    void aRunIdWithUnderscores_stillVerifies() {
        String token = tokens.mint("run_with_underscores");

        assertThat(tokens.verify(token)).contains("run_with_underscores");
    }

    @Test
    void aTamperedSignature_isRefused() {
        String token = tokens.mint("run-1");
        char last = token.charAt(token.length() - 1);
        String tampered = token.substring(0, token.length() - 1) + (last == '0' ? '1' : '0');

        assertThat(tokens.verify(tampered)).isEmpty();
    }

    @Test
    void anotherRunsSignature_isRefused_forThisRun() {
        String other = tokens.mint("run-2");
        String forged = "ferry_run_run-1_" + other.substring(other.lastIndexOf('_') + 1);

        assertThat(tokens.verify(forged)).isEmpty();
    }

    @Test
    void aTokenSignedWithAnotherSecret_isRefused() {
        byte[] otherSecret = SECRET.clone();
        otherSecret[0] = 8;

        assertThat(tokens.verify(RunTokens.withSecret(otherSecret).mint("run-1"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ferry_run_", "ferry_run__", "ferry_run_run-1", "ferry_run_run-1_",
            "ferry_run_run-1_abc", "ferry_run__0000000000000000000000000000000000000000000000000000000000000000",
            "ferry_run_run-1_ZZ00000000000000000000000000000000000000000000000000000000000000",
            "ferry_run_run-1_00000000000000000000000000000000000000000000000000000000000000000"})
    void malformedTokens_areNotRunTokens(String token) {
        assertThat(RunTokens.looksLikeRunToken(token)).isFalse();
        assertThat(tokens.verify(token)).isEmpty();
    }

    @Test
    void randomApiKeys_neverLookLikeRunTokens() {
        for (int i = 0; i < 1000; i++) {
            assertThat(RunTokens.looksLikeRunToken(ApiKeyService.newKey())).isFalse();
        }
        assertThat(RunTokens.looksLikeRunToken("ferry_run_" + "x".repeat(39))).as("a key that happens to start with run_").isFalse();
    }

    @Test
    void withoutASecret_nothingIsMinted_andNothingVerifies() {
        RunTokens none = RunTokens.none();

        assertThat(none.mint("run-1")).isNull();
        assertThat(none.verify(tokens.mint("run-1"))).isEmpty();
    }

    @Test
    void tokens_verifyOnEveryInstanceSharingTheStore() {
        InMemoryApiKeys keys = new InMemoryApiKeys();
        RunTokens lazy = RunTokens.of(keys);

        String token = lazy.mint("run-1");

        assertThat(RunTokens.of(keys).verify(token)).as("another instance on the same store").contains("run-1");
    }
}
