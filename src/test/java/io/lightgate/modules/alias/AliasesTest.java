package io.lightgate.modules.alias;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigParser;
import io.lightgate.config.Configuration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * alias.url's matching and start-up checks as pure functions. The refused and accepted lists are what
 * lighttpd 1.4.69 -tt answered for the same alias.url lines (AliasIntegrationTest runs the real lighttpd too).
 */
class AliasesTest {

    private static Aliases parse(String aliasLines) throws ConfigException {
        Configuration config = ConfigParser.parseText("t.conf", aliasLines + "\n", Path.of("/"))
                .validate(List.of(AliasModule.URL), w -> { });
        return config.global(AliasModule.URL);
    }

    @Test
    void theFirstPrefixInConfigOrderWins() {
        Aliases a = Aliases.of("/long/er/", "/t1/", "/long/", "/t2/", "/m", "/t3", "/z", "/t4", "/mm", "/t5");
        assertThat(a.match("/long/er/x").target()).isEqualTo("/t1/");
        assertThat(a.match("/long/x").target()).isEqualTo("/t2/");
        assertThat(a.match("/long/er").target()).isEqualTo("/t2/");
    }

    @Test
    void matchingIsAPrefixOfBytesNotOfSegments() {
        Aliases a = Aliases.of("/long/er/", "/t1/", "/long/", "/t2/", "/m", "/t3", "/z", "/t4", "/mm", "/t5");
        assertThat(a.match("/long")).isNull();
        assertThat(a.match("/mm/x").target()).isEqualTo("/t3"); // "/m" comes first and shadows "/mm"
        assertThat(a.match("/mx").target()).isEqualTo("/t3");
        assertThat(a.match("/M/x")).isNull();
        assertThat(a.match("/")).isNull();
        assertThat(Aliases.of("", "/all").match("/anything").target()).isEqualTo("/all");
        assertThat(Aliases.NONE.match("/x")).isNull();
    }

    @ParameterizedTest(name = "{0} under {1} => {2}: {3}")
    @CsvSource({
            // lighttpd's guard: prefix without '/', target with '/', rest a "." or ".." segment
            "/f../etc/passwd, /f, /srv/d/, true",
            "/f.., /f, /srv/d/, true",
            "/f./x, /f, /srv/d/, true",
            "/f., /f, /srv/d/, true",
            // a name inside the target, not a dot segment
            "/f.hidden, /f, /srv/d/, false",
            "/f..x, /f, /srv/d/, false",
            "/f/x, /f, /srv/d/, false",
            "/f, /f, /srv/d/, false",
            // other shapes cannot climb: the rest only extends the target's last name, or follows a '/'
            "/f../x, /f, /srv/d, false",
            "/f/..x, /f/, /srv/d, false",
            "/f../x, /f, '', false",
    })
    void dotSegmentsRightAfterAPrefixWithoutSlashAreRefusedWhenTheTargetEndsInSlash(
            String url, String prefix, String target, boolean escapes) {
        Aliases.Alias alias = Aliases.of(prefix, target).match(url);
        assertThat(alias).isNotNull();
        assertThat(alias.escapes(url)).isEqualTo(escapes);
    }

    @Test
    void aNeighbourThatTheEntryBeforeShadowsIsRefusedWithLighttpdsMessage() {
        assertThatThrownBy(() -> parse("alias.url = ( \"/a\" => \"/x\", \"/ab\" => \"/y\" )"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alias.url")
                .hasMessageContaining("`/ab' will never match as `/a' matched first");
        assertThatThrownBy(() -> parse("alias.url = ( \"/a\" => \"/x\", \"/ac\" => \"/y\", \"/ab\" => \"/z\" )"))
                .hasMessageContaining("`/ac' will never match as `/a' matched first");
        assertThatThrownBy(() -> parse("alias.url = ( \"\" => \"/x\", \"/b\" => \"/y\" )"))
                .hasMessageContaining("`/b' will never match as `' matched first");
        assertThatThrownBy(() -> parse("alias.url = ( \"/a/\" => \"/x\", \"/a/b\" => \"/y\" )"))
                .hasMessageContaining("`/a/b' will never match as `/a/' matched first");
        // += merges before the check, at the top level and inside a condition
        assertThatThrownBy(() -> parse("alias.url = ( \"/a\" => \"/x\" )\nalias.url += ( \"/ab\" => \"/y\" )"))
                .hasMessageContaining("`/ab' will never match as `/a' matched first");
        assertThatThrownBy(() -> parse("alias.url = ( \"/a\" => \"/x\" )\n"
                + "$HTTP[\"host\"] == \"x\" { alias.url += ( \"/ab\" => \"/y\" ) }"))
                .hasMessageContaining("`/ab' will never match as `/a' matched first");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "alias.url = ( \"/ab\" => \"/x\", \"/a\" => \"/y\" )",          // longer first: the way to write it
            "alias.url = ( \"/a\" => \"/x\", \"/b\" => \"/y\", \"/ab\" => \"/z\" )", // shadowed, but no neighbour
            "alias.url = ( \"/a\" => \"/x\", \"/bb\" => \"/y\", \"/abc\" => \"/z\" )",
            "alias.url = ( \"/a\" => \"/x\", \"/AB\" => \"/y\" )",          // the check compares bytes
            "alias.url = ( \"/b\" => \"/x\", \"\" => \"/y\" )",
            "alias.url = ( \"/a\" => \"\" )",
            "alias.url = ( \"a\" => \"/x\" )",
            "alias.url = ( )",
            "alias.url = ( \"/a\" => \"/x\" )\nalias.url += ( \"/a\" => \"/x\" )", // the same pair kept once
    })
    void shapesLighttpdAccepts(String line) throws Exception {
        assertThat(parse(line)).isNotNull();
    }

    @Test
    void shapesLighttpdRefuses() {
        String kvString = "alias.url should have been a list of key => string values";
        assertThatThrownBy(() -> parse("alias.url = ( \"/a\" => 1 )")).hasMessageContaining(kvString);
        assertThatThrownBy(() -> parse("alias.url = ( \"/a\" )")).hasMessageContaining(kvString);
        assertThatThrownBy(() -> parse("alias.url = ( \"/a\" => ( \"/x\" ) )")).hasMessageContaining(kvString);
        assertThatThrownBy(() -> parse("alias.url = \"/a\""))
                .hasMessageContaining("alias.url should have been a list like alias.url = ( \"...\" )");
        // lighttpd's config arrays compare keys without case
        assertThatThrownBy(() -> parse("alias.url = ( \"/a\" => \"/x\", \"/A\" => \"/y\" )"))
                .hasMessageContaining("duplicate array-key: /A");
        assertThatThrownBy(() -> parse("alias.url = ( \"/a\" => \"/x\" )\nalias.url += ( \"/A\" => \"/y\" )"))
                .hasMessageContaining("duplicate array-key: /A");
    }

    @Test
    void everyShadowedEntryIsListedForTheWarning() throws Exception {
        Aliases a = parse("alias.url = ( \"/a\" => \"/x\", \"/b\" => \"/y\", \"/ab\" => \"/z\", \"/bc\" => \"/q\" )");
        assertThat(a.neverMatchingNeighbour()).isNull();
        assertThat(a.shadowed()).containsExactly("`/ab' will never match as `/a' matched first",
                "`/bc' will never match as `/b' matched first");
    }

    @Test
    void entriesKeepConfigOrderAndTheTargetAsWritten() throws Exception {
        Aliases a = parse("alias.url = ( \"/z/\" => \"/srv/z/\", \"/a\" => \"/srv/a\" )");
        List<String> prefixes = new ArrayList<>();
        a.entries().forEach(e -> prefixes.add(e.prefix()));
        assertThat(prefixes).containsExactly("/z/", "/a");
        assertThat(a.entries().getFirst().target()).isEqualTo("/srv/z/");
        assertThat(a.entries().getFirst().targetPath()).isEqualTo(Path.of("/srv/z"));
    }
}
