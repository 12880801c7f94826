package io.lightgate.http;

import io.lightgate.log.ErrorLog;

/** What a module gets at configure time. CONTRACT: the http work may add members. */
public interface ModuleContext {
    ErrorLog errorLog();

    /** True for {@code -tt}: validate only, open no files, sockets or children. */
    boolean testOnly();
}
