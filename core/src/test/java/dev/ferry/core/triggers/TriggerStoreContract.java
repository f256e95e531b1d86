package dev.ferry.core.triggers;

import static dev.ferry.core.testing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.triggers.TriggerStore.Change;
import dev.ferry.core.triggers.TriggerStore.Entry;
import dev.ferry.core.triggers.TriggerStore.Key;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TriggerStore} adapter must do. An adapter's test subclasses this and
 * supplies {@link #newStore()}; nothing else.
 */
public abstract class TriggerStoreContract {

    /** A fresh, empty store. Called once per test. */
    protected abstract TriggerStore newStore();

    /** True where the backend expires entries itself and {@link TriggerStore#purge} does nothing (DynamoDB's TTL). */
    protected boolean expiresOnItsOwn() {
        return false;
    }

    protected TriggerStore store;

    private static final Key A = new Key("bucket/a-1", "k");
    private static final Key B = new Key("seen/a-1", "e-1");

    @BeforeEach
    void freshStore() {
        store = newStore();
    }

    @Test
    void create_holdsOnlyForANewKey_andStartsAtRevisionOne() {
        assertThat(store.commit(List.of(Change.create(A, "{\"n\":1}", null, null)))).isTrue();
        assertThat(store.commit(List.of(Change.create(A, "{\"n\":2}", null, null)))).isFalse();

        Entry stored = store.get(A).orElseThrow();
        assertThat(stored.revision()).isEqualTo(1);
        assertThat(stored.doc()).isEqualTo("{\"n\":1}");
        assertThat(stored.key()).isEqualTo(A);
    }

    @Test
    void replaceAndDelete_holdOnlyAtTheRevisionRead() {
        store.commit(List.of(Change.create(A, "{\"n\":1}", null, null)));
        Entry first = store.get(A).orElseThrow();

        assertThat(store.commit(List.of(Change.replace(first, "{\"n\":2}", null, null)))).isTrue();
        assertThat(store.commit(List.of(Change.replace(first, "{\"n\":3}", null, null)))).as("stale").isFalse();
        assertThat(store.commit(List.of(Change.delete(first)))).as("stale").isFalse();
        Entry second = store.get(A).orElseThrow();
        assertThat(second.revision()).isEqualTo(2);
        assertThat(second.doc()).isEqualTo("{\"n\":2}");
        assertThat(store.commit(List.of(Change.delete(second)))).isTrue();
        assertThat(store.get(A)).isEmpty();
    }

    @Test
    void put_writesWhateverIsThere() {
        store.commit(List.of(Change.create(A, "{\"n\":1}", null, null)));
        store.commit(List.of(Change.replace(store.get(A).orElseThrow(), "{\"n\":2}", null, null)));

        assertThat(store.commit(List.of(Change.put(A, "{\"n\":3}", null), Change.put(B, "{}", null)))).isTrue();

        assertThat(store.get(A).orElseThrow().doc()).isEqualTo("{\"n\":3}");
        assertThat(store.get(A).orElseThrow().revision()).isEqualTo(1);
        assertThat(store.get(B)).isPresent();
    }

    @Test
    void aCommit_appliesAllOrNothing() {
        store.commit(List.of(Change.create(B, "{}", null, null)));

        boolean committed = store.commit(List.of(Change.create(A, "{\"n\":1}", null, null), Change.create(B, "{}", null, null)));

        assertThat(committed).isFalse();
        assertThat(store.get(A)).as("the change whose condition held is not applied either").isEmpty();
        assertThat(store.commit(List.of(Change.create(A, "{\"n\":1}", null, null),
                Change.create(new Key("seen/a-1", "e-2"), "{}", null, null)))).isTrue();
        assertThat(store.get(new Key("seen/a-1", "e-2"))).isPresent();
    }

    @Test
    void scan_walksAGroupInItemOrder_eitherWay_afterAnItem() {
        for (String item : List.of("003", "001", "002", "004")) {
            store.commit(List.of(Change.create(new Key("history/a-1", item), "{\"i\":\"" + item + "\"}", null, null)));
        }
        store.commit(List.of(Change.create(new Key("history/a-2", "000"), "{}", null, null)));

        assertThat(items(store.scan("history/a-1", null, false, 10))).containsExactly("001", "002", "003", "004");
        assertThat(items(store.scan("history/a-1", null, true, 2))).containsExactly("004", "003");
        assertThat(items(store.scan("history/a-1", "003", true, 10))).containsExactly("002", "001");
        assertThat(items(store.scan("history/a-1", "002", false, 10))).containsExactly("003", "004");
        assertThat(store.scan("history/none", null, false, 10)).isEmpty();
    }

    @Test
    void due_findsEntriesDueByThen_earliestFirst_andAReplaceMovesOrClearsIt() {
        store.commit(List.of(Change.create(new Key("bucket/a-1", "late"), "{}", T0.plusSeconds(30), null)));
        store.commit(List.of(Change.create(new Key("bucket/a-2", "soon"), "{}", T0.plusSeconds(10), null)));
        store.commit(List.of(Change.create(new Key("bucket/a-3", "never"), "{}", null, null)));

        assertThat(items(store.due(T0.plusSeconds(30), 10))).containsExactly("soon", "late");
        assertThat(items(store.due(T0.plusSeconds(20), 10))).containsExactly("soon");

        Entry soon = store.get(new Key("bucket/a-2", "soon")).orElseThrow();
        store.commit(List.of(Change.replace(soon, "{}", null, null)));
        assertThat(items(store.due(T0.plusSeconds(60), 10))).containsExactly("late");
        assertThat(store.due(T0.plusSeconds(60), 10).get(0).due()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void purge_forgetsWhatExpired() {
        store.commit(List.of(Change.create(new Key("seen/a-1", "old"), "{}", null, T0)));
        store.commit(List.of(Change.create(new Key("seen/a-1", "kept"), "{}", null, T0.plusSeconds(60))));

        store.purge(T0.plusSeconds(1));

        assertThat(items(store.scan("seen/a-1", null, false, 10)))
                .isEqualTo(expiresOnItsOwn() ? List.of("kept", "old") : List.of("kept"));
    }

    private static List<String> items(List<Entry> entries) {
        return entries.stream().map(e -> e.key().item()).toList();
    }
}
