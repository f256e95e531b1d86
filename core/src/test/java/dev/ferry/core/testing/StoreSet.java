package dev.ferry.core.testing;

import dev.ferry.core.Ports;
import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.ecs.TaskDefinitions;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.runs.RunLogs;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.scheduler.ScheduleCursors;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;

/**
 * The feature stores of one adapter set behind one object, for {@code StoreContract}, which tests
 * them together; the adapters themselves implement one port each.
 */
public interface StoreSet extends PoolStore, DeploymentStore, RunStore, RunLogs, ScheduleCursors, TaskDefinitions {

    /** Each call goes to the store of {@code ports} whose port declares the method. */
    static StoreSet of(Ports ports) {
        List<Object> stores = List.of(ports.pools(), ports.deployments(), ports.runs(), ports.runLogs(),
                ports.scheduleCursors(), ports.taskDefinitions());
        return (StoreSet) Proxy.newProxyInstance(StoreSet.class.getClassLoader(), new Class<?>[] {StoreSet.class},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "StoreSet" + stores;
                        };
                    }
                    Object store = stores.stream().filter(method.getDeclaringClass()::isInstance).findFirst().orElseThrow();
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
