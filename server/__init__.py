"""eCabinet server: HTTP API, live events and the domain services behind them."""
