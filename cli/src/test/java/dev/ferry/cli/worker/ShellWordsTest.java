package dev.ferry.cli.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShellWordsTest {

    @Test
    void splitsLikeAShell_withoutExpandingAnything() {
        assertThat(ShellWords.split("python -m  my.module --name 'Marvin the Android' \"$HOME\" a\\ b"))
                .containsExactly("python", "-m", "my.module", "--name", "Marvin the Android", "$HOME", "a b");
    }

    @Test
    void quotesJoinAndEscapesWork() {
        assertThat(ShellWords.split("sh -c 'echo \"hi\"; exit 3'")).containsExactly("sh", "-c", "echo \"hi\"; exit 3");
        assertThat(ShellWords.split("echo \"say \\\"hi\\\"\" ''")).containsExactly("echo", "say \"hi\"", "");
    }

    @Test
    void unclosedQuotes_andEmptyCommands_areRefused() {
        assertThatThrownBy(() -> ShellWords.split("echo 'oops")).hasMessageContaining("unclosed ' quote");
        assertThatThrownBy(() -> ShellWords.split("   ")).hasMessage("command is empty");
    }
}
