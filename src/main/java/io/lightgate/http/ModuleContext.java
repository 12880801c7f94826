package io.lightgate.http;

import io.lightgate.log.ErrorLog;
import io.netty.channel.IoEventLoopGroup;

/** What a module gets at configure time. CONTRACT: the http work may add members. */
public interface ModuleContext {
    ErrorLog errorLog();

    /** True for {@code -tt}: validate only, open no files, sockets or children. */
    boolean testOnly();

    /**
     * The server's worker event loops (epoll when available), for work a module keeps running between
     * requests, such as supervising spawned backends. Null with {@link #testOnly()}.
     */
    default IoEventLoopGroup eventLoops() { return null; }
}
