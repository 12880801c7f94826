package io.lightgate.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseUrlMapperTest {

    private static ProxyHeaderOptions options(Map<String, String> hostResponse, Map<String, String> urlpath,
                                              boolean httpsRemap, List<String> include, List<String> exclude) {
        return new ProxyHeaderOptions(false, false, httpsRemap, null, Map.of(), hostResponse, urlpath, include, exclude);
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void locationHostAndPathAreMappedBack() {
        Map<String, String> paths = ordered("/app/", "/");
        ResponseUrlMapper m = new ResponseUrlMapper(options(ordered("-", "-"), paths, true, List.of(), List.of()),
                "www.example.org", "10.0.0.5:8080", true, Map.entry("/app/", "/"));
        assertThat(m.url("http://10.0.0.5:8080/login?x=1")).isEqualTo("https://www.example.org/app/login?x=1");
        assertThat(m.url("/login")).isEqualTo("/app/login");
        assertThat(m.url("http://elsewhere.example/login")).as("someone else's URL").isEqualTo("http://elsewhere.example/login");
        assertThat(m.url("relative/path")).isEqualTo("relative/path");
    }

    @Test
    void namedHostsAndIncludeExcludeLists() {
        ProxyHeaderOptions o = options(ordered("internal.lan", "public.example"), ordered("/pub", "/int"), false,
                List.of("cdn.lan"), List.of("internal.lan"));
        ResponseUrlMapper m = new ResponseUrlMapper(o, "public.example", "internal.lan", false, null);
        assertThat(m.url("http://internal.lan/int/a")).as("host mapped, path excluded for this host")
                .isEqualTo("http://public.example/int/a");
        assertThat(m.url("http://cdn.lan/int/a")).as("included host: path mapped, host kept")
                .isEqualTo("http://cdn.lan/pub/a");
        assertThat(m.url("/int/b")).isEqualTo("/pub/b");
    }

    @Test
    void setCookieDomainAndPath() {
        ProxyHeaderOptions o = options(ordered("backend.lan", "www.example.org"), ordered("/shop", ""), false,
                List.of(), List.of());
        ResponseUrlMapper m = new ResponseUrlMapper(o, "www.example.org", "backend.lan", false, null);
        assertThat(m.cookie("sid=1; Domain=.backend.lan; Path=/cart; HttpOnly"))
                .isEqualTo("sid=1; Domain=.www.example.org; Path=/shop/cart; HttpOnly");
        assertThat(m.cookie("a=b; domain=other.org")).isEqualTo("a=b; domain=other.org");
    }
}
