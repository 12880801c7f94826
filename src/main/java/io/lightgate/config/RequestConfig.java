package io.lightgate.config;

import java.util.List;

/** The config in force for one request: the global values overridden by every matching conditional block. */
public interface RequestConfig {

    /** The value of {@code key} for this request, or its default when no block in force sets it. */
    <T> T get(ConfigKey<T> key);

    /** Whether any block in force for this request sets {@code key}. */
    boolean isSet(ConfigKey<?> key);

    /**
     * The regex captures of the last matching {@code =~} condition in force (%0 is the whole match), for
     * later modules (rewrite/redirect-style substitutions). Empty when there is none.
     */
    List<String> captures();
}
