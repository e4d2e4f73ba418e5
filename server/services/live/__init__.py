"""The live meeting: what every screen shows while a meeting runs.

State lives in the database (it survives a restart and is shared by every server process);
each change commits, then emits a `live.*` event that the realtime bridge sends to the
meeting's room. Clients read a snapshot on (re)connect, then apply events.
"""
