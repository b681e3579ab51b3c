"""A labelled set for entity mentions: contacts, and notes naming them by full name,
first name, first name with company, nickname, email or a misspelling; people who are
not contacts; a shared first name that must not be guessed. `expected` maps each
surface that should be linked to the contact's full name (None: kept unresolved)."""

from __future__ import annotations

CONTACTS = [
    # (full name, email, company)
    ("Priya Raman", "priya@heliogrid.example", "Helio Grid"),
    ("Robert Chen", "rchen@northwind.example", "Northwind"),
    ("Lena Okafor", None, "Datawell"),
    ("Tomás Silva", "tomas@vento.example", "Vento Capital"),
    ("Sam Patel", None, "Acme"),
    ("Sam Oduya", None, "Brightline"),
    ("Katherine Moreau", "kmoreau@lumen.example", "Lumen"),
    ("Marcus Webb", None, "Leeds Health"),
]

NOTES = [
    ("Had coffee with Priya Raman; she is hiring.", {"Priya Raman": "Priya Raman"}),
    ("Priya from Helio Grid wants an intro to investors.", {"Priya": "Priya Raman"}),
    ("Bob Chen sent the contract over.", {"Bob Chen": "Robert Chen"}),
    ("Lena gave the keynote in Lisbon.", {"Lena": "Lena Okafor"}),
    (
        "Forward the deck to tomas@vento.example before Friday.",
        {"tomas@vento.example": "Tomás Silva"},
    ),
    ("Tomas Silva is back from São Paulo.", {"Tomas Silva": "Tomás Silva"}),
    ("Sam from Acme asked about pricing.", {"Sam": "Sam Patel"}),
    ("Sam called, no idea which one.", {"Sam": None}),
    ("Kate Moreau will join the board call.", {"Kate Moreau": "Katherine Moreau"}),
    ("Met Marcus Web at the conference.", {"Marcus Web": "Marcus Webb"}),
    ("Robert and Lena should meet.", {"Robert": "Robert Chen", "Lena": "Lena Okafor"}),
    (
        "Dinner with Jonas Berg and Priya Raman next week.",
        {"Jonas Berg": None, "Priya Raman": "Priya Raman"},
    ),
    ("Ask Katherine about the Lumen pilot.", {"Katherine": "Katherine Moreau"}),
    ("The weather in Leeds was awful.", {}),
    ("Marcus said the budget committee meets in October.", {"Marcus": "Marcus Webb"}),
    ("Прия и Lena Okafor обсудили проект.", {"Lena Okafor": "Lena Okafor"}),
]
