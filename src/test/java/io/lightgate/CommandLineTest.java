package io.lightgate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void separateFlagsAndValue() {
        CommandLine cl = CommandLine.parse(new String[] {"-D", "-f", "lighttpd.conf"});
        assertThat(cl.error()).isNull();
        assertThat(cl.foreground()).isTrue();
        assertThat(cl.configFile()).isEqualTo("lighttpd.conf");
        assertThat(cl.testLevel()).isZero();
    }

    @Test
    void groupedFlagsTakeTheValueLikeGetopt() {
        CommandLine cl = CommandLine.parse(new String[] {"-Df", "a.conf"});
        assertThat(cl.foreground()).isTrue();
        assertThat(cl.configFile()).isEqualTo("a.conf");
        assertThat(CommandLine.parse(new String[] {"-fa.conf"}).configFile()).isEqualTo("a.conf");
    }

    @Test
    void testFlagCountsRepeats() {
        assertThat(CommandLine.parse(new String[] {"-t", "-f", "x"}).testLevel()).isEqualTo(1);
        assertThat(CommandLine.parse(new String[] {"-tt", "-f", "x"}).testLevel()).isEqualTo(2);
        assertThat(CommandLine.parse(new String[] {"-t", "-t", "-f", "x"}).testLevel()).isEqualTo(2);
    }

    @Test
    void printMayComeBeforeOrAfterTheFile() {
        assertThat(CommandLine.parse(new String[] {"-p", "-f", "x"}).print()).isTrue();
        assertThat(CommandLine.parse(new String[] {"-f", "x", "-p"}).print()).isTrue();
    }

    @Test
    void secondConfigFileIsRefusedWithLighttpdsMessage() {
        CommandLine cl = CommandLine.parse(new String[] {"-f", "a", "-f", "b"});
        assertThat(cl.error()).startsWith("Can only read one config file.");
    }

    @Test
    void unknownOptionIsAnError() {
        assertThat(CommandLine.parse(new String[] {"-x"}).error()).isEqualTo("invalid option -- 'x'");
        assertThat(CommandLine.parse(new String[] {"-Dx"}).error()).isEqualTo("invalid option -- 'x'");
        assertThat(CommandLine.parse(new String[] {"-f"}).error()).contains("requires an argument");
    }

    @Test
    void firstBareWordIsASubcommand() {
        CommandLine cl = CommandLine.parse(new String[] {"demo", "-p", "9000"});
        assertThat(cl.subcommand()).isEqualTo("demo");
        assertThat(cl.subcommandArgs()).containsExactly("-p", "9000");
    }

    @Test
    void moduleDirectoryIsAcceptedAndIgnored() {
        CommandLine cl = CommandLine.parse(new String[] {"-m", "/usr/lib/lighttpd", "-D", "-f", "x"});
        assertThat(cl.error()).isNull();
        assertThat(cl.configFile()).isEqualTo("x");
    }
}
