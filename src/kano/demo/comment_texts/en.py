"""Comment texts in English: closers by sentiment and bodies by topic.

Bodies are (negative, neutral, positive); problem topics (a late delivery, slow
support ...) have negative bodies only and borrow the rest from their family.
"""

from __future__ import annotations

CLOSERS: tuple[tuple[str, ...], ...] = (
    (
        "",
        " Very disappointing.",
        " Please sort this out.",
        " This keeps happening.",
        " Not good enough.",
    ),
    ("", " Overall it was fine.", " Nothing special."),
    ("", " Thank you!", " Keep it up.", " Great service."),
)

BODIES: dict[str, tuple[tuple[str, ...], ...]] = {
    "delivery_late": (
        (
            "The delivery was three days late.",
            "Our order arrived late and the crew on site had to wait.",
            "Delivery came late again, with no update from you.",
            "The pallet was late and nobody called to warn us.",
            "Late delivery held up our production line.",
        ),
    ),
    "delivery_handling": (
        (
            "Half of the order was missing when it arrived.",
            "Several boxes were damaged on arrival.",
            "The wrong items were delivered.",
            "Goods arrived broken and had to be returned.",
            "The delivery note did not match what we received.",
        ),
    ),
    "delivery": (
        (
            "The driver was rude.",
            "Nobody told us when the truck would come.",
            "Delivery was a hassle from start to finish.",
        ),
        (
            "Delivery was okay.",
            "The goods arrived as expected.",
            "Delivery was fine, tracking could be better.",
        ),
        (
            "Delivered on time and in perfect condition.",
            "The driver was friendly and helped us unload.",
            "Fast delivery, everything was complete.",
            "Arrived on time, well packed.",
        ),
    ),
    "support_slow": (
        (
            "I waited two days for a reply to my e-mail.",
            "Support is far too slow to answer.",
            "Nobody answered my request for ages.",
            "It took hours to get a first response.",
        ),
    ),
    "support_unresolved": (
        (
            "My problem was not solved and I had to call again.",
            "The agent could not help me.",
            "I was passed from one person to another.",
        ),
    ),
    "support": (
        ("Support was unhelpful.", "The answer did not address my question."),
        ("Support answered my question.", "The issue was handled in the end."),
        (
            "Quick and helpful answer from support.",
            "The agent solved my problem right away.",
            "Very knowledgeable support team.",
        ),
    ),
    "web": (
        (
            "The web shop kept logging me out.",
            "Checkout failed twice.",
            "Hard to find the right product on the website.",
            "Prices in the web shop did not match the quote.",
        ),
        ("Ordering online was okay.", "The website works, but search could be better."),
        (
            "Ordering online was quick and easy.",
            "Great web shop, easy reorders.",
            "Found everything I needed in minutes.",
        ),
    ),
    "store": (
        (
            "Long queue at the counter.",
            "The branch did not have the item in stock.",
            "Staff at the branch were not interested.",
        ),
        ("Normal visit to the branch.", "Got what I came for."),
        (
            "Friendly and knowledgeable staff at the branch.",
            "In and out in five minutes.",
            "Good advice at the counter.",
        ),
    ),
    "onboarding": (
        (
            "Setting up our account took far too long.",
            "We had to send the same documents three times.",
            "Credit limit approval was painfully slow.",
        ),
        ("Account set-up was fine.", "The set-up process was standard."),
        ("Our account was ready within a day.", "Smooth set-up, clear instructions."),
    ),
    "relationship": (
        (
            "Prices keep going up.",
            "Our account manager rarely gets back to us.",
            "Deliveries are unreliable, we are looking at other suppliers.",
            "Too many mistakes on invoices.",
        ),
        ("A decent supplier.", "Prices are fair, service is average."),
        (
            "Reliable partner, we recommend you.",
            "Great range and fair prices.",
            "Our account manager really knows our business.",
        ),
    ),
}
