package dev.ferry.cli.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.output.Output;
import dev.ferry.cli.output.Table;
import dev.ferry.cli.output.Times;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code ferry webhook inspect} as text: the webhook (its URL, how it verifies, its template and
 * the addresses a rotation retired), then its latest deliveries, newest first. A refusal is the
 * answer to "why did my sender's request make no event?", so it is written in capitals and counted.
 */
final class Inspection {
    private static final String REFUSED = "refused";
    private static final String INDENT = " ".repeat(13);

    private final JsonNode webhook;
    private final List<JsonNode> deliveries;
    private final String base;
    private final ZoneId zone;

    /** {@code base}: the API's URL, to which the webhook's paths are relative. */
    Inspection(JsonNode webhook, List<JsonNode> deliveries, String base, ZoneId zone) {
        this.webhook = webhook;
        this.deliveries = deliveries;
        this.base = base;
        this.zone = zone;
    }

    String render(int limit) {
        StringBuilder out = new StringBuilder();
        out.append("Webhook '").append(webhook.path("name").asText()).append("' (").append(webhook.path("id").asText())
                .append(")\n");
        field(out, "URL", base + webhook.path("path").asText());
        field(out, "Verify", verify(webhook.path("verify")));
        field(out, "Enabled", webhook.path("enabled").asBoolean() ? "true"
                : "false (its URLs answer 404 until: ferry webhook enable " + webhook.path("name").asText() + ")");
        JsonNode template = webhook.path("template");
        if (template.isObject()) field(out, "Template", Output.pretty(template).replace("\n", "\n" + INDENT));
        else field(out, "Template", "none: a request is read as a CloudEvent");
        JsonNode retired = webhook.path("retired");
        if (retired.isEmpty()) field(out, "Retired", "none");
        for (int i = 0; i < retired.size(); i++) {
            JsonNode r = retired.get(i);
            field(out, i == 0 ? "Retired" : "", base + r.path("path").asText() + " (and its secret) until "
                    + Times.local(Times.instant(r.get("until")), zone));
        }
        return out.append('\n').append(deliveries(limit)).toString();
    }

    private String deliveries(int limit) {
        Table table = Table.of("Deliveries (newest first)", "At", "Status", "Outcome", "Detail", "Event");
        int refused = 0;
        for (int i = 0; i < Math.min(limit, deliveries.size()); i++) {
            JsonNode d = deliveries.get(i);
            String outcome = d.path("outcome").asText();
            if (REFUSED.equals(outcome)) refused++;
            String detail = d.path("detail").asText("");
            // the server marks a delivery to an address a rotation replaced: the sender has yet to move over
            if ("retired".equals(d.path("slug").asText())) detail = detail.isEmpty() ? "to a retired URL" : detail + "; to a retired URL";
            table.row(Times.local(Times.instant(d.get("at")), zone), d.path("status").asText(), outcome(outcome), detail,
                    d.path("event_id").asText(""));
        }
        if (table.isEmpty()) return "Deliveries: none yet (they are kept for 7 days)\n";
        StringBuilder out = new StringBuilder(table.render());
        if (refused > 0) {
            out.append(refused).append(" refused: a signature (or API key) missing, stale or not made with the secret; "
                    + "Detail says which\n");
        }
        if (deliveries.size() > limit) {
            out.append("Showing the newest ").append(limit).append(" of ").append(deliveries.size())
                    .append(" deliveries; show more with --limit ").append(deliveries.size()).append('\n');
        }
        return out.toString();
    }

    private static String outcome(String outcome) {
        return switch (outcome) {
            case REFUSED -> "REFUSED";
            case "invalid" -> "INVALID";
            case "too_large" -> "TOO LARGE";
            case "rate_limited" -> "RATE LIMITED";
            default -> outcome;
        };
    }

    /** The kind, and for hmac its settings: {@code hmac (header=X-Signature, algorithm=sha512, ...)}. */
    static String verify(JsonNode verify) {
        StringBuilder s = new StringBuilder(verify.path("kind").asText("none"));
        List<String> settings = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = verify.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("kind") || !field.getValue().isValueNode() || field.getValue().isNull()) continue;
            settings.add(field.getKey() + "=" + field.getValue().asText());
        }
        if (!settings.isEmpty()) s.append(" (").append(String.join(", ", settings)).append(")");
        return s.toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(name.isEmpty() ? INDENT : String.format("%-13s", name + ":")).append(value).append('\n');
    }
}
