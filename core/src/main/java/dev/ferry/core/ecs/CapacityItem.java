package dev.ferry.core.ecs;

/** One entry of an ECS capacity provider strategy. */
public record CapacityItem(String capacityProvider, int weight, int base) {}
