package dev.ferry.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.common.Json;
import org.junit.jupiter.api.Test;

class OutputTest {

    @Test
    void prettyJson_readsLikeHandWrittenJson_andKeepsEveryField() {
        String text = Output.pretty(Json.tree("{\"name\":\"p\",\"tags\":[\"a\",\"b\"],\"limit\":null,\"env\":{},\"items\":[]}"));

        assertThat(text).isEqualTo("""
                {
                  "name": "p",
                  "tags": [
                    "a",
                    "b"
                  ],
                  "limit": null,
                  "env": {},
                  "items": []
                }""");
    }
}
