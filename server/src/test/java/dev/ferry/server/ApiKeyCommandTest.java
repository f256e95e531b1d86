package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.Cli;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.common.Json;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry api-key} against a real embedded server whose admin key is "boot". */
class ApiKeyCommandTest {
    private static final Pattern KEY = Pattern.compile("^ {4}(ferry_[A-Za-z0-9_-]{43})$", Pattern.MULTILINE);

    @TempDir
    Path dir;
    EmbeddedServer server;

    @BeforeEach
    void start() {
        server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, dir, "boot"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Result ferry(String key, String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--api-url";
        all[args.length + 1] = server.url().toString();
        all[args.length + 2] = "--api-key";
        all[args.length + 3] = key;
        return Cli.run(all);
    }

    @Test
    void create_printsTheKeyOnce_lsShowsItsPrefix_andRevokeTurnsItAway() {
        Result created = ferry("boot", "api-key", "create", "ci", "--role", "deployer");

        assertThat(created.exitCode()).as(created.err()).isZero();
        Matcher m = KEY.matcher(created.out());
        assertThat(m.find()).as(created.out()).isTrue();
        String key = m.group(1);
        assertThat(created.out()).startsWith("Created API key 'ci' (role DEPLOYER, ID ")
                .contains("Store it now: this is the only time it is shown");

        Result ls = ferry("boot", "api-key", "ls");
        assertThat(ls.out()).startsWith("API Keys\n").contains("Name", "ID", "Role", "Pools", "Prefix", "Created",
                "Last Used", "Revoked").contains(key.substring(0, 12) + "…").doesNotContain(key);
        assertThat(ls.out().lines().filter(l -> l.startsWith("ci ")).findFirst().orElseThrow())
                .contains("DEPLOYER").contains("never");

        assertThat(ferry(key, "work-pool", "ls").exitCode()).as("a deployer reads pools").isZero();
        Result refused = ferry(key, "work-pool", "create", "p", "--type", "process");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("role DEPLOYER").endsWith("(an admin makes one with 'ferry api-key create')\n");

        JsonNode listed = Json.tree(ferry("boot", "api-key", "ls", "-o", "json").out());
        String id = listed.get(0).path("id").asText();
        assertThat(listed.get(0).path("last_used").isTextual()).as("used once just now").isTrue();
        assertThat(listed.get(0).has("key")).isFalse();
        assertThat(listed.get(0).has("hash")).isFalse();

        Result revoked = ferry("boot", "api-key", "revoke", id);
        assertThat(revoked.out()).isEqualTo("Revoked API key 'ci' (" + key.substring(0, 12) + "…)\n");
        Result after = ferry(key, "work-pool", "ls");
        assertThat(after.exitCode()).isEqualTo(1);
        assertThat(after.err()).contains("was revoked at").endsWith("pass the server's key with --api-key or FERRY_API_KEY\n");
    }

    @Test
    void create_aWorkerKey_namesItsPools() {
        Result created = ferry("boot", "api-key", "create", "w1", "--role", "WORKER", "--pool", "a", "--pool", "b",
                "-o", "json");

        JsonNode key = Json.tree(created.out());
        assertThat(key.path("role").asText()).isEqualTo("WORKER");
        assertThat(key.path("pools").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(key.path("key").asText()).startsWith("ferry_");
    }

    @Test
    void create_refusesAWorkerKeyWithoutPools_andPoolsOnOtherRoles_beforeAskingTheServer() {
        Result worker = ferry("boot", "api-key", "create", "w", "--role", "WORKER");
        Result reader = ferry("boot", "api-key", "create", "r", "--role", "READER", "--pool", "a");

        assertThat(worker.exitCode()).isEqualTo(2);
        assertThat(worker.err()).contains("needs at least one --pool");
        assertThat(reader.exitCode()).isEqualTo(2);
        assertThat(reader.err()).contains("--pool only applies to --role WORKER");
    }

    @Test
    void generate_printsAKeyAndItsSha256_withoutAServer() {
        Result json = Cli.run("api-key", "generate", "-o", "json");
        Result table = Cli.run("api-key", "generate");

        JsonNode generated = Json.tree(json.out());
        String key = generated.path("key").asText();
        assertThat(key).matches("ferry_[A-Za-z0-9_-]{43}");
        assertThat(generated.path("sha256").asText()).isEqualTo(ApiKeyService.hash(key));
        assertThat(table.exitCode()).isZero();
        assertThat(table.out()).containsPattern("Key: {5}ferry_[A-Za-z0-9_-]{43}\nSHA-256: [0-9a-f]{64}\n")
                .contains("FERRY_ADMIN_KEY_HASH");
    }
}
