package dev.ferry.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunTokensTest {
    private static final byte[] SECRET = new byte[32];
    private static final Instant CLAIMED = Instant.parse("2026-03-01T12:00:00.123456789Z");
    private static final String CLAIMER = "ab".repeat(32);

    static {
        Arrays.fill(SECRET, (byte) 7);
    }

    private final RunTokens tokens = RunTokens.withSecret(SECRET);

    @Test
    void aMintedToken_verifiesAsItsRun_itsClaim_andItsClaimer() {
        String token = tokens.mint("2b1c7f0e-9d5e-4c1a-8f4e-0c6f1b2a3d4e", CLAIMED, CLAIMER);

        assertThat(token).matches("ferry_run_2b1c7f0e-9d5e-4c1a-8f4e-0c6f1b2a3d4e_1772366400123456789_" + CLAIMER + "_[0-9a-f]{64}");
        assertThat(tokens.verify(token)).contains(new RunTokens.Claim("2b1c7f0e-9d5e-4c1a-8f4e-0c6f1b2a3d4e", CLAIMED, CLAIMER));
        assertThat(tokens.mint("2b1c7f0e-9d5e-4c1a-8f4e-0c6f1b2a3d4e", CLAIMED, CLAIMER)).as("deterministic").isEqualTo(token);
    }

    @Test
    void aTokenOfNoClaimAndNoClaimer_verifiesWithout() {
        assertThat(tokens.verify(tokens.mint("run-1", null, null))).contains(new RunTokens.Claim("run-1", null, null));
    }

    @Test
    void aRunIdWithUnderscores_stillVerifies() {
        String token = tokens.mint("run_with_underscores", CLAIMED, null);

        assertThat(tokens.verify(token)).contains(new RunTokens.Claim("run_with_underscores", CLAIMED, null));
    }

    @Test
    void aTamperedSignature_isRefused() {
        String token = tokens.mint("run-1", CLAIMED, CLAIMER);
        char last = token.charAt(token.length() - 1);
        String tampered = token.substring(0, token.length() - 1) + (last == '0' ? '1' : '0');

        assertThat(tokens.verify(tampered)).isEmpty();
    }

    @Test
    void anotherRunsSignature_isRefused_forThisRun() {
        String other = tokens.mint("run-2", CLAIMED, null);
        String forged = "ferry_run_run-1" + other.substring("ferry_run_run-2".length());

        assertThat(tokens.verify(forged)).isEmpty();
    }

    @Test
    void anotherClaimOrClaimer_isRefused_withTheSameSignature() {
        String token = tokens.mint("run-1", CLAIMED, CLAIMER);
        String mac = token.substring(token.lastIndexOf('_') + 1);

        assertThat(tokens.verify("ferry_run_run-1_1772366400123456790_" + CLAIMER + "_" + mac)).as("a later claim").isEmpty();
        assertThat(tokens.verify("ferry_run_run-1_1772366400123456789_-_" + mac)).as("the claimer dropped").isEmpty();
        assertThat(tokens.verify("ferry_run_run-1_-_" + CLAIMER + "_" + mac)).as("the claim dropped").isEmpty();
    }

    @Test
    void aTokenSignedWithAnotherSecret_isRefused() {
        byte[] otherSecret = SECRET.clone();
        otherSecret[0] = 8;

        assertThat(tokens.verify(RunTokens.withSecret(otherSecret).mint("run-1", CLAIMED, null))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ferry_run_", "ferry_run__", "ferry_run_run-1", "ferry_run_run-1_",
            "ferry_run_run-1_abc",
            "ferry_run_run-1_0000000000000000000000000000000000000000000000000000000000000000",
            "ferry_run_run-1_-_0000000000000000000000000000000000000000000000000000000000000000",
            "ferry_run___-_0000000000000000000000000000000000000000000000000000000000000000",
            "ferry_run_run-1_x_-_0000000000000000000000000000000000000000000000000000000000000000",
            "ferry_run_run-1__-_0000000000000000000000000000000000000000000000000000000000000000",
            "ferry_run_run-1_-_abc_0000000000000000000000000000000000000000000000000000000000000000",
            "ferry_run_run-1_-_-_ZZ00000000000000000000000000000000000000000000000000000000000000",
            "ferry_run_run-1_-_-_00000000000000000000000000000000000000000000000000000000000000000"})
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

        assertThat(none.mint("run-1", CLAIMED, null)).isNull();
        assertThat(none.verify(tokens.mint("run-1", CLAIMED, null))).isEmpty();
    }

    @Test
    void tokens_verifyOnEveryInstanceSharingTheStore() {
        InMemoryApiKeys keys = new InMemoryApiKeys();
        RunTokens lazy = RunTokens.of(keys);

        String token = lazy.mint("run-1", CLAIMED, null);

        assertThat(RunTokens.of(keys).verify(token)).as("another instance on the same store").map(RunTokens.Claim::runId)
                .contains("run-1");
    }
}
