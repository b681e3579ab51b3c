"""A labelled evaluation set for memory search.

Each target memory has a paraphrased question that shares almost no words with it
(found by meaning, not by words) and an exact phrase from it (found by words).
Distractors share topics or words with the targets without answering them.
"""

from __future__ import annotations

# (key, contact, content, paraphrased question, exact phrase)
TARGETS = [
    ("seed", "Priya Nair", "Priya is raising a seed round for her soil-carbon startup and wants introductions to impact investors.",
     "who was fundraising for a climate company?", "soil-carbon startup"),
    ("dog", "Marco Rossi", "Marco just adopted a rescue greyhound and spends weekends at the dog park.",
     "which friend recently got a new pet?", "rescue greyhound"),
    ("marathon", "Lena Vogel", "Lena is training for the Berlin marathon in September.",
     "who is preparing for a long-distance running race?", "Berlin marathon"),
    ("university", "Tom Becker", "Tom's daughter starts university in Edinburgh this autumn.",
     "whose kid is heading off to college?", "university in Edinburgh"),
    ("pastry", "Aisha Khan", "Aisha left her job at the bank to become a pastry chef.",
     "who quit finance to work in baking?", "pastry chef"),
    ("rust", "Kenji Sato", "Kenji is looking for a senior Rust engineer to join his infrastructure team.",
     "who wants to recruit a systems programmer?", "senior Rust engineer"),
    ("ankle", "Sofia Marin", "Sofia broke her ankle in a skiing accident and is on crutches.",
     "who got hurt on the slopes?", "skiing accident"),
    ("lisbon", "Noor Haddad", "Noor is moving to Lisbon next month and needs apartment recommendations.",
     "who is relocating to Portugal?", "moving to Lisbon"),
    ("acquired", "David Cohen", "David's company was acquired by a large software firm last week.",
     "whose startup got bought?", "acquired by a large software firm"),
    ("book", "Grace Liu", "Grace is writing a book about the history of computing.",
     "who is authoring a text on how digital machines evolved?", "history of computing"),
    ("foodbank", "Omar Farouk", "Omar volunteers at the food bank every Saturday morning.",
     "who does charity work feeding hungry people?", "food bank"),
    ("cello", "Elena Petrova", "Elena is learning to play the cello and takes lessons twice a week.",
     "who is studying a string instrument?", "play the cello"),
    ("baby", "Ravi Mehta", "Ravi and his wife are expecting their first baby in March.",
     "who is about to become a parent?", "expecting their first baby"),
    ("roof", "Hannah Berg", "Hannah is frustrated with her landlord over a leaking roof.",
     "who has housing trouble with water coming in?", "leaking roof"),
    ("vegan", "Luis Ortega", "Luis switched to a plant-based diet for health reasons.",
     "who stopped eating meat and dairy?", "plant-based diet"),
]  # fmt: skip

DISTRACTORS = [
    ("Priya Nair", "Priya prefers morning meetings and always brings her own coffee."),
    ("Marco Rossi", "Marco works as an accountant and hates spreadsheets with merged cells."),
    ("Lena Vogel", "Lena recommended a good Italian restaurant near the office."),
    ("Tom Becker", "Tom is renovating his kitchen and chose blue tiles."),
    ("Aisha Khan", "Aisha's favourite film is an old black-and-white comedy."),
    ("Kenji Sato", "Kenji gave a talk on database indexing at a meetup."),
    ("Sofia Marin", "Sofia collects vintage postcards from seaside towns."),
    ("Noor Haddad", "Noor is reading a long novel about a family in Cairo."),
    ("David Cohen", "David plays chess online most evenings."),
    ("Grace Liu", "Grace asked for feedback on her conference slides."),
    ("Omar Farouk", "Omar bought a new bicycle for commuting."),
    ("Elena Petrova", "Elena is organising the office quiz night."),
    ("Ravi Mehta", "Ravi enjoys hiking in the hills on clear days."),
    ("Hannah Berg", "Hannah is learning Spanish with an app on her phone."),
    ("Luis Ortega", "Luis manages the quarterly budget review for his team."),
    ("Priya Nair", "The quarterly team offsite will be in a forest cabin."),
    ("Kenji Sato", "Kenji's team moved their services to a new cloud region."),
    ("David Cohen", "David is thinking about buying a second-hand car."),
]
