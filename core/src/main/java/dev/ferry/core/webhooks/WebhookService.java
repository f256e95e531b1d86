package dev.ferry.core.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Contention;
import dev.ferry.core.common.Documents;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.NameCursors;
import dev.ferry.core.common.Names;
import dev.ferry.core.common.Page;
import dev.ferry.core.common.Revisions;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.EventService;
import dev.ferry.core.events.NewEvent;
import dev.ferry.core.events.Resource;
import dev.ferry.core.templates.JsonTemplate;
import dev.ferry.core.templates.TemplateFailure;
import dev.ferry.core.triggers.Ring;
import dev.ferry.core.triggers.TriggerStore;
import dev.ferry.core.triggers.TriggerStore.Change;
import dev.ferry.core.triggers.TriggerStore.Entry;
import dev.ferry.core.triggers.TriggerStore.Key;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Webhooks: secret URLs ({@code /hooks/<slug>}) whose requests become events. A webhook lives
 * under its name, with pointers under its id and under each slug it answers to; a request is
 * checked (its signature, its size, the webhook's rate), turned into an event by the webhook's
 * template (or read as a CloudEvent) and emitted. The sender's delivery id, where it has one,
 * becomes the event's id: a delivery sent again is the same event, stored once.
 */
public final class WebhookService {
    public static final int MAX_BODY_BYTES = 256 * 1024;
    public static final Duration MAX_GRACE = Duration.ofDays(30);
    static final String WEBHOOKS = "webhooks";
    static final String IDS = "webhook-ids";
    static final String SLUGS = "webhook-slugs";
    static final int DELIVERY_SLOTS = 100;
    /** Webhooks whose parsed template, or last refusal, a process keeps at most. */
    private static final int MAX_REMEMBERED = 1000;
    static final Duration DELIVERIES_FOR = Duration.ofDays(7);
    private static final Set<String> KINDS = Set.of("none", "github", "stripe", "standard", "hmac", "api-key");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TriggerStore store;
    private final EventService events;
    private final Clock clock;
    private final Ids ids;
    private final RateLimits rates;
    /** When each webhook's last refused delivery was recorded: a flood that is turned away writes one record a second. */
    private final Map<String, Instant> refusalsRecorded = new ConcurrentHashMap<>();
    /** Templates parsed once per webhook revision: a delivery renders, it doesn't parse. */
    private final Map<String, JsonTemplate> templates = new ConcurrentHashMap<>();

    public WebhookService(TriggerStore store, EventService events, Clock clock, Ids ids) {
        this.store = store;
        this.rates = new RateLimits(store);
        this.events = events;
        this.clock = clock;
        this.ids = ids;
    }

    public record NewWebhook(String name, ObjectNode template, ObjectNode verify, Boolean enabled) {}

    /** A webhook as created or rotated: {@code secret} is the only time its secret is shown (null when the caller gave it). */
    public record Created(Webhook webhook, String secret) {}

    /** A request to {@code /hooks/<slug>}: header names lower case, the body as its raw bytes. */
    public record Inbound(String slug, String method, Map<String, String> headers, Map<String, String> query, byte[] body) {}

    /** What the request is answered: the status, a short body, and headers to add. */
    public record Answer(int status, Map<String, Object> body, Map<String, String> headers) {}

    public Created create(NewWebhook request) {
        String name = Names.check("name", request.name());
        ObjectNode template = checkTemplate(request.template());
        Verification verification = verification(request.verify());
        String generated = null;
        if (verification.needsSecret() && verification.secret() == null) {
            generated = secretFor(verification.kind());
            verification = verification.withSecret(generated);
        }
        Instant now = clock.now();
        Webhook webhook = new Webhook(ids.next(), name, slug(), template, verification, request.enabled() == null || request.enabled(),
                List.of(), now, now, 1);
        boolean created = store.commit(List.of(
                Change.create(new Key(WEBHOOKS, name), Documents.write(webhook), null, null),
                Change.create(new Key(IDS, webhook.id()), pointer(name), null, null),
                Change.create(new Key(SLUGS, webhook.slug()), pointer(name), null, null)));
        if (!created) throw BadInput.conflict("name", "a webhook named '" + name + "' exists; pick another name or change that one");
        return new Created(webhook, generated);
    }

    public Webhook get(String id) {
        return find(IDS, id).orElseThrow(() -> BadInput.notFound("webhook", id));
    }

    public Webhook byName(String name) {
        return store.get(new Key(WEBHOOKS, name)).map(WebhookService::webhook).orElseThrow(() -> BadInput.notFound("webhook", name));
    }

    public Page<Webhook> list(int limit, String cursor) {
        String after = cursor == null ? null : NameCursors.decode(WEBHOOKS, cursor);
        List<Entry> entries = store.scan(WEBHOOKS, after, false, limit + 1);
        List<Webhook> items = entries.stream().limit(limit).map(WebhookService::webhook).toList();
        return new Page<>(items, entries.size() > limit ? NameCursors.encode(WEBHOOKS, items.get(limit - 1).name()) : null);
    }

    /** Turns a webhook on or off; one that is off answers 404, as if it were not there. */
    public Webhook setEnabled(String id, boolean enabled) {
        return write(id, w -> new Webhook(w.id(), w.name(), w.slug(), w.template(), w.verification(), enabled, w.retired(),
                w.created(), clock.now(), w.revision()), List.of());
    }

    public Webhook setTemplate(String id, ObjectNode template) {
        ObjectNode checked = checkTemplate(template);
        return write(id, w -> new Webhook(w.id(), w.name(), w.slug(), checked, w.verification(), w.enabled(), w.retired(),
                w.created(), clock.now(), w.revision()), List.of());
    }

    /**
     * A new slug and secret. The old ones keep working for {@code grace} (senders can move over
     * without a refused delivery), then stop. {@code secret} null: a new one is made and shown once.
     */
    public Created rotate(String id, Duration grace, String secret) {
        if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
            throw BadInput.invalid("grace_seconds", "'grace_seconds' must be between 0 and " + MAX_GRACE.toSeconds());
        }
        Webhook current = get(id);
        if (secret != null) checkSecret("secret", current.verification().kind(), secret);
        String fresh = current.verification().needsSecret() ? (secret != null ? secret : secretFor(current.verification().kind())) : null;
        String slug = slug();
        Instant now = clock.now();
        Instant until = now.plus(grace);
        Webhook rotated = write(id, w -> {
            List<Webhook.Retired> retired = new ArrayList<>(w.retired().stream().filter(r -> now.isBefore(r.until())).toList());
            if (!grace.isZero()) retired.add(new Webhook.Retired(w.slug(), w.verification().secret(), until));
            return new Webhook(w.id(), w.name(), slug, w.template(), w.verification().withSecret(fresh), w.enabled(), retired,
                    w.created(), now, w.revision());
        }, List.of(Change.create(new Key(SLUGS, slug), pointer(current.name()), null, null)));
        // the old slug's pointer goes when its grace does
        store.get(new Key(SLUGS, current.slug())).ifPresent(e -> store.commit(grace.isZero() ? List.of(Change.delete(e))
                : List.of(Change.replace(e, e.doc(), null, until))));
        return new Created(rotated, secret == null ? fresh : null);
    }

    /**
     * Deletes the webhook with its id, its address and its retired addresses in one commit; on a
     * refused commit it reads them again and retries, and a webhook gone meanwhile is deleted.
     */
    public void delete(String id) {
        Webhook w = get(id);
        for (int attempt = 0; attempt < Revisions.MAX_ATTEMPTS; attempt++) {
            Map<Key, Change> changes = new LinkedHashMap<>();
            List<Key> keys = new ArrayList<>(List.of(new Key(WEBHOOKS, w.name()), new Key(IDS, w.id()), new Key(SLUGS, w.slug())));
            for (Webhook.Retired r : w.retired()) keys.add(new Key(SLUGS, r.slug()));
            for (Key key : keys) store.get(key).ifPresent(e -> changes.putIfAbsent(key, Change.delete(e)));
            if (changes.isEmpty() || store.commit(List.copyOf(changes.values()))) return;
            Optional<Webhook> now = find(IDS, id);
            if (now.isEmpty()) return;
            w = now.get();
        }
        throw new Contention("webhook " + w.name() + " kept changing while being deleted; try again");
    }

    /** The latest deliveries, newest first (about the last 100 of the past 7 days). */
    public List<Delivery> deliveries(String id) {
        Webhook w = get(id);
        List<Delivery> out = new ArrayList<>(store.scan(deliveriesGroup(w.id()), null, false, DELIVERY_SLOTS).stream()
                .map(e -> Documents.readStored(e.doc(), Delivery.class)).toList());
        out.sort(Comparator.comparing(Delivery::at).reversed());
        return out;
    }

    /** What a request would become, without emitting it or checking its signature: for trying a template. */
    public NewEvent test(String id, Inbound sample) {
        Webhook w = get(id);
        try {
            return event(w, sample, null);
        } catch (TemplateFailure e) {
            throw BadInput.invalid("template", "the template could not render: " + e.getMessage());
        }
    }

    /** Answers a request to {@code /hooks/<slug>}. {@code apiKeyAllowed}: whether an Authorization header is a key that may emit events. */
    public Answer receive(Inbound request, Predicate<String> apiKeyAllowed) {
        Instant now = clock.now();
        Optional<Webhook> found = find(SLUGS, request.slug()).filter(Webhook::enabled).filter(w -> answersTo(w, request.slug(), now));
        if (found.isEmpty()) return answer(404, "no webhook answers at this address");
        Webhook w = found.get();
        if (!rates.take(w.id(), now)) {
            Answer limited = new Answer(429, Map.of("detail", "too many requests to this webhook; send it again shortly"),
                    Map.of("Retry-After", "1"));
            Instant last = refusalsRecorded.get(w.id());
            if (last != null && now.isBefore(last.plusSeconds(1))) return limited;
            if (refusalsRecorded.size() > MAX_REMEMBERED) refusalsRecorded.clear();
            refusalsRecorded.put(w.id(), now);
            return record(w, request, limited, "rate_limited", null, null);
        }
        if (request.body() != null && request.body().length > MAX_BODY_BYTES) {
            return record(w, request, answer(413, "the body is larger than " + MAX_BODY_BYTES + " bytes"), "too_large", null, null);
        }
        byte[] body = request.body() == null ? new byte[0] : request.body();
        Verification v = w.verification();
        Optional<String> refused = v.kind().equals("api-key")
                ? (apiKeyAllowed.test(request.headers().get("authorization")) ? Optional.empty()
                        : Optional.of("the Authorization header carries no API key that may emit events"))
                : Signatures.refusal(v, w.secrets(now), request.headers(), body, now);
        if (refused.isPresent()) {
            publishRefusal(w, request, refused.get(), now);
            return record(w, request, answer(401, "refused: " + refused.get()), "refused", refused.get(), null);
        }
        String deliveryId = Signatures.deliveryId(v, request.headers());
        NewEvent event;
        try {
            event = event(w, request, deliveryId);
        } catch (TemplateFailure e) {
            return record(w, request, answer(400, "the webhook's template could not render: " + e.getMessage()), "invalid",
                    e.getMessage(), deliveryId);
        } catch (BadInput e) {
            return record(w, request, answer(400, e.getMessage()), "invalid", e.getMessage(), deliveryId);
        }
        EventService.Emitted emitted;
        try {
            emitted = events.emit(List.of(event));
        } catch (BadInput e) {
            String reason = "the event the template made is refused: " + e.getMessage().replace("'[0].", "'");
            return record(w, request, answer(400, reason), "invalid", reason, deliveryId);
        }
        boolean duplicate = emitted.accepted().isEmpty();
        String eventId = duplicate ? emitted.duplicates().get(0) : emitted.accepted().get(0);
        Answer answer = new Answer(202, Map.of("event_id", eventId, "duplicate", duplicate), Map.of());
        return record(w, request, answer, duplicate ? "duplicate" : "accepted", null, deliveryId, eventId);
    }

    /** The event a request makes: the template's result, or the request read as a CloudEvent. */
    private NewEvent event(Webhook w, Inbound request, String deliveryId) throws TemplateFailure {
        JsonNode body = body(request);
        JsonNode made;
        if (w.template() == null) {
            made = CloudEvents.event(request.headers(), body);
        } else {
            ObjectNode context = Json.MAPPER.createObjectNode();
            context.put("method", request.method());
            ObjectNode headers = context.putObject("headers");
            request.headers().forEach(headers::put);
            ObjectNode query = context.putObject("query");
            request.query().forEach(query::put);
            context.set("body", body);
            context.putObject("webhook").put("id", w.id()).put("name", w.name());
            made = template(w).render(context);
        }
        if (!made.isObject()) throw BadInput.invalid("template", "the template made " + made.getNodeType() + ", not an event object");
        NewEvent event;
        try {
            event = Json.MAPPER.convertValue(made, NewEvent.class);
        } catch (IllegalArgumentException e) {
            throw BadInput.invalid("template", "the template's result is not an event {event, resource, related?, payload?, id?, "
                    + "occurred?}: " + e.getMessage().lines().findFirst().orElse(""));
        }
        // a delivery sent again is the same event; without a delivery id, each request is an event of its own
        String id = deliveryId != null ? UUID.nameUUIDFromBytes(("webhook/" + w.id() + "/" + deliveryId)
                .getBytes(StandardCharsets.UTF_8)).toString() : event.id();
        List<JsonNode> related = new ArrayList<>(event.related() == null ? List.of() : event.related());
        related.add(Json.MAPPER.valueToTree(Resource.related("ferry.webhook." + w.id(), w.name(), "webhook").labels()));
        return new NewEvent(id, event.occurred(), event.event(), event.resource(), related, event.payload(), event.follows());
    }

    private static JsonNode body(Inbound request) {
        byte[] bytes = request.body() == null ? new byte[0] : request.body();
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) return Json.MAPPER.nullNode();
        String type = request.headers().getOrDefault("content-type", "").toLowerCase(Locale.ROOT);
        if (type.contains("json") || text.strip().startsWith("{") || text.strip().startsWith("[")) {
            try {
                return Json.MAPPER.readTree(text);
            } catch (Exception e) {
                // not JSON after all: the template sees the text
            }
        }
        return Json.MAPPER.getNodeFactory().textNode(text);
    }

    private void publishRefusal(Webhook w, Inbound request, String reason, Instant now) {
        ObjectNode payload = Json.MAPPER.createObjectNode().put("reason", reason).put("method", request.method());
        String id = UUID.nameUUIDFromBytes(("webhook/" + w.id() + "/refused/" + now + "/" + reason).getBytes(StandardCharsets.UTF_8))
                .toString();
        events.publish(new Event(id, now, "ferry.webhook.refused", Resource.of("ferry.webhook." + w.id(), w.name()), List.of(),
                payload, null, null));
    }

    private Answer record(Webhook w, Inbound request, Answer answer, String outcome, String detail, String deliveryId) {
        return record(w, request, answer, outcome, detail, deliveryId, null);
    }

    private Answer record(Webhook w, Inbound request, Answer answer, String outcome, String detail, String deliveryId,
                          String eventId) {
        Instant now = clock.now();
        Delivery delivery = new Delivery(now, answer.status(), outcome, detail, eventId, deliveryId,
                request.slug().equals(w.slug()) ? null : "retired");
        try {
            store.commit(List.of(Change.put(new Key(deliveriesGroup(w.id()), Ring.next(DELIVERY_SLOTS)), Documents.write(delivery),
                    now.plus(DELIVERIES_FOR))));
        } catch (RuntimeException e) {
            // the record of a delivery is for people; the answer stands
        }
        return answer;
    }

    private static boolean answersTo(Webhook w, String slug, Instant now) {
        return w.slug().equals(slug) || w.retired().stream().anyMatch(r -> r.slug().equals(slug) && now.isBefore(r.until()));
    }

    private Optional<Webhook> find(String group, String item) {
        Optional<Entry> pointer = store.get(new Key(group, item));
        if (pointer.isEmpty()) return Optional.empty();
        String name = Json.tree(pointer.get().doc()).path("name").asText();
        return store.get(new Key(WEBHOOKS, name)).map(WebhookService::webhook);
    }

    private Webhook write(String id, UnaryOperator<Webhook> change, List<Change> alongside) {
        for (int attempt = 0; attempt < Revisions.MAX_ATTEMPTS; attempt++) {
            Webhook current = get(id);
            Entry entry = store.get(new Key(WEBHOOKS, current.name())).orElseThrow(() -> BadInput.notFound("webhook", id));
            Webhook next = change.apply(current).withRevision(entry.revision() + 1);
            List<Change> changes = new ArrayList<>(alongside);
            changes.add(0, Change.replace(entry, Documents.write(next), null, null));
            if (store.commit(changes)) return next;
        }
        throw new Contention("webhook " + id + " kept changing under " + Revisions.MAX_ATTEMPTS + " attempts; try again");
    }

    private JsonTemplate template(Webhook w) {
        // bounded by the webhooks that receive; stale revisions go with the next clear
        if (templates.size() > MAX_REMEMBERED) templates.clear();
        return templates.computeIfAbsent(w.id() + "@" + w.revision(), key -> JsonTemplate.compile("template", w.template()));
    }

    private static ObjectNode checkTemplate(ObjectNode template) {
        if (template == null) return null;
        if (Json.bytes(template).length > 16 * 1024) throw BadInput.invalid("template", "'template' is larger than 16 KiB");
        JsonTemplate.compile("template", template);
        if (!template.has("event")) {
            throw BadInput.invalid("template.event", "the template must make an 'event' name, like \"github.{{ headers['x-github-event'] }}\"");
        }
        if (!template.has("resource")) {
            throw BadInput.invalid("template.resource", "the template must make a 'resource', like {\"ferry.resource.id\": "
                    + "\"github.repo.{{ body.repository.name }}\"}");
        }
        return template;
    }

    private static Verification verification(ObjectNode node) {
        if (node == null) return Verification.NONE;
        Verification v;
        try {
            v = Json.MAPPER.convertValue(node, Verification.class);
        } catch (IllegalArgumentException e) {
            throw BadInput.malformed("verify", "'verify' takes kind, secret, header, algorithm, prefix, encoding, signed, "
                    + "timestamp_header, window_seconds and delivery_id_header");
        }
        if (v.kind() == null || !KINDS.contains(v.kind())) {
            throw BadInput.invalid("verify.kind", "'verify.kind' must be one of none, github, stripe, standard, hmac, api-key");
        }
        if (v.secret() != null) {
            if (!v.needsSecret()) throw BadInput.invalid("verify.secret", "a webhook verified by " + v.kind() + " takes no secret");
            checkSecret("verify.secret", v.kind(), v.secret());
        }
        boolean hmac = v.kind().equals("hmac");
        for (String field : List.of("header", "algorithm", "prefix", "encoding", "signed", "timestamp_header", "window_seconds",
                "delivery_id_header")) {
            if (!hmac && node.hasNonNull(field)) {
                throw BadInput.invalid("verify." + field, "'verify." + field + "' is for kind hmac only (" + v.kind() + " has its own)");
            }
        }
        if (!hmac) return v;
        if (v.header() == null || !v.header().matches("[A-Za-z0-9-]{1,100}")) {
            throw BadInput.invalid("verify.header", "'verify.header' names the header the signature comes in, like X-Signature");
        }
        String algorithm = v.algorithm() == null ? "sha256" : v.algorithm();
        if (!Set.of("sha1", "sha256", "sha512").contains(algorithm)) {
            throw BadInput.invalid("verify.algorithm", "'verify.algorithm' must be sha1, sha256 or sha512");
        }
        String encoding = v.encoding() == null ? "hex" : v.encoding();
        if (!Set.of("hex", "base64").contains(encoding)) throw BadInput.invalid("verify.encoding", "'verify.encoding' must be hex or base64");
        String signed = v.signed() == null ? "body" : v.signed();
        if (!Set.of("body", "timestamp.body").contains(signed)) {
            throw BadInput.invalid("verify.signed", "'verify.signed' must be body or timestamp.body");
        }
        if (signed.equals("timestamp.body") && (v.timestampHeader() == null || !v.timestampHeader().matches("[A-Za-z0-9-]{1,100}"))) {
            throw BadInput.invalid("verify.timestamp_header", "signing timestamp.body needs 'verify.timestamp_header'");
        }
        int window = v.windowSeconds() == null ? 300 : v.windowSeconds();
        if (window < 1 || window > 86_400) throw BadInput.invalid("verify.window_seconds", "'verify.window_seconds' must be 1 to 86400");
        if (v.deliveryIdHeader() != null && !v.deliveryIdHeader().matches("[A-Za-z0-9-]{1,100}")) {
            throw BadInput.invalid("verify.delivery_id_header", "'verify.delivery_id_header' must be a header name");
        }
        if (v.prefix() != null && v.prefix().length() > 100) throw BadInput.invalid("verify.prefix", "'verify.prefix' is too long");
        return new Verification("hmac", v.secret(), v.header(), algorithm, v.prefix(), encoding, signed, v.timestampHeader(), window,
                v.deliveryIdHeader());
    }

    private static void checkSecret(String field, String kind, String secret) {
        if (secret.length() < 16 || secret.length() > 1024 || secret.chars().anyMatch(Character::isISOControl)) {
            throw BadInput.invalid(field, "'" + field + "' must be 16 to 1024 characters (a guessable secret signs nothing)");
        }
        if (kind.equals("standard") && (!secret.startsWith("whsec_") || decodes(secret.substring(6)) == null)) {
            throw BadInput.invalid(field, "a Standard Webhooks secret is whsec_ and base64, like the sender shows it");
        }
    }

    private static byte[] decodes(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String secretFor(String kind) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return kind.equals("standard") ? "whsec_" + Base64.getEncoder().encodeToString(bytes)
                : Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String slug() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String pointer(String name) {
        return Json.MAPPER.createObjectNode().put("name", name).toString();
    }

    static String deliveriesGroup(String webhookId) {
        return "deliveries/" + webhookId;
    }

    static Webhook webhook(Entry entry) {
        return Documents.readStored(entry.doc(), Webhook.class).withRevision(entry.revision());
    }

    private static Answer answer(int status, String detail) {
        return new Answer(status, Map.of("detail", detail), Map.of());
    }
}
