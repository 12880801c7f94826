package io.lightgate.modules.alias;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.http.Module.Hook;
import io.lightgate.http.PhysicalBase;
import io.lightgate.modules.support.MapConfig;
import io.lightgate.modules.support.TestExchange;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The physical-path hook alone: what it hands the core, and that it costs nothing when no alias applies. */
class AliasModuleTest {
    private static final Path ROOT = Path.of("/srv/www");
    private final AliasModule module = new AliasModule();
    private final MapConfig config = new MapConfig().set(AliasModule.URL,
            Aliases.of("/js/", "/usr/share/javascript/", "/doc", "/usr/share/doc/"));

    private PhysicalBase run(TestExchange ex, String urlPath, Hook expected) {
        PhysicalBase base = new PhysicalBase();
        base.reset(ROOT, ROOT.toString(), urlPath);
        assertThat(module.physicalPath(ex, base)).isEqualTo(expected);
        return base;
    }

    @Test
    void aMatchReplacesTheBaseWithTheTargetAsWrittenAndKeepsTheRest() {
        PhysicalBase base = run(new TestExchange(TestExchange.get("/js/a/b.js"), config, null), "/js/a/b.js", Hook.GO_ON);
        assertThat(base.replaced()).isTrue();
        assertThat(base.baseText()).isEqualTo("/usr/share/javascript/");
        assertThat(base.base()).isEqualTo(Path.of("/usr/share/javascript"));
        assertThat(base.rest()).isEqualTo("a/b.js");
    }

    @Test
    void aDotSegmentAfterAPrefixWithoutSlashIsAnswered403() {
        TestExchange ex = new TestExchange(TestExchange.get("/doc../etc/passwd"), config, null);
        PhysicalBase base = run(ex, "/doc../etc/passwd", Hook.HANDLED);
        assertThat(ex.errorStatus()).isEqualTo(403);
        assertThat(base.replaced()).isFalse();
    }

    @Test
    void noMatchLeavesTheDocumentRootAndAllocatesNothing() {
        TestExchange ex = new TestExchange(TestExchange.get("/index.html"), config, null);
        PhysicalBase base = run(ex, "/index.html", Hook.GO_ON);
        assertThat(base.replaced()).isFalse();
        assertThat(base.base()).isSameAs(ROOT);

        TestExchange none = new TestExchange(TestExchange.get("/index.html"), new MapConfig(), null);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        for (int i = 0; i < 20_000; i++) { // warm up (class loading, interpreter profiles)
            base.reset(ROOT, "/srv/www", "/index.html");
            module.physicalPath(ex, base);
            module.physicalPath(none, base);
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            base.reset(ROOT, "/srv/www", "/index.html");
            module.physicalPath(ex, base);
            module.physicalPath(none, base);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(allocated).as("bytes allocated by 200,000 hook calls that matched nothing").isLessThan(4096);
    }
}
