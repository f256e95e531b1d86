package dev.ferry.core.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShellWordsTest {
    @Test
    void split_honoursQuotesAndBackslashes_butExpandsNothing() {
        assertThat(ShellWords.split("python -m  my.module --name 'Marvin the Android' \"$HOME\" a\\ b"))
                .containsExactly("python", "-m", "my.module", "--name", "Marvin the Android", "$HOME", "a b");
    }

    @Test
    void split_keepsQuotesInsideOtherQuotes_andEmptyWords() {
        assertThat(ShellWords.split("sh -c 'echo \"hi\"; exit 3'")).containsExactly("sh", "-c", "echo \"hi\"; exit 3");
        assertThat(ShellWords.split("echo \"say \\\"hi\\\"\" ''")).containsExactly("echo", "say \"hi\"", "");
    }

    @Test
    void split_refusesUnclosedQuotesAndALoneBackslash_andFindsNoWordInABlankLine() {
        assertThatThrownBy(() -> ShellWords.split("echo 'oops")).hasMessage("has an unclosed single quote");
        assertThatThrownBy(() -> ShellWords.split("echo \"oops")).hasMessage("has an unclosed double quote");
        assertThatThrownBy(() -> ShellWords.split("echo oops\\")).hasMessage("ends with a lone backslash");
        assertThat(ShellWords.split("   ")).isEmpty();
    }
}
