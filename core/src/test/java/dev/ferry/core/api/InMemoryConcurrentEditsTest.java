package dev.ferry.core.api;

import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestApi;

/** Concurrent edits through the API on the in-memory adapters: real threads on one lock per store. */
class InMemoryConcurrentEditsTest extends ConcurrentEditsContract {
    @Override
    protected TestApi newApi() {
        return InMemoryAdapters.api();
    }
}
