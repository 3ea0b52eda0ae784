"""The live feed's limits and timings, in one frozen value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiveFeedSettings:
    auth_timeout: float = 10.0  # seconds from auth_required to a valid auth message
    heartbeat_interval: float = 30.0  # ping and key re-check period; an unanswered ping drops the client next time
    max_pending_bytes: int = 1024 * 1024  # per client, beyond what the socket holds
    replay_page: int = 200  # kept events read from the store at a time during catch-up
    max_client_message_bytes: int = 4096  # clients only ever send the small auth message
    close_timeout: float = 5.0  # seconds a closing client has to answer the close frame
