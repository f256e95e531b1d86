package dev.ferry.core.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A contract test that proves a race by firing threads at the adapter. An adapter whose backend
 * is not atomic under concurrent requests in tests (moto) switches these off and proves the same
 * race by forcing the interleaving instead; every other adapter runs them as written.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ThreadRace {}
