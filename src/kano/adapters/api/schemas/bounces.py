"""What ``POST /bounces`` answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class BounceOutcome(BaseModel):
    outcome: Literal["recorded", "transient", "repeated", "unknown", "unsigned"] = Field(
        description="recorded: a permanent bounce (5.x.x) of one of this workspace's "
        "e-mails — the e-mail shows `bounced` and the address gets no more e-mails; "
        "transient: a 4.x.x bounce, recorded only; repeated: this bounce was recorded "
        "before, nothing changed; unknown: the returned Message-ID is not one of this "
        "workspace's e-mails (ignored); unsigned: the returned Message-ID has Kano's form "
        "but not this server's signature — forged, from an e-mail sent before Kano "
        "signed its Message-IDs, or signed with another KANO_SECRET_KEY (ignored, "
        "nothing changed)."
    )
    detail: str = Field(description="The e-mail it matched, or why it matched none.")
    customers_marked: int = Field(
        description="Customers whose address this bounce made undeliverable."
    )
