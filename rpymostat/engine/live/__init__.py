"""The live feed: engine events pushed to WebSocket clients at ``/v1/ws``.

``messages`` is the wire format, ``outbox`` the bounded per-client send
queue, ``connection`` one client's handshake and delivery, and ``feed`` the
fan-out from the event bus with heartbeats and key re-checks.
"""
