package dev.ferry.core.ecs;

class InMemoryTaskDefinitionsTest extends TaskDefinitionsContract {
    @Override
    protected TaskDefinitions newTaskDefinitions() {
        return new InMemoryTaskDefinitions();
    }
}
