package dev.ferry.aws.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class QueueNamesTest {
    private static final String LONGEST_PREFIX = "p".repeat(QueueNames.MAX_PREFIX_LENGTH);

    @Test
    void main_isThePrefixAndTheId_forAFerryId() {
        String id = UUID.randomUUID().toString();

        assertThat(new QueueNames("ferry-prod-").main(id)).isEqualTo("ferry-prod-" + id);
        assertThat(new QueueNames("ferry-prod-").deadLetter(id)).isEqualTo("ferry-prod-" + id + "-dlq");
    }

    @Test
    void aFerryId_fitsAsItIs_evenAfterTheLongestPrefix() {
        String id = UUID.randomUUID().toString();

        assertThat(new QueueNames(LONGEST_PREFIX).deadLetter(id)).isEqualTo(LONGEST_PREFIX + id + "-dlq").hasSize(80);
    }

    static Stream<String> oddIds() {
        return Stream.of("a", "x".repeat(37), "x".repeat(500), "has spaces/and.dots:é", "ünïcödé", "-", "ab.fifo");
    }

    @ParameterizedTest
    @MethodSource("oddIds")
    void names_areLegalForSqs_andFit_whateverTheId(String id) {
        for (String prefix : new String[] {"f", "ferry-prod-", LONGEST_PREFIX}) {
            QueueNames names = new QueueNames(prefix);

            assertThat(names.main(id)).startsWith(prefix).matches("[A-Za-z0-9_-]{1,80}");
            assertThat(names.deadLetter(id)).matches("[A-Za-z0-9_-]{1,80}").isEqualTo(names.main(id) + "-dlq");
            assertThat(names.main(id)).isEqualTo(names.main(id)); // derived from the id alone
        }
    }

    @Test
    void idsThatShareALegalShortenedForm_getDifferentQueues() {
        QueueNames names = new QueueNames(LONGEST_PREFIX);
        String longA = "y".repeat(100) + "a";
        String longB = "y".repeat(100) + "b";

        assertThat(names.main("a.b")).isNotEqualTo(names.main("a_b")).isNotEqualTo(names.main("a:b"));
        assertThat(names.main(longA)).isNotEqualTo(names.main(longB));
    }

    static Stream<String> badPrefixes() {
        return Stream.of("", "has space", "dots.", "p".repeat(41));
    }

    @ParameterizedTest
    @MethodSource("badPrefixes")
    void aPrefixSqsWouldRefuse_isRefused_naming_it(String prefix) {
        assertThatThrownBy(() -> new QueueNames(prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + prefix + "'")
                .hasMessageContaining("1 to 40 letters, digits, '-' or '_'");
    }
}
