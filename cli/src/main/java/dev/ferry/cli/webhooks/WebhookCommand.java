package dev.ferry.cli.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.KeyValues;
import dev.ferry.cli.commands.NameOrId;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.deployments.StartTimes;
import dev.ferry.cli.output.Output;
import dev.ferry.cli.output.Printable;
import dev.ferry.cli.output.Table;
import dev.ferry.cli.output.Times;
import dev.ferry.core.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "webhook", description = "Create webhooks (secret URLs whose requests become events), list and inspect "
        + "them with their deliveries, rotate their URL and secret, try a template, disable, enable and delete them.")
public final class WebhookCommand {
    // The server's ids; a name may look like one too, so a name is always tried first.
    private static final Duration MAX_GRACE = Duration.ofDays(30);
    private static final String SHOWN_ONCE = "Store the secret now: this is the only time it is shown "
            + "(ferry webhook rotate makes a new one).";

    @Command(name = "create", description = "Create a webhook and print its URL. A signing secret is read from "
            + "--secret-env or --secret-file (never from the command line); without one the server makes one and it "
            + "is printed this once.",
            footer = {"", "Example (GitHub push events as github.push, github-push.json holding the template):",
                    "  {\"event\": \"github.{{ headers['x-github-event'] }}\",",
                    "   \"resource\": {\"ferry.resource.id\": \"github.repo.{{ body.repository.name }}\"},",
                    "   \"payload\": {\"ref\": \"{{ body.ref }}\",",
                    "               \"branch\": \"{{ body.ref | replace('refs/heads/', '') }}\"}}",
                    "",
                    "  ferry webhook create github-push --verify github \\",
                    "    --template-file github-push.json --secret-env GITHUB_WEBHOOK_SECRET",
                    "",
                    "  On GitHub (Settings > Webhooks > Add webhook): Payload URL = the URL printed,",
                    "  Content type = application/json, Secret = the same secret.",
                    "",
                    "A sender signing its own way (HMAC-SHA512, base64, over timestamp.body):",
                    "  ferry webhook create acme --verify hmac --header X-Signature \\",
                    "    --algorithm sha512 --prefix sig= --encoding base64 \\",
                    "    --signed timestamp.body --timestamp-header X-Timestamp --window 60 \\",
                    "    --delivery-id-header X-Id --secret-file acme.secret \\",
                    "    --template-file acme.json"})
    void create(@Mixin ApiOptions options,
                @Parameters(paramLabel = "NAME", description = "Its name, e.g. github-push.") String name,
                @Option(names = "--template", paramLabel = "JSON", description = "Turns a request (method, headers "
                        + "with lower-case names, query, body) into an event {event, resource, related?, payload?, id?, "
                        + "occurred?}. Default: none, a request is read as a CloudEvent.") String template,
                @Option(names = "--template-file", paramLabel = "FILE", description = "The template from a file of JSON.")
                Path templateFile,
                @Option(names = "--verify", paramLabel = "KIND", defaultValue = "none", description = "How a request "
                        + "proves it comes from the sender: none, github (X-Hub-Signature-256), stripe (Stripe-Signature), "
                        + "standard (Standard Webhooks), hmac (the options marked hmac:), api-key (a DEPLOYER or ADMIN key). "
                        + "Default: ${DEFAULT-VALUE}.") String verify,
                @Option(names = Secrets.ENV, paramLabel = "VAR", description = "Sign with the secret in this environment "
                        + "variable. Default: the server makes one.") String secretEnv,
                @Option(names = Secrets.FILE, paramLabel = "FILE", description = "Sign with the secret in this file "
                        + "(a trailing newline is not part of it).") Path secretFile,
                @Mixin HmacOptions hmac) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", name);
        ObjectNode parsed = template(template, templateFile);
        if (parsed != null) body.set("template", parsed);
        ObjectNode verification = hmac.verification(verify);
        String secret = Secrets.read(secretEnv, secretFile, System::getenv);
        if (secret != null) verification.put("secret", secret);
        body.set("verify", verification);

        FerryApi api = options.api();
        Urls url = new Urls(api);
        JsonNode created = api.createWebhook(body);
        Output out = options.output();
        if (out.json()) {
            out.print(url.shown(created));
            return;
        }
        out.line("Created webhook '" + created.path("name").asText() + "' (verify " + created.at("/verify/kind").asText()
                + ", ID " + created.path("id").asText() + "). Its URL:");
        out.line("");
        out.line("    " + url.of(created));
        out.line("");
        secretLines(out, created, secretEnv, secretFile, "Requests must be signed with the secret from ");
    }

    @Command(name = "ls", description = "List webhooks by name, with their URLs.")
    void ls(@Mixin ApiOptions options) {
        FerryApi api = options.api();
        List<JsonNode> webhooks = api.webhooks();
        Urls url = new Urls(api);
        Table table = Table.of("Webhooks", "Name", "Verify", "Enabled", "URL", "Id");
        List<JsonNode> shown = new ArrayList<>();
        for (JsonNode w : webhooks) {
            table.row(w.path("name").asText(), w.at("/verify/kind").asText(), String.valueOf(w.path("enabled").asBoolean()),
                    url.of(w), w.path("id").asText());
            shown.add(url.shown(w));
        }
        options.output().list(shown, table,
                "No webhooks yet; create one with: ferry webhook create NAME --verify github --secret-env VAR");
    }

    @Command(name = "inspect", description = "Show a webhook (its URL, how it verifies requests, its template, the URLs "
            + "a rotation retired) and its latest deliveries, newest first, refused ones standing out. Deliveries are "
            + "kept for 7 days.",
            footer = {"", "Examples:",
                    "  ferry webhook inspect github-push",
                    "  ferry webhook inspect github-push --limit 100",
                    "  ferry webhook inspect github-push -o json"})
    void inspect(@Mixin ApiOptions options,
                 @Parameters(paramLabel = "NAME|ID", description = "The webhook's name (or its ID).") String ref,
                 @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
                         description = "Show at most this many deliveries, newest first. Default: ${DEFAULT-VALUE}.")
                 int limit) {
        if (limit < 1) throw new UsageError("--limit must be 1 or more (got " + limit + ")");
        FerryApi api = options.api();
        JsonNode webhook = find(api, ref);
        List<JsonNode> deliveries = api.webhookDeliveries(webhook.path("id").asText());
        Urls url = new Urls(api);
        Output out = options.output();
        if (out.json()) {
            ObjectNode doc = Json.MAPPER.createObjectNode();
            doc.set("webhook", url.shown(webhook));
            ArrayNode items = doc.putArray("deliveries");
            deliveries.stream().limit(limit).forEach(items::add);
            out.print(doc);
            return;
        }
        out.writer().print(Printable.text(new Inspection(webhook, deliveries, url.base(), ZoneId.systemDefault()).render(limit)));
        out.writer().flush();
    }

    @Command(name = "rotate", description = "Give a webhook a new URL and secret. The old ones keep working for --grace, "
            + "so the sender can move over without a refused delivery; then they stop.",
            footer = {"", "Examples:",
                    "  ferry webhook rotate github-push --grace 1h   # prints a new secret once",
                    "  ferry webhook rotate github-push --grace 30m \\",
                    "    --secret-env GITHUB_WEBHOOK_SECRET"})
    void rotate(@Mixin ApiOptions options,
                @Parameters(paramLabel = "NAME|ID", description = "The webhook's name (or its ID).") String ref,
                @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "0", description = "How long the "
                        + "old URL and secret keep working, e.g. 1h, 30m or 3600s (at most 30d). Default: ${DEFAULT-VALUE}, "
                        + "they stop at once.") String grace,
                @Option(names = Secrets.ENV, paramLabel = "VAR", description = "The new secret is in this environment "
                        + "variable. Default: the server makes one.") String secretEnv,
                @Option(names = Secrets.FILE, paramLabel = "FILE", description = "The new secret is in this file "
                        + "(a trailing newline is not part of it).") Path secretFile) {
        Duration keep = grace(grace);
        String secret = Secrets.read(secretEnv, secretFile, System::getenv);
        FerryApi api = options.api();
        JsonNode before = find(api, ref);
        ObjectNode request = Json.MAPPER.createObjectNode().put("grace_seconds", keep.toSeconds());
        if (secret != null) request.put("secret", secret);
        JsonNode rotated = api.rotateWebhook(before.path("id").asText(), request);
        Urls url = new Urls(api);
        Output out = options.output();
        if (out.json()) {
            out.print(url.shown(rotated));
            return;
        }
        out.line("Rotated webhook '" + rotated.path("name").asText() + "'. Its new URL:");
        out.line("");
        out.line("    " + url.of(rotated));
        out.line("");
        secretLines(out, rotated, secretEnv, secretFile, "Requests may now be signed with the new secret from ");
        String oldUrl = url.of(before);
        JsonNode until = null;
        for (JsonNode r : rotated.path("retired")) {
            if (r.path("path").asText().equals(before.path("path").asText())) until = r.get("until");
        }
        if (until == null) {
            out.line("The old URL (" + oldUrl + ") and secret stopped working now.");
        } else {
            out.line("The old URL (" + oldUrl + ") and secret keep working until "
                    + Times.local(Times.instant(until), ZoneId.systemDefault()) + " (" + Times.duration(keep)
                    + "): move the sender over before then.");
        }
    }

    @Command(name = "disable", description = "Turn a webhook off: its URLs answer 404, as if it were not there, until "
            + "enabled.")
    void disable(@Mixin ApiOptions options,
                 @Parameters(paramLabel = "NAME|ID", description = "The webhook's name (or its ID).") String ref) {
        setEnabled(options, ref, false);
    }

    @Command(name = "enable", description = "Turn a disabled webhook back on, at the URL it had.")
    void enable(@Mixin ApiOptions options,
                @Parameters(paramLabel = "NAME|ID", description = "The webhook's name (or its ID).") String ref) {
        setEnabled(options, ref, true);
    }

    @Command(name = "delete", description = "Delete a webhook; its URLs, retired ones too, stop answering.")
    void delete(@Mixin ApiOptions options,
                @Parameters(paramLabel = "NAME|ID", description = "The webhook's name (or its ID).") String ref) {
        FerryApi api = options.api();
        JsonNode webhook = find(api, ref);
        api.deleteWebhook(webhook.path("id").asText());
        if (!options.output().json()) options.output().line("Deleted webhook '" + webhook.path("name").asText() + "'");
    }

    @Command(name = "test", description = "Show the event a request to the webhook would make, by its template (or "
            + "read as a CloudEvent): nothing is emitted and no signature is checked.",
            footer = {"", "Example (a GitHub push, for the template of 'ferry webhook create --help'):",
                    "  ferry webhook test github-push --header X-GitHub-Event:push \\",
                    "    --body '{\"ref\": \"refs/heads/main\", \"repository\": {\"name\": \"ferry\"}}'"})
    void test(@Mixin ApiOptions options,
              @Parameters(paramLabel = "NAME|ID", description = "The webhook's name (or its ID).") String ref,
              @Option(names = "--header", paramLabel = "NAME:VALUE",
                      description = "A request header, e.g. X-GitHub-Event:push (repeatable).") List<String> headers,
              @Option(names = "--query", paramLabel = "KEY=VALUE",
                      description = "A query parameter of the request (repeatable).") List<String> query,
              @Option(names = "--body", paramLabel = "JSON", description = "The request's body, e.g. the JSON the sender "
                      + "posts.") String body,
              @Option(names = "--body-file", paramLabel = "FILE", description = "The request's body from a file.")
              Path bodyFile) {
        ObjectNode sample = Json.MAPPER.createObjectNode();
        Map<String, String> sent = pairs("--header", headers, ':', "X-GitHub-Event:push");
        if (!sent.isEmpty()) sample.set("headers", Json.MAPPER.valueToTree(sent));
        Map<String, String> asked = pairs("--query", query, '=', "ref=main");
        if (!asked.isEmpty()) sample.set("query", Json.MAPPER.valueToTree(asked));
        String text = body(body, bodyFile);
        if (text != null) sample.put("body", text);

        FerryApi api = options.api();
        JsonNode answer = api.testWebhook(find(api, ref).path("id").asText(), sample);
        Output out = options.output();
        out.print(out.json() ? answer : answer.path("event"));
    }

    private static void setEnabled(ApiOptions options, String ref, boolean enabled) {
        FerryApi api = options.api();
        JsonNode webhook = find(api, ref);
        JsonNode changed = api.updateWebhook(webhook.path("id").asText(), Json.MAPPER.createObjectNode().put("enabled", enabled));
        Urls url = new Urls(api);
        Output out = options.output();
        if (out.json()) {
            out.print(url.shown(changed));
        } else if (enabled) {
            out.line("Enabled webhook '" + changed.path("name").asText() + "' at " + url.of(changed));
        } else {
            out.line("Disabled webhook '" + changed.path("name").asText() + "': its URLs answer 404 until enabled");
        }
    }

    /** The secret the server made, shown once; else where the given one came from, never the secret itself. */
    private static void secretLines(Output out, JsonNode answer, String secretEnv, Path secretFile, String given) {
        JsonNode secret = answer.path("secret");
        if (secret.isTextual()) {
            out.line("Secret (made by the server):");
            out.line("");
            out.line("    " + secret.asText());
            out.line("");
            out.line(SHOWN_ONCE);
        } else if (secretEnv != null || secretFile != null) {
            out.line(given + Secrets.source(secretEnv, secretFile) + ".");
        }
    }

    /** By name; by ID when no webhook has that name and it looks like an ID. A miss says so with the name. */
    static JsonNode find(FerryApi api, String ref) {
        return NameOrId.find("webhook", ref, NameOrId.unique(api::webhookByName), api::webhook, a -> a.path("id").asText());
    }

    static ObjectNode template(String json, Path file) {
        if (json != null && file != null) throw new UsageError("give --template or --template-file, not both");
        if (json != null) return KeyValues.object("--template", json);
        if (file == null) return null;
        return KeyValues.object("--template-file '" + file + "'", read("--template-file", file));
    }

    static String body(String text, Path file) {
        if (text != null && file != null) throw new UsageError("give --body or --body-file, not both");
        return file == null ? text : read("--body-file", file);
    }

    /** {@code 0}, or a duration like {@code 1h}, {@code 30m}, {@code 3600s}, up to what the server keeps old secrets for. */
    static Duration grace(String text) {
        Duration grace = text.strip().equals("0") ? Duration.ZERO : StartTimes.duration("--grace", text);
        if (grace.compareTo(MAX_GRACE) > 0) {
            throw new UsageError("--grace '" + text + "' is longer than 30d, the longest an old URL and secret keep working");
        }
        return grace;
    }

    /** {@code NAME:VALUE} (or {@code KEY=VALUE}) pairs in the order given; a usage error naming the option for a bad one. */
    static Map<String, String> pairs(String option, List<String> given, char separator, String example) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (given == null) return pairs;
        for (String pair : given) {
            int at = pair.indexOf(separator);
            String key = at < 0 ? "" : pair.substring(0, at).strip();
            if (key.isEmpty()) throw new UsageError(option + " '" + pair + "' must look like " + example);
            pairs.put(key, pair.substring(at + 1).strip());
        }
        return pairs;
    }

    private static String read(String option, Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageError(option + " '" + file + "' does not exist");
        } catch (IOException e) {
            throw new UsageError(option + " '" + file + "' cannot be read: " + e.getMessage());
        }
    }

    /** Where the webhook's paths are: the URL this CLI calls the API at. */
    private record Urls(String base) {
        Urls(FerryApi api) {
            this(api.http().baseUrl().toString());
        }

        String of(JsonNode webhook) {
            return base + webhook.path("path").asText();
        }

        /** The API's webhook with {@code url} and {@code slug}, for {@code -o json}. */
        ObjectNode shown(JsonNode webhook) {
            ObjectNode shown = Json.MAPPER.createObjectNode();
            String path = webhook.path("path").asText();
            shown.put("url", base + path).put("slug", path.substring(path.lastIndexOf('/') + 1));
            shown.setAll((ObjectNode) webhook);
            return shown;
        }
    }

    /** The settings of a webhook verified by {@code --verify hmac}; each names its option when given for another kind. */
    static final class HmacOptions {
        @Option(names = "--header", paramLabel = "HEADER", description = "hmac: the header the signature comes in, "
                + "e.g. X-Signature.") String header;

        @Option(names = "--algorithm", paramLabel = "ALGORITHM", description = "hmac: sha1, sha256 or sha512. "
                + "Default: sha256.") String algorithm;

        @Option(names = "--prefix", paramLabel = "PREFIX", description = "hmac: what comes before the signature in the "
                + "header, e.g. sha256=.") String prefix;

        @Option(names = "--encoding", paramLabel = "ENCODING", description = "hmac: hex or base64. Default: hex.")
        String encoding;

        @Option(names = "--signed", paramLabel = "WHAT", description = "hmac: body, or timestamp.body (the timestamp "
                + "header's value, a dot, the body). Default: body.") String signed;

        @Option(names = "--timestamp-header", paramLabel = "HEADER", description = "hmac: the header the timestamp "
                + "comes in (for --signed timestamp.body).") String timestampHeader;

        @Option(names = "--window", paramLabel = "SECONDS", description = "hmac: how old a timestamp may be. "
                + "Default: 300.") Integer window;

        @Option(names = "--delivery-id-header", paramLabel = "HEADER", description = "hmac: the header with the "
                + "sender's delivery id; a delivery sent again is then one event.") String deliveryIdHeader;

        /** {@code {kind, ...}}, the hmac settings included only for kind hmac. */
        ObjectNode verification(String kind) {
            record Setting(String option, String field, Object value) {}
            List<Setting> given = List.of(new Setting("--header", "header", header),
                    new Setting("--algorithm", "algorithm", algorithm), new Setting("--prefix", "prefix", prefix),
                    new Setting("--encoding", "encoding", encoding), new Setting("--signed", "signed", signed),
                    new Setting("--timestamp-header", "timestamp_header", timestampHeader),
                    new Setting("--window", "window_seconds", window),
                    new Setting("--delivery-id-header", "delivery_id_header", deliveryIdHeader));
            ObjectNode verify = Json.MAPPER.createObjectNode().put("kind", kind);
            boolean hmac = "hmac".equals(kind);
            for (Setting s : given) {
                if (s.value() == null) continue;
                if (!hmac) {
                    throw new UsageError(s.option() + " is for --verify hmac only; --verify " + kind
                            + " takes none of the hmac options");
                }
                if (s.value() instanceof Integer n) verify.put(s.field(), n);
                else verify.put(s.field(), (String) s.value());
            }
            if (hmac && header == null) {
                throw new UsageError("--verify hmac needs --header: the header the signature comes in, e.g. X-Signature");
            }
            return verify;
        }
    }
}
