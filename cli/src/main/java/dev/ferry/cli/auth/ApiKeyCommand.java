package dev.ferry.cli.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.output.Output;
import dev.ferry.cli.output.Table;
import dev.ferry.cli.output.Times;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.Role;
import dev.ferry.core.common.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "api-key", description = "Create, list and revoke API keys (ADMIN keys only), or generate a bootstrap key.")
public final class ApiKeyCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "create", description = "Create an API key. It is printed once: store it right away.")
    void create(@Mixin ApiOptions options,
                @Parameters(paramLabel = "NAME", description = "What the key is for, e.g. ci-deploys.") String name,
                @Option(names = "--role", required = true, paramLabel = "ROLE",
                        description = "ADMIN, DEPLOYER, WORKER or READER.") Role role,
                @Option(names = "--pool", paramLabel = "POOL",
                        description = "A work pool a WORKER key may work (repeat for more; required for WORKER).")
                List<String> pools) {
        List<String> given = pools == null ? List.of() : pools;
        if (role == Role.WORKER && given.isEmpty()) {
            throw new UsageError("a WORKER key needs at least one --pool: the work pools it may poll and report on");
        }
        if (role != Role.WORKER && !given.isEmpty()) {
            throw new UsageError("--pool only applies to --role WORKER; a " + role + " key reaches every pool");
        }
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", name).put("role", role.name());
        if (!given.isEmpty()) given.forEach(body.putArray("pools")::add);
        JsonNode created = options.api().createApiKey(body);
        Output out = options.output();
        if (out.json()) {
            out.print(created);
            return;
        }
        out.line("Created API key '" + created.path("name").asText(name) + "' (role " + created.path("role").asText()
                + pools(created) + ", ID " + created.path("id").asText() + "):");
        out.line("");
        out.line("    " + created.path("key").asText());
        out.line("");
        out.line("Store it now: this is the only time it is shown (the server keeps only its hash).");
        out.line("Use it as FERRY_API_KEY or --api-key; revoke it with: ferry api-key revoke " + created.path("id").asText());
    }

    @Command(name = "ls", description = "List API keys, revoked ones too.")
    void ls(@Mixin ApiOptions options) {
        List<JsonNode> keys = options.api().apiKeys();
        Instant now = Instant.now();
        Table table = Table.of("API Keys", "Name", "ID", "Role", "Pools", "Prefix", "Created", "Last Used", "Revoked");
        for (JsonNode k : keys) {
            List<String> pools = new ArrayList<>();
            k.path("pools").forEach(p -> pools.add(p.asText()));
            table.row(k.path("name").asText(), k.path("id").asText(), k.path("role").asText(),
                    pools.isEmpty() ? "-" : String.join(", ", pools), k.path("prefix").asText() + "…",
                    Times.relative(Times.instant(k.path("created")), now),
                    k.path("last_used").isTextual() ? Times.relative(Times.instant(k.path("last_used")), now) : "never",
                    Times.relative(Times.instant(k.path("revoked_at")), now));
        }
        options.output().list(keys, table,
                "No API keys yet; create one with: ferry api-key create my-admin --role ADMIN");
    }

    @Command(name = "revoke", description = "Revoke an API key; requests with it are refused from now on.")
    void revoke(@Mixin ApiOptions options, @Parameters(paramLabel = "ID", description = "The key's ID (see 'ferry api-key ls').") String id) {
        JsonNode key = options.api().revokeApiKey(id);
        Output out = options.output();
        if (out.json()) out.print(key);
        else out.line("Revoked API key '" + key.path("name").asText() + "' (" + key.path("prefix").asText() + "…)");
    }

    @Command(name = "generate", description = "Make a new key and its SHA-256 hash on this machine, without a server: "
            + "the hash configures a new AWS stack's admin key (FERRY_ADMIN_KEY_HASH).")
    void generate(@Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
                          description = "table or json. Default: ${DEFAULT-VALUE}.") Output.Format format) {
        String key = ApiKeyService.newKey();
        String hash = ApiKeyService.hash(key);
        Output out = new Output(spec.commandLine().getOut(), format);
        if (out.json()) {
            out.print(Json.MAPPER.createObjectNode().put("key", key).put("sha256", hash));
            return;
        }
        out.line("Key:     " + key);
        out.line("SHA-256: " + hash);
        out.line("");
        out.line("Give the stack the hash only (FERRY_ADMIN_KEY_HASH); the key never leaves this machine and acts as ADMIN.");
        out.line("Store the key now: it is not kept anywhere. Use it as FERRY_API_KEY to create other keys.");
    }

    private static String pools(JsonNode key) {
        JsonNode pools = key.path("pools");
        if (!(pools instanceof ArrayNode array) || array.isEmpty()) return "";
        List<String> names = new ArrayList<>();
        array.forEach(p -> names.add(p.asText()));
        return ", pools " + String.join(", ", names);
    }
}
