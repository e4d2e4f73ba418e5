"""HTTP edge: handlers parse, call one service operation, serialise. Routes live in routes.py."""
