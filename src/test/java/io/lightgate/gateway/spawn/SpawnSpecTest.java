package io.lightgate.gateway.spawn;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpawnSpecTest {

    @Test
    void binPathIsSplitOnSpacesAndTabsWithoutQuoting() {
        assertThat(SpawnSpec.splitBinPath("/usr/bin/perl  -w\t/srv/echo.pl \"a b\""))
                .containsExactly("/usr/bin/perl", "-w", "/srv/echo.pl", "\"a", "b\"");
        assertThatThrownBy(() -> SpawnSpec.splitBinPath(" \t ")).isInstanceOf(IllegalArgumentException.class);
        SpawnSpec spec = SpawnSpec.forBinPath("/srv/echo.pl -x", Map.of(), null,
                UnixDomainSocketAddress.of("/tmp/e.sock"), 1024, 15);
        assertThat(spec.program()).isEqualTo(Path.of("/srv/echo.pl"));
        assertThat(spec.argv()).containsExactly("/srv/echo.pl", "-x");
        assertThat(spec.binPath()).isEqualTo("/srv/echo.pl -x");
    }

    @Test
    void procAddressesAreSocketDashIndexAndPortPlusIndex() throws Exception {
        assertThat(SpawnSpec.procAddress(UnixDomainSocketAddress.of("/run/ws.sock"), 2))
                .isEqualTo(UnixDomainSocketAddress.of("/run/ws.sock-2"));
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        assertThat(SpawnSpec.procAddress(new InetSocketAddress(loopback, 9000), 3))
                .isEqualTo(new InetSocketAddress(loopback, 9003));
        assertThatThrownBy(() -> SpawnSpec.procAddress(new InetSocketAddress(loopback, 65535), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65535");
    }

    @Test
    void specsThatCannotWorkAreRefused() {
        UnixDomainSocketAddress socket = UnixDomainSocketAddress.of("/tmp/x");
        assertThatThrownBy(() -> new SpawnSpec(Path.of("/bin/sh"), List.of(), Map.of(), null, socket, 1024, 15))
                .hasMessageContaining("argv");
        assertThatThrownBy(() -> new SpawnSpec(Path.of("/bin/sh"), List.of("sh"), Map.of(), null,
                InetSocketAddress.createUnresolved("localhost", 80), 1024, 15)).hasMessageContaining("resolved");
        assertThatThrownBy(() -> new SpawnSpec(Path.of("/bin/sh"), List.of("sh"), Map.of(), null, socket, 0, 15))
                .hasMessageContaining("backlog");
        assertThatThrownBy(() -> new SpawnSpec(Path.of("/bin/sh"), List.of("sh"), Map.of(), null, socket, 1, 0))
                .hasMessageContaining("signal");
    }

    @Test
    void environmentIsCopiedThenOverriddenThenGivenPhpFcgiChildren() {
        Map<String, String> ours = new LinkedHashMap<>();
        ours.put("PATH", "/bin");
        ours.put("HOME", "/root");
        ours.put("SECRET", "x");
        Map<String, String> binEnv = new LinkedHashMap<>();
        binEnv.put("HOME", "/srv");
        binEnv.put("APP", "1");

        assertThat(ChildEnvironment.build(ours, null, binEnv)).containsExactly(Map.entry("PATH", "/bin"),
                Map.entry("HOME", "/srv"), Map.entry("SECRET", "x"), Map.entry("APP", "1"),
                Map.entry("PHP_FCGI_CHILDREN", "1"));
        assertThat(ChildEnvironment.build(ours, List.of(), Map.of())).as("empty list = inherit all, as lighttpd")
                .containsKeys("PATH", "HOME", "SECRET");
        assertThat(ChildEnvironment.build(ours, List.of("PATH", "UNSET_VAR"), binEnv)).containsExactly(
                Map.entry("PATH", "/bin"), Map.entry("HOME", "/srv"), Map.entry("APP", "1"),
                Map.entry("PHP_FCGI_CHILDREN", "1"));
        assertThat(ChildEnvironment.build(ours, List.of("PATH"), Map.of("PHP_FCGI_CHILDREN", "4")))
                .containsEntry("PHP_FCGI_CHILDREN", "4");
    }
}
