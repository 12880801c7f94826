package io.lightgate.modules.indexfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.http.Module.Hook;
import io.lightgate.modules.support.MapConfig;
import io.lightgate.modules.support.TestExchange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexFileModuleTest {
    @TempDir Path root;
    private final IndexFileModule module = new IndexFileModule();

    private TestExchange run(MapConfig config, String urlPath) {
        TestExchange ex = new TestExchange(TestExchange.get(urlPath), config, TestExchange.physical(root, urlPath));
        assertThat(module.subrequestStart(ex)).isEqualTo(Hook.GO_ON);
        return ex;
    }

    @Test
    void firstExistingNameWins() throws Exception {
        Files.createDirectories(root.resolve("dir"));
        Files.writeString(root.resolve("dir/index.htm"), "htm");
        Files.writeString(root.resolve("dir/index.html"), "html");
        TestExchange ex = run(new MapConfig().set(IndexFileModule.NAMES, List.of("index.php", "index.html",
                "index.htm")), "/dir/");
        assertThat(ex.physical().path()).isEqualTo(root.resolve("dir/index.html"));
        assertThat(ex.physical().relPath()).isEqualTo("/dir/index.html");
        assertThat(ex.physical().docRoot()).isEqualTo(root);
        assertThat(ex.answers()).isZero();
    }

    @Test
    void nameWithSlashIsFromTheDocumentRoot() throws Exception {
        Files.createDirectories(root.resolve("dir"));
        Files.writeString(root.resolve("fallback.html"), "x");
        TestExchange ex = run(new MapConfig().set(IndexFileModule.NAMES, List.of("/fallback.html")), "/dir/");
        assertThat(ex.physical().path()).isEqualTo(root.resolve("fallback.html"));
        assertThat(ex.physical().relPath()).isEqualTo("/fallback.html");
    }

    @Test
    void nothingFoundOrNoSlashLeavesThePathAlone() throws Exception {
        Files.createDirectories(root.resolve("dir"));
        Files.writeString(root.resolve("dir/index.html"), "html");
        MapConfig none = new MapConfig().set(IndexFileModule.NAMES, List.of("default.htm"));
        assertThat(run(none, "/dir/").physical().path()).isEqualTo(root.resolve("dir/"));
        MapConfig names = new MapConfig().set(IndexFileModule.NAMES, List.of("index.html"));
        assertThat(run(names, "/dir").physical().path()).isEqualTo(root.resolve("dir"));
        assertThat(run(new MapConfig(), "/dir/").physical().relPath()).isEqualTo("/dir/");
    }

    @Test
    void serverIndexfilesIsTheOlderName() throws Exception {
        Files.writeString(root.resolve("home.html"), "x");
        TestExchange ex = run(new MapConfig().set(IndexFileModule.SERVER_INDEXFILES, List.of("home.html")), "/");
        assertThat(ex.physical().path()).isEqualTo(root.resolve("home.html"));
        assertThat(ex.physical().relPath()).isEqualTo("/home.html");
    }
}
