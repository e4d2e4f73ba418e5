"""Live events over socket.io: authentication from the HTTP session, rooms, the event bridge."""
