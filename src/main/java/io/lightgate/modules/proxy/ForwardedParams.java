package io.lightgate.modules.proxy;

import io.lightgate.config.ConfigValue;
import io.lightgate.config.ValueType;
import io.lightgate.config.ValueType.TypeMismatch;

/**
 * The value of {@code proxy.forwarded}: which RFC 7239 parameters go in the {@code Forwarded} header sent to the
 * backend. {@code remote_user} is accepted as lighttpd does but sends nothing: lightgate has no authentication
 * module that could set a user.
 */
record ForwardedParams(boolean forParam, boolean proto, boolean host, boolean by, boolean remoteUser) {

    static final ForwardedParams NONE = new ForwardedParams(false, false, false, false, false);

    boolean any() {
        return forParam || proto || host || by || remoteUser;
    }

    private static final String KEYS = "for, proto, host, by, remote_user";

    /** ( "for" => "enable", ... ); a bare "for" element enables it too. Unknown keys are a start-up error. */
    static final ValueType<ForwardedParams> TYPE = value -> {
        if (!(value instanceof ConfigValue.Arr arr)) {
            throw new TypeMismatch("expected ( \"param\" => \"enable\", ... ) with params " + KEYS + ", got "
                    + value.typeName());
        }
        boolean f = false;
        boolean p = false;
        boolean h = false;
        boolean b = false;
        boolean u = false;
        for (ConfigValue.Arr.Entry e : arr.entries()) {
            String name;
            boolean on;
            if (e.key() == null) {
                if (!(e.value() instanceof ConfigValue.Str s)) {
                    throw new TypeMismatch("expected parameter names (" + KEYS + "), got " + e.value().typeName());
                }
                name = s.value();
                on = true;
            } else {
                name = e.key();
                try {
                    on = ValueType.BOOL.convert(e.value());
                } catch (TypeMismatch m) {
                    throw new TypeMismatch("\"" + name + "\": " + m.getMessage());
                }
            }
            switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case "for" -> f = on;
                case "proto" -> p = on;
                case "host" -> h = on;
                case "by" -> b = on;
                case "remote_user" -> u = on;
                default -> throw new TypeMismatch("unknown parameter \"" + name + "\"; use one of " + KEYS);
            }
        }
        return new ForwardedParams(f, p, h, b, u);
    };
}
