package io.lightgate.gateway;

/** The outcome of {@link Route#connect}, called once on the exchange's event loop. */
public interface ConnectListener {
    /** The backend is connected; the listener owns it and must close it. */
    void connected(BackendConnection backend);

    /** No backend could be reached: answer {@code status} (503); {@code why} is for the error log. */
    void failed(int status, String why);
}
