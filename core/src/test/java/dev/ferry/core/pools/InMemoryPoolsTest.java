package dev.ferry.core.pools;

class InMemoryPoolsTest extends PoolStoreContract {
    @Override
    protected PoolStore newPools() {
        return new InMemoryPools();
    }
}
