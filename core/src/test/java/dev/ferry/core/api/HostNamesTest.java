package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostNamesTest {
    private final HostNames loopback = HostNames.loopback("127.0.0.1", 4200, List.of("ferry.internal"));

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:4200", "localhost:4200", "LOCALHOST:4200", "[::1]:4200", "ferry.internal:4200"})
    void aLoopbackServer_answersToItsOwnNames(String host) {
        assertThat(loopback.allows(host)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example:4200", "127.0.0.1:4201", "localhost", "127.0.0.1.nip.io:4200", "", "[::1]"})
    void aLoopbackServer_refusesOtherNamesAndPorts(String host) {
        assertThat(loopback.allows(host)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferry.example.com", "ferry.example.com:80"})
    void port80_mayBeLeftOut(String host) {
        assertThat(HostNames.only(List.of("ferry.example.com"), 80).allows(host)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1", "[::1]"})
    void anIpv6BoundAddress_isNamedInBrackets(String bound) {
        assertThat(HostNames.loopback(bound, 4200, List.of()).allows("[::1]:4200")).isTrue();
    }
}
