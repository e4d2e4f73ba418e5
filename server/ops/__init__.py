"""Operations: commands an IT officer runs on the server (backup, restore, migrate, first
administrator) and the edge of the web server (TLS, reverse proxy headers, TURN credentials).

Each command is `python -m server.ops.<name>`; scripts/ and the installed wrappers call them.
"""
