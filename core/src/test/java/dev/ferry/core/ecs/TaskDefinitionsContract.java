package dev.ferry.core.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TaskDefinitions} adapter must do. An adapter's test subclasses this and
 * supplies {@link #newTaskDefinitions()}; nothing else.
 */
public abstract class TaskDefinitionsContract {

    /** A fresh, empty store. Called once per test. */
    protected abstract TaskDefinitions newTaskDefinitions();

    protected TaskDefinitions store;

    @BeforeEach
    void freshStore() {
        store = newTaskDefinitions();
    }

    @Test
    void taskDefinitions_areRememberedAndForgotten_byContentHash() {
        assertThat(store.taskDefinition("abc")).isEmpty();
        store.rememberTaskDefinition("abc", "arn:aws:ecs:us-east-1:123456789012:task-definition/ferry-p:1");
        store.rememberTaskDefinition("def", "arn:aws:ecs:us-east-1:123456789012:task-definition/ferry-p:2");
        assertThat(store.taskDefinition("abc")).contains("arn:aws:ecs:us-east-1:123456789012:task-definition/ferry-p:1");
        store.forgetTaskDefinition("abc");
        assertThat(store.taskDefinition("abc")).isEmpty();
        assertThat(store.taskDefinition("def")).isPresent();
    }
}
