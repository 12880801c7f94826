package io.lightgate.gateway.cgi;

/** One environment variable handed to a CGI program or sent as a FastCGI/SCGI parameter. */
public record CgiVariable(String name, String value) {
    @Override
    public String toString() {
        return name + "=" + value;
    }
}
