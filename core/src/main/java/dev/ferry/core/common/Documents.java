package dev.ferry.core.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How both stores keep a record: as its JSON document behind a format version, {@code {"v":1,...}}.
 * A store reads the formats it knows and refuses the others by name: format 0 (documents written
 * before the version existed) has the same shape as 1; a newer format, written by a later Ferry,
 * fails loudly instead of being misread. A change to a record's stored shape raises
 * {@link #FORMAT} and says here how the previous format reads.
 */
public final class Documents {
    public static final int FORMAT = 1;
    private static final String VERSIONED = "{\"v\":";
    private static final String CURRENT = VERSIONED + FORMAT + ",";

    private Documents() {}

    /** The document to store for {@code record} (a record or another JSON object). */
    public static String write(Object record) {
        String json = Json.string(record);
        return json.length() == 2 ? VERSIONED + FORMAT + "}" : CURRENT + json.substring(1);
    }

    public static <T> T read(String doc, Class<T> type) throws JsonProcessingException {
        return Json.MAPPER.readValue(body(doc), type);
    }

    /** As {@link #read}, for documents only Ferry writes: one that can't be read is a broken store, not bad input. */
    public static <T> T readStored(String doc, Class<T> type) {
        try {
            return read(doc, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored " + type.getSimpleName() + " cannot be read back ("
                    + e.getOriginalMessage() + "); was it written by another Ferry version?", e);
        }
    }

    /**
     * A stored pool's, queue's or deployment's document, with the revision its store keeps beside
     * it (the column or attribute conditions compare). Documents are written with that revision as
     * their last field, so they are read as they are; one written before revisions existed has
     * none and gets the stored one (0) put in first, which costs a second pass over the document.
     */
    public static <T> T readRevised(String doc, long revision, Class<T> type) throws JsonProcessingException {
        String body = body(doc);
        if (body.endsWith("\"revision\":" + revision + "}")) return Json.MAPPER.readValue(body, type);
        ObjectNode node = (ObjectNode) Json.MAPPER.readTree(body);
        node.put("revision", revision);
        return Json.MAPPER.treeToValue(node, type);
    }

    /** The record's own JSON, whatever format it was kept in. */
    private static String body(String doc) {
        if (doc.startsWith(CURRENT)) return "{" + doc.substring(CURRENT.length());
        if (doc.equals(VERSIONED + FORMAT + "}")) return "{}";
        if (!doc.startsWith(VERSIONED)) return doc; // format 0
        int end = doc.indexOf(',', VERSIONED.length());
        String format = doc.substring(VERSIONED.length(), end < 0 ? Math.min(doc.length(), VERSIONED.length() + 8) : end);
        throw new IllegalStateException("a document in storage format " + format + " was written by a newer Ferry; "
                + "this one reads formats up to " + FORMAT);
    }
}
