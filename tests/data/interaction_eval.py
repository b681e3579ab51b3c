"""A labelled set for searchable interactions: calls, meetings and emails with their
subject, summary and content, and questions that paraphrase one of them (none shares
its key words). `answer` is the subject of the interaction that answers."""

from __future__ import annotations

PEOPLE = ["Priya Raman", "Marcus Webb", "Lena Okafor", "Tomás Silva"]

INTERACTIONS = [
    # (participant, type, subject, summary, content)
    ("Priya Raman", "CALL", "Series A timeline",
     "She expects to close the round by March.",
     "Priya walked through the fundraising plan: term sheets from two funds, closing early spring."),
    ("Priya Raman", "EMAIL", "Office move",
     None,
     "Helio Grid is relocating its headquarters from Leeds to Manchester next quarter."),
    ("Marcus Webb", "MEETING", "Scanner utilisation",
     "MRI machines sit idle most afternoons; he wants booking software.",
     "Radiology wastes capacity because appointments are booked by phone."),
    ("Marcus Webb", "CALL", "Knee surgery",
     "Recovering from an operation, back at work in six weeks.",
     None),
    ("Lena Okafor", "MEETING", "Keynote rehearsal",
     "Practised her conference talk on data privacy.",
     "Slides need fewer bullet points; the demo of differential privacy ran long."),
    ("Lena Okafor", "MESSAGE", "Puppy",
     None,
     "Lena adopted a border collie named Biscuit last weekend."),
    ("Tomás Silva", "EMAIL", "Fund II close",
     "Vento Capital raised its second fund, 120 million euros.",
     "Tomás shared the LP letter; they will invest in climate hardware."),
    ("Tomás Silva", "CALL", "Sailing trip",
     "Plans a regatta in the Azores in July.",
     "He asked whether I want to crew on his yacht."),
]  # fmt: skip

QUESTIONS = [
    ("when will her startup finish raising money", "Series A timeline"),
    ("which company is changing cities for its main office", "Office move"),
    ("hospital imaging equipment left unused", "Scanner utilisation"),
    ("who is recovering from an operation on his leg", "Knee surgery"),
    ("practice session for a conference presentation", "Keynote rehearsal"),
    ("new dog in the family", "Puppy"),
    ("venture firm finished collecting capital for a new vehicle", "Fund II close"),
    ("boat race on Portuguese islands in summer", "Sailing trip"),
]
