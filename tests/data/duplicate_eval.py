"""A labelled set for the duplicate detector: address-book entries, each tagged with the
person it really is. Two entries with the same label are a true duplicate pair.

Built by hand from the ways one person ends up twice in a network (imports from two
address books, typos, reordered or unaccented names, a new job, a nickname) and from the
ways two people look alike (a common name, relatives at one company, one surname and
initial). Measured by `benchmarks/duplicates_eval.py`; pinned by tests/unit/test_duplicates.py.
"""

from __future__ import annotations

# (label, full name, email, phone, company)
ENTRIES: list[tuple[str, str, str | None, str | None, str | None]] = [
    # the same address, other case, other spelling of the name
    ("priya", "Priya Raman", "priya.raman@solarbloom.io", "+44 20 7946 0958", "SolarBloom"),
    ("priya", "priya raman", "Priya.Raman@SolarBloom.io", None, None),
    ("priya", "Priya R.", None, "020 7946 0958", None),
    # accents dropped by an old export
    ("jose", "José María Núñez", "jose.nunez@example.es", "+34 600 123 456", "Acme Iberia"),
    ("jose", "Jose Maria Nunez", None, "600123456", "Acme Iberia"),
    # surname first
    ("zoe", "Zoë Ødegård", "zoe@nordlys.no", None, "Nordlys AS"),
    ("zoe", "Ødegård, Zoë", None, None, "Nordlys"),
    # a typo, same company
    ("jon", "Jon Smith", None, None, "Initech"),
    ("jon", "John Smith", "john.smith@initech.com", "+1 555 010 2000", "Initech, Inc."),
    ("katharine", "Katharine Johnson", "kj@nasa.example", None, "NASA"),
    ("katharine", "Katherine Johnson", None, None, "NASA"),
    ("mohammed", "Mohammed Al-Farsi", None, "+971 50 123 4567", None),
    ("mohammed", "Mohamed Alfarsi", None, "050 123 4567", None),
    # a new job, same phone
    ("chidi", "Chidi Okafor", "chidi@oldco.example", "+234 803 555 0101", "OldCo"),
    ("chidi", "Chidi Okafor", None, "0803 555 0101", "NewCo"),
    # a nickname, only the phone in common
    ("robert", "Robert Jones", None, "+1 (415) 555-0199", None),
    ("robert", "Bob Jones", None, "415.555.0199", None),
    # a nickname and nothing else in common: the detector cannot know (a miss)
    ("william", "William Gates", "bill@example.com", None, None),
    ("william", "Bill Gates", None, None, None),
    # the same address, a married name
    ("anna", "Anna Kowalska", "anna.k@example.pl", None, "Wisła Tech"),
    ("anna", "Anna Nowak", "anna.k@example.pl", None, None),
    # a middle name added
    ("li", "Li Wei", "li.wei@example.cn", None, None),
    ("li", "Li Xiao Wei", "li.wei@example.cn", None, None),
    ("elodie", "Élodie Brûlé", None, "+33 6 12 34 56 78", "Café Lumière"),
    ("elodie", "Elodie Brule", None, None, "Cafe Lumiere"),
    ("soren", "Søren Kierkegaard", None, None, "Aarhus Uni"),
    ("soren", "Soren Kierkegaard", None, None, "Aarhus Uni"),
    # --- people who only look alike -------------------------------------------------------
    # one common name, two people (each with an address of their own)
    ("smith-a", "John Smith", "john@hooli.example", None, "Hooli"),
    ("smith-b", "John Smith", "jsmith@piedpiper.example", None, "Pied Piper"),
    # relatives at one company
    ("adam", "Adam Kowalski", "adam@wisla.example", None, "Wisła Tech"),
    ("ewa", "Ewa Kowalska", "ewa@wisla.example", None, "Wisła Tech"),
    # one surname and initial
    ("maria-g", "Maria García", "maria.garcia@example.es", None, None),
    ("mario-g", "Mario García", "mario@example.it", None, None),
    ("marc", "Marc Dubois", None, None, "Renault"),
    ("marie", "Marie Dubois", None, None, "Peugeot"),
    # one first name, one company
    ("olivia-a", "Olivia Chen", "olivia.chen@acme.example", None, "Acme"),
    ("olivia-b", "Olivia Cheng", "ocheng@acme.example", None, "Acme"),
    # strangers
    ("ahmed", "Ahmed Haddad", None, "+961 3 123 456", None),
    ("kenji", "Kenji Tanaka", None, "+81 90 1234 5678", "Sony"),
    ("fatima", "Fatima Zahir", "fatima@example.ma", None, None),
    ("lukasz", "Łukasz Wiśniewski", None, None, "CD Projekt"),
    ("ines", "Inês Moreau", "ines@example.pt", None, None),
    ("mateo", "Mateo Rossi", None, None, None),
    ("hana", "Hana Kim", "hana@example.kr", None, "Naver"),
    ("omar", "Omar Farouk", None, "+20 10 1234 5678", None),
    ("grace", "Grace Hopper", "grace@navy.example", None, "US Navy"),
    ("ada", "Ada Lovelace", "ada@engines.example", None, "Analytical Engines"),
]
