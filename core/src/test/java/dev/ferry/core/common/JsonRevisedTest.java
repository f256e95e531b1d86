package dev.ferry.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.pools.PoolType;
import dev.ferry.core.pools.WorkPool;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonRevisedTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private final WorkPool pool = new WorkPool("p-1", "pool-a", PoolType.PROCESS, null, Json.MAPPER.createObjectNode(), null,
            false, WorkPool.DEFAULT_QUEUE, T0, T0, 3);

    @Test
    void aDocumentEndsWithItsRevision_soReadingItTakesOnePass() throws Exception {
        String doc = Json.string(pool);

        assertThat(doc).endsWith("\"revision\":3}");
        assertThat(Json.readRevised(doc, 3, WorkPool.class)).isEqualTo(pool);
    }

    @Test
    void aDocumentFromBeforeRevisions_getsTheStoredOne() throws Exception {
        String old = Json.string(pool).replace(",\"revision\":3", "");

        assertThat(Json.readRevised(old, 0, WorkPool.class)).isEqualTo(pool.withRevision(0));
    }
}
