package dev.ferry.core.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.pools.PoolType;
import dev.ferry.core.pools.WorkPool;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DocumentsTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private final WorkPool pool = new WorkPool("p-1", "pool-a", PoolType.PROCESS, null, Json.MAPPER.createObjectNode(), null,
            false, WorkPool.DEFAULT_QUEUE, T0, T0, 3);

    @Test
    void aDocumentNamesItsFormatFirst_andReadsBackAsTheRecord() throws Exception {
        String doc = Documents.write(pool);

        assertThat(doc).startsWith("{\"v\":" + Documents.FORMAT + ",\"id\":\"p-1\"");
        assertThat(Documents.read(doc, WorkPool.class)).isEqualTo(pool);
    }

    @Test
    void aDocumentEndsWithItsRevision_soReadingItTakesOnePass() throws Exception {
        String doc = Documents.write(pool);

        assertThat(doc).endsWith("\"revision\":3}");
        assertThat(Documents.readRevised(doc, 3, WorkPool.class)).isEqualTo(pool);
    }

    @Test
    void aDocumentFromBeforeFormats_readsAsTheFirstFormat() throws Exception {
        String old = Json.string(pool);

        assertThat(Documents.read(old, WorkPool.class)).isEqualTo(pool);
        assertThat(Documents.readRevised(old, 3, WorkPool.class)).isEqualTo(pool);
    }

    @Test
    void aDocumentFromBeforeRevisions_getsTheStoredOne() throws Exception {
        String old = Json.string(pool).replace(",\"revision\":3", "");

        assertThat(Documents.readRevised(old, 0, WorkPool.class)).isEqualTo(pool.withRevision(0));
    }

    @Test
    void aDocumentInANewerFormat_isRefusedByName_notMisread() {
        String newer = "{\"v\":" + (Documents.FORMAT + 1) + "," + Json.string(pool).substring(1);

        assertThatThrownBy(() -> Documents.read(newer, WorkPool.class))
                .hasMessageContaining("storage format " + (Documents.FORMAT + 1))
                .hasMessageContaining("written by a newer Ferry");
    }

    @Test
    void anEmptyRecord_isAValidDocument() throws Exception {
        record Empty() {}

        assertThat(Documents.write(new Empty())).isEqualTo("{\"v\":" + Documents.FORMAT + "}");
        assertThat(Documents.read(Documents.write(new Empty()), Empty.class)).isEqualTo(new Empty());
    }
}
