package io.lightgate.gateway;

import io.lightgate.http.Exchange;

/** A matched key with the balance in force for the request. */
final class GatewayRoute implements Route {
    private final Extension extension;
    private final Balance balance;
    private final String logSource;

    GatewayRoute(Extension extension, Balance balance, String logSource) {
        this.extension = extension;
        this.balance = balance;
        this.logSource = logSource;
    }

    Extension extension() { return extension; }

    Balance balance() { return balance; }

    @Override
    public String extensionKey() {
        return extension.key();
    }

    @Override
    public boolean checkLocal() {
        return !extension.hosts().isEmpty() && extension.hosts().getFirst().config().checkLocal();
    }

    @Override
    public boolean anyHostUp() {
        return extension.anyHostUp(System.nanoTime());
    }

    @Override
    public void connect(Exchange exchange, ConnectListener listener) {
        BackendConnector connector = new BackendConnector(extension, balance, exchange, listener, logSource);
        if (exchange.eventLoop().inEventLoop()) {
            connector.start();
        } else {
            exchange.eventLoop().execute(connector::start);
        }
    }

    @Override
    public String toString() {
        return "route \"" + extension.key() + "\" (" + balance + ")";
    }
}
