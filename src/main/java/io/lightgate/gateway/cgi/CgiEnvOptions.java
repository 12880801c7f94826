package io.lightgate.gateway.cgi;

import java.util.List;

/**
 * What the module decided about one request before its environment is built (reference §8, §2.2, §2.3).
 *
 * @param flavor               mod_cgi, or a FastCGI/SCGI backend (which refuse colliding header names)
 * @param scriptName           SCRIPT_NAME: the URL path of the script, after the PATH_INFO split
 * @param pathInfo             PATH_INFO, "" for none (then PATH_INFO and PATH_TRANSLATED are absent)
 * @param scriptFilename       the script's file; null: the exchange's physical path, else document root + script name
 * @param docroot              the host option {@code docroot}, null when unset: it replaces DOCUMENT_ROOT and the
 *                             base of SCRIPT_FILENAME and PATH_TRANSLATED
 * @param stripRequestUri      the host option {@code strip-request-uri}, null when unset
 * @param brokenScriptFilename the host option {@code broken-scriptfilename}: SCRIPT_FILENAME gets PATH_INFO appended
 * @param upgradeAllowed       the request may upgrade (cgi.upgrade / host "upgrade"): when false HTTP_UPGRADE is absent
 * @param authorizer           FastCGI authorizer mode: no CONTENT_LENGTH, SCRIPT_NAME, PATH_INFO, PATH_TRANSLATED
 * @param contentLength        CONTENT_LENGTH when the module knows it (a chunked body read to its end), else -1 for
 *                             the request's own length (0 when it has no body)
 * @param requestEnv           variables other modules set for the request (REMOTE_USER, setenv, ...), appended last
 */
public record CgiEnvOptions(Flavor flavor, String scriptName, String pathInfo, String scriptFilename, String docroot,
                            String stripRequestUri, boolean brokenScriptFilename, boolean upgradeAllowed,
                            boolean authorizer, long contentLength, List<CgiVariable> requestEnv) {

    /** Who receives the environment. */
    public enum Flavor {
        /** mod_cgi: header names that map to the same variable are all exported, as lighttpd does. */
        CGI,
        /** mod_fastcgi / mod_scgi: such a collision is refused (the module answers 400). */
        GATEWAY
    }

    public CgiEnvOptions {
        pathInfo = pathInfo == null ? "" : pathInfo;
        requestEnv = List.copyOf(requestEnv);
    }

    /** The plain case: script name and path info, nothing else decided. */
    public static CgiEnvOptions of(Flavor flavor, String scriptName, String pathInfo) {
        return new CgiEnvOptions(flavor, scriptName, pathInfo, null, null, null, false, false, false, -1, List.of());
    }

    public CgiEnvOptions withScriptFilename(String file) {
        return new CgiEnvOptions(flavor, scriptName, pathInfo, file, docroot, stripRequestUri, brokenScriptFilename,
                upgradeAllowed, authorizer, contentLength, requestEnv);
    }

    public CgiEnvOptions withDocroot(String root) {
        return new CgiEnvOptions(flavor, scriptName, pathInfo, scriptFilename, root, stripRequestUri,
                brokenScriptFilename, upgradeAllowed, authorizer, contentLength, requestEnv);
    }

    public CgiEnvOptions withStripRequestUri(String prefix) {
        return new CgiEnvOptions(flavor, scriptName, pathInfo, scriptFilename, docroot, prefix, brokenScriptFilename,
                upgradeAllowed, authorizer, contentLength, requestEnv);
    }

    public CgiEnvOptions withBrokenScriptFilename(boolean broken) {
        return new CgiEnvOptions(flavor, scriptName, pathInfo, scriptFilename, docroot, stripRequestUri, broken,
                upgradeAllowed, authorizer, contentLength, requestEnv);
    }

    public CgiEnvOptions withUpgradeAllowed(boolean allowed) {
        return new CgiEnvOptions(flavor, scriptName, pathInfo, scriptFilename, docroot, stripRequestUri,
                brokenScriptFilename, allowed, authorizer, contentLength, requestEnv);
    }

    public CgiEnvOptions withAuthorizer(boolean auth) {
        return new CgiEnvOptions(flavor, scriptName, pathInfo, scriptFilename, docroot, stripRequestUri,
                brokenScriptFilename, upgradeAllowed, auth, contentLength, requestEnv);
    }

    public CgiEnvOptions withContentLength(long length) {
        return new CgiEnvOptions(flavor, scriptName, pathInfo, scriptFilename, docroot, stripRequestUri,
                brokenScriptFilename, upgradeAllowed, authorizer, length, requestEnv);
    }

    public CgiEnvOptions withRequestEnv(List<CgiVariable> env) {
        return new CgiEnvOptions(flavor, scriptName, pathInfo, scriptFilename, docroot, stripRequestUri,
                brokenScriptFilename, upgradeAllowed, authorizer, contentLength, env);
    }
}
