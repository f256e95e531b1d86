package dev.ferry.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.testing.ThreadRace;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ApiKeys} adapter must do. An adapter's test subclasses this and supplies
 * {@link #newApiKeys()}; nothing else.
 */
public abstract class ApiKeysContract {

    protected static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123456789Z");

    /** A fresh, empty store. Called once per test. */
    protected abstract ApiKeys newApiKeys();

    protected ApiKeys keys;
    private ExecutorService threads;

    @BeforeEach
    void freshKeys() {
        keys = newApiKeys();
        threads = Executors.newFixedThreadPool(8);
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void create_thenByHash_answersTheRecordFieldForField() {
        ApiKeyRecord worker = key("w", Role.WORKER, List.of("pool-a", "pool b"), T0);

        assertThat(keys.create(worker)).isTrue();

        assertThat(keys.byHash(worker.hash())).contains(worker);
        assertThat(keys.byHash(ApiKeyService.hash("some other key"))).isEmpty();
    }

    @Test
    void create_returnsFalseAndWritesNothing_whenTheIdOrTheHashIsTaken() {
        ApiKeyRecord first = key("first", Role.ADMIN, List.of(), T0);
        keys.create(first);
        ApiKeyRecord sameId = new ApiKeyRecord(first.id(), "same-id", Role.READER, List.of(), hash(), "ferry_bbbbbb",
                T0, null, null);
        ApiKeyRecord sameHash = new ApiKeyRecord(UUID.randomUUID().toString(), "same-hash", Role.READER, List.of(),
                first.hash(), "ferry_cccccc", T0, null, null);

        assertThat(keys.create(sameId)).isFalse();
        assertThat(keys.create(sameHash)).isFalse();

        assertThat(keys.list()).containsExactly(first);
        assertThat(keys.byHash(sameId.hash())).isEmpty();
    }

    @Test
    void list_isOldestFirst_andKeepsRevokedKeys() {
        ApiKeyRecord newer = key("newer", Role.READER, List.of(), T0.plusSeconds(60));
        ApiKeyRecord older = key("older", Role.DEPLOYER, List.of(), T0);
        keys.create(newer);
        keys.create(older);
        keys.revoke(older.id(), T0.plusSeconds(120));

        assertThat(keys.list()).extracting(ApiKeyRecord::name).containsExactly("older", "newer");
        assertThat(keys.list().get(0).revokedAt()).isEqualTo(T0.plusSeconds(120));
    }

    @Test
    void list_isEmpty_onAFreshStore() {
        assertThat(keys.list()).isEmpty();
    }

    @Test
    void revoke_setsRevokedAt_andRevokingAgainKeepsTheFirstTime() {
        ApiKeyRecord key = key("k", Role.READER, List.of(), T0);
        keys.create(key);

        assertThat(keys.revoke(key.id(), T0.plusSeconds(5))).contains(key.revokedAt(T0.plusSeconds(5)));
        assertThat(keys.revoke(key.id(), T0.plusSeconds(9))).contains(key.revokedAt(T0.plusSeconds(5)));

        assertThat(keys.byHash(key.hash())).contains(key.revokedAt(T0.plusSeconds(5)));
    }

    @Test
    void revoke_answersEmpty_forAnUnknownId() {
        assertThat(keys.revoke("no-such-key", T0)).isEmpty();
        assertThat(keys.list()).isEmpty();
    }

    @Test
    void markUsed_writesOnlyWhenTheLastUseIsMissingOrStale() {
        ApiKeyRecord key = key("k", Role.READER, List.of(), T0);
        keys.create(key);
        Instant t1 = T0.plusSeconds(10);

        assertThat(keys.markUsed(key, t1, t1.minusSeconds(60))).as("never used").isTrue();
        assertThat(keys.markUsed(key, t1.plusSeconds(30), t1.minusSeconds(30))).as("used 30 s ago").isFalse();
        assertThat(keys.byHash(key.hash()).orElseThrow().lastUsed()).isEqualTo(t1);

        Instant t2 = t1.plusSeconds(61);
        assertThat(keys.markUsed(key, t2, t2.minusSeconds(60))).as("used 61 s ago").isTrue();
        assertThat(keys.byHash(key.hash())).contains(key.usedAt(t2));
    }

    @ThreadRace
    @Test
    void markUsed_writesOnce_whenManyRequestsRace() throws Exception {
        ApiKeyRecord key = key("busy", Role.WORKER, List.of("p"), T0);
        keys.create(key);
        Instant now = T0.plus(Duration.ofMinutes(5));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Instant at = now.plusMillis(i);
            Callable<Boolean> call = () -> {
                go.await();
                return keys.markUsed(key, at, now.minus(Duration.ofMinutes(1)));
            };
            results.add(threads.submit(call));
        }
        go.countDown();
        int wrote = 0;
        for (Future<Boolean> r : results) if (r.get(30, TimeUnit.SECONDS)) wrote++;

        assertThat(wrote).isEqualTo(1);
    }

    @Test
    void markUsed_answersFalse_andWritesNothing_forAKeyThatIsNotStored() {
        assertThat(keys.markUsed(key("never-stored", Role.READER, List.of(), T0), T0, T0.minusSeconds(60))).isFalse();
        assertThat(keys.list()).isEmpty();
    }

    @ThreadRace
    @Test
    void secret_isMadeOnce_andTheSameAfterwards_evenWhenAskedConcurrently() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<byte[]>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            results.add(threads.submit(() -> {
                go.await();
                return keys.secret();
            }));
        }
        go.countDown();
        byte[] first = results.get(0).get(30, TimeUnit.SECONDS);

        assertThat(first).hasSize(RunTokens.SECRET_BYTES);
        for (Future<byte[]> r : results) assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo(first);
        assertThat(keys.secret()).isEqualTo(first);
        assertThat(keys.list()).as("the secret is not a key").isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    protected static ApiKeyRecord key(String name, Role role, List<String> pools, Instant created) {
        String hash = hash();
        return new ApiKeyRecord(UUID.randomUUID().toString(), name, role, pools, hash, "ferry_" + hash.substring(0, 6),
                created, null, null);
    }

    private static String hash() {
        return ApiKeyService.hash(ApiKeyService.newKey());
    }
}
