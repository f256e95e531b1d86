package dev.ferry.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.common.BadInput;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ApiKeyServiceTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T12:00:00Z"));
    private final InMemoryApiKeys store = new InMemoryApiKeys();

    private ApiKeyService service(BootstrapKey bootstrap) {
        return new ApiKeyService(store, bootstrap, now::get, () -> "id-" + store.list().size());
    }

    // ------------------------------------------------------------------ keys and hashes

    @Test
    void hash_isTheSha256HexOfTheWholeKey() {
        assertThat(ApiKeyService.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(ApiKeyService.hash("ferry_x")).isNotEqualTo(ApiKeyService.hash("x")).hasSize(64);
    }

    @Test
    void newKeys_areFerryPrefixed32RandomBytesInBase64url() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String key = ApiKeyService.newKey();
            assertThat(key).matches("ferry_[A-Za-z0-9_-]{43}");
            seen.add(key);
        }
        assertThat(seen).hasSize(100);
    }

    @Test
    void create_showsTheKeyOnce_andStoresOnlyItsHashAndPrefix() {
        ApiKeyService keys = service(BootstrapKey.ofKey("boot"));

        ApiKeyService.Created created = keys.create(new ApiKeyService.NewKey("ci", Role.DEPLOYER, null));

        ApiKeyRecord stored = store.list().get(0);
        assertThat(stored).isEqualTo(created.record());
        assertThat(stored.hash()).isEqualTo(ApiKeyService.hash(created.key()));
        assertThat(stored.prefix()).isEqualTo(created.key().substring(0, 12)).startsWith("ferry_");
        assertThat(stored.toString()).doesNotContain(created.key());
        assertThat(stored.created()).isEqualTo(now.get());
        assertThat(stored.lastUsed()).isNull();
        assertThat(stored.pools()).isEmpty();
    }

    @Test
    void create_checksTheRoleAndPools() {
        ApiKeyService keys = service(BootstrapKey.ofKey("boot"));

        assertThatThrownBy(() -> keys.create(new ApiKeyService.NewKey("w", Role.WORKER, List.of())))
                .isInstanceOf(BadInput.class).extracting("field").isEqualTo("pools");
        assertThatThrownBy(() -> keys.create(new ApiKeyService.NewKey("r", Role.READER, List.of("p"))))
                .isInstanceOf(BadInput.class).hasMessageContaining("only applies to WORKER");
        assertThatThrownBy(() -> keys.create(new ApiKeyService.NewKey("w", Role.WORKER, List.of("ok", "a/b"))))
                .isInstanceOf(BadInput.class).extracting("field").isEqualTo("pools[1]");
        assertThatThrownBy(() -> keys.create(new ApiKeyService.NewKey("x", null, null)))
                .isInstanceOf(BadInput.class).extracting("field").isEqualTo("role");
        assertThatThrownBy(() -> keys.create(new ApiKeyService.NewKey(" ", Role.ADMIN, null)))
                .isInstanceOf(BadInput.class).extracting("field").isEqualTo("name");
        assertThat(store.list()).isEmpty();

        ApiKeyRecord worker = keys.create(new ApiKeyService.NewKey("w", Role.WORKER, List.of("a", "b", "a"))).record();
        assertThat(worker.pools()).containsExactly("a", "b");
    }

    // ------------------------------------------------------------------ authenticate

    @Test
    void authenticate_findsAStoredKey() {
        ApiKeyService keys = service(BootstrapKey.ofKey("boot"));
        ApiKeyService.Created created = keys.create(new ApiKeyService.NewKey("ci", Role.DEPLOYER, null));

        Principal who = keys.authenticate("Bearer " + created.key());

        assertThat(who).isInstanceOf(Principal.Key.class);
        assertThat(((Principal.Key) who).key().id()).isEqualTo(created.record().id());
        assertThat(keys.authenticate("bearer   " + created.key() + "  ")).as("scheme is case-insensitive").isInstanceOf(Principal.Key.class);
    }

    @Test
    void authenticate_letsTheBootstrapKeyInAsAdmin_withoutStoringIt() {
        ApiKeyService keys = service(BootstrapKey.ofKey("s3cret"));

        assertThat(keys.authenticate("Bearer s3cret")).isInstanceOf(Principal.BootstrapAdmin.class);
        assertThat(service(BootstrapKey.ofHash(ApiKeyService.hash("s3cret").toUpperCase(), "FERRY_ADMIN_KEY_HASH"))
                .authenticate("Bearer s3cret")).isInstanceOf(Principal.BootstrapAdmin.class);
        assertThat(store.list()).isEmpty();
    }

    @Test
    void authenticate_refusesMissingMalformedUnknownAndRevokedKeys_with401() {
        ApiKeyService keys = service(BootstrapKey.ofKey("boot"));
        ApiKeyService.Created created = keys.create(new ApiKeyService.NewKey("ci", Role.READER, null));
        keys.revoke(created.record().id());

        assertUnauthorized(keys, null, "needs an API key");
        assertUnauthorized(keys, "", "needs an API key");
        assertUnauthorized(keys, "Basic Ym9vdA==", "must be 'Bearer KEY'");
        assertUnauthorized(keys, "Bearer", "must be 'Bearer KEY'");
        assertUnauthorized(keys, "boot", "must be 'Bearer KEY'");
        assertUnauthorized(keys, "Bearer " + ApiKeyService.newKey(), "unknown API key");
        assertUnauthorized(keys, "Bearer " + created.key(), "was revoked at " + now.get());
        assertUnauthorized(keys, "Bearer ferry_run_r1_-_-_" + "0".repeat(64), "invalid run token");
    }

    @Test
    void authenticate_neverEchoesTheCredential() {
        ApiKeyService keys = service(BootstrapKey.ofKey("boot"));

        assertThatThrownBy(() -> keys.authenticate("Token sekrit-value")).hasMessageNotContaining("sekrit");
        assertThatThrownBy(() -> keys.authenticate("Bearer sekrit-value")).hasMessageNotContaining("sekrit");
    }

    @Test
    void authenticate_acceptsARunToken_asItsRun() {
        ApiKeyService keys = service(BootstrapKey.ofKey("boot"));

        Instant claimed = Instant.parse("2026-03-01T12:00:00Z");
        Principal who = keys.authenticate("Bearer " + keys.runTokens().mint("run-7", claimed, null));

        assertThat(who).isEqualTo(new Principal.Run("run-7", claimed));
    }

    @Test
    void aRunToken_endsWithTheKeyThatClaimedItsRun() {
        ApiKeyService keys = service(BootstrapKey.ofKey("boot"));
        ApiKeyService.Created worker = keys.create(new ApiKeyService.NewKey("w", Role.WORKER, List.of("p")));
        String token = keys.runTokens().mint("run-7", null, worker.record().hash());
        assertThat(keys.authenticate("Bearer " + token)).isEqualTo(new Principal.Run("run-7", null));

        keys.revoke(worker.record().id());

        assertThatThrownBy(() -> keys.authenticate("Bearer " + token)).isInstanceOf(AccessDenied.class)
                .hasMessageContaining("this run token ended").hasMessageContaining("was revoked");
    }

    @Test
    void lastUsed_isWrittenAtMostOnceAMinute() {
        ApiKeyService keys = service(BootstrapKey.ofKey("boot"));
        ApiKeyService.Created created = keys.create(new ApiKeyService.NewKey("busy", Role.READER, null));
        int before = store.writes;

        for (int i = 0; i < 30; i++) {
            keys.authenticate("Bearer " + created.key());
            now.set(now.get().plusSeconds(1));
        }
        assertThat(store.writes - before).as("30 requests in 30 s").isEqualTo(1);
        assertThat(store.list().get(0).lastUsed()).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));

        now.set(now.get().plus(Duration.ofSeconds(31)));
        keys.authenticate("Bearer " + created.key());
        assertThat(store.writes - before).isEqualTo(2);
        assertThat(store.list().get(0).lastUsed()).isEqualTo(now.get());
    }

    // ------------------------------------------------------------------ a server without credentials

    @Test
    void withNoBootstrapKeyAndNoKeys_everyoneIsLetIn_untilTheFirstKeyIsMade() {
        ApiKeyService keys = service(BootstrapKey.none());

        assertThat(keys.authenticate(null)).isInstanceOf(Principal.Anyone.class);
        assertThat(keys.authenticate("Bearer whatever")).isInstanceOf(Principal.Anyone.class);

        ApiKeyService.Created admin = keys.create(new ApiKeyService.NewKey("me", Role.ADMIN, null));

        assertUnauthorized(keys, null, "needs an API key");
        assertThat(keys.authenticate("Bearer " + admin.key())).isInstanceOf(Principal.Key.class);
    }

    @Test
    void aServerThatHadKeys_staysClosed_evenWhenTheyAreAllRevoked() {
        ApiKeyService keys = service(BootstrapKey.none());
        ApiKeyService.Created admin = keys.create(new ApiKeyService.NewKey("me", Role.ADMIN, null));
        keys.revoke(admin.record().id());

        assertUnauthorized(service(BootstrapKey.none()), null, "needs an API key");
    }

    @Test
    void theFirstKeyOfAnOpenServer_mustBeAnAdminKey() {
        ApiKeyService keys = service(BootstrapKey.none());

        assertThatThrownBy(() -> keys.create(new ApiKeyService.NewKey("ci", Role.DEPLOYER, null)))
                .isInstanceOf(BadInput.class).hasMessageContaining("must have role ADMIN");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void bootstrapHash_mustBe64HexCharacters() {
        assertThatThrownBy(() -> BootstrapKey.ofHash("abc", "FERRY_ADMIN_KEY_HASH"))
                .hasMessageContaining("FERRY_ADMIN_KEY_HASH must be the SHA-256");
        assertThatThrownBy(() -> BootstrapKey.ofHash(ApiKeyService.newKey(), "FERRY_ADMIN_KEY_HASH"))
                .hasMessageContaining("look like the key itself");
        assertThat(BootstrapKey.ofHash("", "X").configured()).isFalse();
        assertThat(BootstrapKey.ofKey(null).configured()).isFalse();
    }

    @Test
    void aServerWithoutAStore_letsOnlyTheBootstrapKeyIn_andMakesNoKeys() {
        ApiKeyService keys = ApiKeyService.bootstrapOnly(BootstrapKey.ofKey("boot"));

        assertThat(keys.authenticate("Bearer boot")).isInstanceOf(Principal.BootstrapAdmin.class);
        assertUnauthorized(keys, "Bearer other", "unknown API key");
        assertThat(keys.runTokens().mint("r", null, null)).isNull();
        assertThatThrownBy(() -> keys.create(new ApiKeyService.NewKey("x", Role.ADMIN, null)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(ApiKeyService.bootstrapOnly(BootstrapKey.none()).authenticate(null)).isInstanceOf(Principal.Anyone.class);
    }

    private static void assertUnauthorized(ApiKeyService keys, String header, String detail) {
        assertThatThrownBy(() -> keys.authenticate(header)).as("header %s", header)
                .isInstanceOf(AccessDenied.class).hasMessageContaining(detail)
                .extracting("status").isEqualTo(401);
    }
}
