package dev.ferry.core.auth;

class InMemoryApiKeysTest extends ApiKeysContract {
    @Override
    protected ApiKeys newApiKeys() {
        return new InMemoryApiKeys();
    }
}
