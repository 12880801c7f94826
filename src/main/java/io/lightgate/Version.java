package io.lightgate;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The product name and version, from the build (Maven resource filtering). */
public final class Version {
    private Version() { }

    public static final String NAME = "lightgate";
    public static final String NUMBER = load();

    /** "lightgate/0.1.0": the default {@code server.tag}. */
    public static String tag() {
        return NAME + "/" + NUMBER;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev").replace("-SNAPSHOT", "");
        } catch (IOException e) {
            return "dev";
        }
    }
}
