package io.lightgate.modules.dirlisting;

import io.lightgate.Version;
import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.ConfigValue;
import io.lightgate.config.Configuration;
import io.lightgate.config.RequestConfig;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import io.lightgate.http.PhysicalPath;
import io.lightgate.http.Response;
import io.lightgate.modules.mimetype.MimeTypes;
import io.lightgate.server.ServerKeys;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * mod_dirlisting: answers a GET or HEAD of a directory URL (ending in '/') that no index file took with an HTML
 * listing of the directory, when {@code dir-listing.activate} is enabled for the request. Runs in subrequest-start
 * after mod_indexfile and before mod_staticfile, as in lighttpd 1.4.69.
 */
public final class DirListingModule implements Module {

    /** Compiled {@code dir-listing.exclude}: a list of regexes, each searched in an entry's name. */
    static final ValueType<List<Pattern>> REGEX_LIST = v -> {
        List<Pattern> out = new ArrayList<>();
        for (String regex : ValueType.STRING_LIST.convert(v)) {
            try {
                // the same translation as config conditions (Condition): lighttpd's PCRE syntax as java.util.regex
                out.add(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new ValueType.TypeMismatch("invalid regex \"" + regex + "\": " + e.getDescription()
                        + "; expected a list of regexes, e.g. (\"~$\", \"^\\\\.\")");
            }
        }
        return List.copyOf(out);
    };

    public static final ConfigKey<Boolean> ACTIVATE =
            ConfigKey.of("dir-listing.activate", Scope.CONNECTION, ValueType.BOOL, false);
    /** lighttpd's historical name of dir-listing.activate. */
    public static final ConfigKey<Boolean> SERVER_DIR_LISTING =
            ConfigKey.of("server.dir-listing", Scope.CONNECTION, ValueType.BOOL, false);
    public static final ConfigKey<List<Pattern>> EXCLUDE =
            ConfigKey.of("dir-listing.exclude", Scope.CONNECTION, REGEX_LIST, List.of());
    public static final ConfigKey<Boolean> HIDE_DOTFILES =
            ConfigKey.of("dir-listing.hide-dotfiles", Scope.CONNECTION, ValueType.BOOL, true);
    public static final ConfigKey<String> EXTERNAL_CSS =
            ConfigKey.of("dir-listing.external-css", Scope.CONNECTION, ValueType.STRING, null);
    public static final ConfigKey<String> EXTERNAL_JS =
            ConfigKey.of("dir-listing.external-js", Scope.CONNECTION, ValueType.STRING, null);
    public static final ConfigKey<String> ENCODING =
            ConfigKey.of("dir-listing.encoding", Scope.CONNECTION, ValueType.STRING, null);
    public static final ConfigKey<String> SHOW_README =
            ConfigKey.of("dir-listing.show-readme", Scope.CONNECTION, ValueType.STRING, null);
    public static final ConfigKey<Boolean> HIDE_README_FILE =
            ConfigKey.of("dir-listing.hide-readme-file", Scope.CONNECTION, ValueType.BOOL, false);
    public static final ConfigKey<String> SHOW_HEADER =
            ConfigKey.of("dir-listing.show-header", Scope.CONNECTION, ValueType.STRING, null);
    public static final ConfigKey<Boolean> HIDE_HEADER_FILE =
            ConfigKey.of("dir-listing.hide-header-file", Scope.CONNECTION, ValueType.BOOL, false);
    public static final ConfigKey<String> SET_FOOTER =
            ConfigKey.of("dir-listing.set-footer", Scope.CONNECTION, ValueType.STRING, null);
    public static final ConfigKey<Boolean> ENCODE_README =
            ConfigKey.of("dir-listing.encode-readme", Scope.CONNECTION, ValueType.BOOL, true);
    public static final ConfigKey<Boolean> ENCODE_HEADER =
            ConfigKey.of("dir-listing.encode-header", Scope.CONNECTION, ValueType.BOOL, true);
    public static final ConfigKey<Boolean> AUTO_LAYOUT =
            ConfigKey.of("dir-listing.auto-layout", Scope.CONNECTION, ValueType.BOOL, true);
    /** lighttpd 1.4.69's on-disk cache of generated pages: accepted, warned, not implemented. */
    public static final ConfigKey<ConfigValue> CACHE =
            ConfigKey.of("dir-listing.cache", Scope.CONNECTION, v -> v, null);

    /**
     * The most entries one listing reads. lighttpd 1.4.69 has no limit (it reads the whole directory into memory);
     * lightgate builds the page whole on a reader thread, so a huge directory is cut here, with an error-log line.
     */
    static final int MAX_ENTRIES = 100_000;

    private static final String SOURCE = "mod_dirlisting";

    /** Listings built at once; more wait their turn (lighttpd limits concurrent listings too). */
    static final int READER_THREADS = 2;

    private final int maxEntries;
    /** Where directories are read, stat'ed and rendered: never on an event loop. */
    private final Executor readers;
    private final ExecutorService ownReaders;

    public DirListingModule() {
        this(MAX_ENTRIES, null);
    }

    /** With another entry limit (tests). */
    DirListingModule(int maxEntries) {
        this(maxEntries, null);
    }

    /** With another entry limit and, when not null, another executor for the reading (tests). */
    DirListingModule(int maxEntries, Executor readers) {
        this.maxEntries = maxEntries;
        if (readers != null) {
            this.readers = readers;
            this.ownReaders = null;
        } else {
            // daemon threads, started only when a listing is asked for
            this.ownReaders = Executors.newFixedThreadPool(READER_THREADS,
                    Thread.ofPlatform().daemon().name("dirlisting-", 0).factory());
            this.readers = ownReaders;
        }
    }

    @Override
    public void stop() {
        if (ownReaders != null) {
            ownReaders.shutdownNow();
        }
    }

    @Override public String name() { return "mod_dirlisting"; }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return List.of(ACTIVATE, SERVER_DIR_LISTING, EXCLUDE, HIDE_DOTFILES, EXTERNAL_CSS, EXTERNAL_JS, ENCODING,
                SHOW_README, HIDE_README_FILE, SHOW_HEADER, HIDE_HEADER_FILE, SET_FOOTER, ENCODE_README, ENCODE_HEADER,
                AUTO_LAYOUT, CACHE);
    }

    @Override
    public void configure(Configuration config, ModuleContext context) throws ConfigException {
        if (!config.valuesInAllBlocks(CACHE).isEmpty()) {
            context.errorLog().write(SOURCE, "dir-listing.cache is not supported by lightgate (ignored): "
                    + "every listing is generated afresh");
        }
    }

    @Override
    public Hook subrequestStart(Exchange exchange) {
        String method = exchange.request().method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Hook.GO_ON;
        }
        PhysicalPath physical = exchange.physical();
        String urlPath = exchange.request().path();
        if (physical == null || urlPath.isEmpty() || !urlPath.endsWith("/")) {
            return Hook.GO_ON;
        }
        RequestConfig config = exchange.config();
        if (!activated(config)) {
            return Hook.GO_ON;
        }
        Path dir = physical.path();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(dir, BasicFileAttributes.class); // one stat, as the core's own
        } catch (IOException e) {
            exchange.errorLog().write(SOURCE, "stat_cache_get_entry failed: " + dir);
            exchange.respondError(500);
            return Hook.HANDLED;
        }
        if (!attrs.isDirectory()) {
            return Hook.GO_ON;
        }
        // reading a directory is a stat per entry and the includes: off the loop, the answer back on it
        try {
            readers.execute(() -> {
                Response response = listing(exchange, dir, urlPath, config);
                exchange.eventLoop().execute(() -> {
                    if (response == null) {
                        exchange.respondError(403);
                    } else {
                        exchange.respond(response);
                    }
                });
            });
        } catch (RejectedExecutionException stopping) {
            exchange.respondError(503); // the module is stopping (a shutdown or restart)
        }
        return Hook.HANDLED;
    }

    /** The listing page, or null when the directory cannot be read (403); runs on a reader thread. */
    private Response listing(Exchange exchange, Path dir, String urlPath, RequestConfig config) {
        String readmeName = fileOption(config.get(SHOW_README), "README.txt");
        String headerName = fileOption(config.get(SHOW_HEADER), "HEADER.txt");
        List<ListingPage.Entry> entries;
        try {
            entries = read(exchange, dir, config, config.get(HIDE_README_FILE) ? readmeName : null,
                    config.get(HIDE_HEADER_FILE) ? headerName : null);
        } catch (IOException e) {
            exchange.errorLog().write(SOURCE, "opendir " + dir + ": " + e);
            return null;
        }
        String tag = config.get(ServerKeys.TAG);
        String footer = config.get(SET_FOOTER);
        String encoding = config.get(ENCODING);
        ListingPage.Layout layout = new ListingPage.Layout(config.get(AUTO_LAYOUT), encoding,
                config.get(EXTERNAL_CSS), config.get(EXTERNAL_JS),
                footer != null && !footer.isEmpty() ? footer : (tag == null ? Version.tag() : tag),
                include(dir, headerName, config), config.get(ENCODE_HEADER),
                include(dir, readmeName, config), config.get(ENCODE_README));
        byte[] page = ListingPage.render(urlPath, ListingPage.sorted(entries), layout, ZoneId.systemDefault());
        Response response = new Response(200);
        response.headers().set("Content-Type",
                encoding == null || encoding.isEmpty() ? "text/html" : "text/html;charset=" + encoding);
        if (config.get(ServerKeys.RANGE_REQUESTS)) {
            response.headers().set("Accept-Ranges", "bytes"); // lighttpd 1.4.69 announces ranges here too
        }
        response.body(new Response.Bytes(Unpooled.wrappedBuffer(page)));
        return response;
    }

    private static boolean activated(RequestConfig config) {
        if (config.isSet(ACTIVATE) || !config.isSet(SERVER_DIR_LISTING)) {
            return config.get(ACTIVATE);
        }
        return config.get(SERVER_DIR_LISTING);
    }

    /**
     * One pass over the directory: filters, stats and types each entry (lighttpd follows symlinks: stat).
     * {@code hiddenReadme} and {@code hiddenHeader} are names left out of the list, or null.
     */
    private List<ListingPage.Entry> read(Exchange exchange, Path dir, RequestConfig config, String hiddenReadme,
                                         String hiddenHeader) throws IOException {
        boolean hideDotfiles = config.get(HIDE_DOTFILES);
        List<Pattern> excludes = config.get(EXCLUDE);
        List<ListingPage.Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path child : stream) {
                String name = child.getFileName().toString();
                if (hideDotfiles && name.startsWith(".")) {
                    continue;
                }
                if (name.equals(hiddenReadme) || name.equals(hiddenHeader) || excluded(excludes, name)) {
                    continue;
                }
                if (entries.size() == maxEntries) {
                    exchange.errorLog().write(SOURCE, "listing of " + dir + " cut at " + maxEntries + " entries");
                    break;
                }
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(child, BasicFileAttributes.class);
                } catch (IOException e) {
                    continue; // lighttpd skips what it cannot stat (dangling symlinks, races)
                }
                boolean directory = attrs.isDirectory();
                String type = directory ? null : typeOf(config, name);
                entries.add(new ListingPage.Entry(name, directory, attrs.lastModifiedTime().toInstant().getEpochSecond(),
                        attrs.size(), type));
            }
        }
        return entries;
    }

    private static String typeOf(RequestConfig config, String name) {
        String type = MimeTypes.lookup(config, name);
        return type != null ? type : MimeTypes.FALLBACK;
    }

    private static boolean excluded(List<Pattern> excludes, String name) {
        for (Pattern p : excludes) {
            if (p.matcher(name).find()) {
                return true;
            }
        }
        return false;
    }

    /** show-readme / show-header: "enable" is the default file name, "disable" or "" none, else the name. */
    static String fileOption(String value, String enabledName) {
        if (value == null || value.isEmpty() || value.equals("disable")) {
            return null;
        }
        return value.equals("enable") ? enabledName : value;
    }

    /** The file to include (relative to the listed directory, or absolute), or null when it cannot be read. */
    private static byte[] include(Path dir, String name, RequestConfig config) {
        if (name == null) {
            return null;
        }
        Path file = name.startsWith("/") ? Path.of(name) : dir.resolve(name);
        LinkOption[] links = config.get(ServerKeys.FOLLOW_SYMLINK) ? new LinkOption[0]
                : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        try {
            if (!Files.isRegularFile(file, links)) {
                return null;
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null; // lighttpd includes nothing when it cannot open the file
        }
    }
}
