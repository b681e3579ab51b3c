"""A labelled set for the duplicate detector: address-book entries, each tagged with the
person it really is. Two entries with the same label are a true duplicate pair.

Built by hand from the ways one person ends up twice in a network (imports from two
address books, typos, reordered or unaccented names, a new job, a nickname) and from the
ways two people look alike (a common name, relatives at one company, one surname and
initial). Measured by `benchmarks/duplicates_eval.py`; pinned by tests/unit/test_duplicates.py
(names and keys) and tests/integration/test_duplicate_profiles.py (with the profiles
embedded by the real model, through `duplicateCandidates`).

`PROFILED` adds entries with a life — a title, a place, a bio, tags — for the profile
embeddings: people only their profiles could tie together (a new job under one name,
a transliterated or misspelt surname that no name block holds, nicknames, another
script) and the traps profiles set (colleagues in one team, a namesake in another
field, a namesake colleague of the same surname).
"""

from __future__ import annotations

from typing import NamedTuple


class Entry(NamedTuple):
    label: str
    full_name: str
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    job_title: str | None = None
    location: str | None = None
    bio: str | None = None
    tags: tuple[str, ...] = ()


# (label, full name, email, phone, company): names and keys only
NAMES_ONLY: list[tuple[str, str, str | None, str | None, str | None]] = [
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

PROFILED: list[Entry] = [
    # one name, a new job and no address in common: only the similar life says so
    Entry("minjun", "Min-jun Park", company="Naver", job_title="Product designer",
          location="Seoul", tags=("typography", "design systems")),
    Entry("minjun", "Min-jun Park", company="Kakao", job_title="Senior product designer",
          location="Seoul", bio="Designs mobile banking apps.", tags=("typography",)),
    # a namesake in another field: one name is not enough
    Entry("minjun-md", "Min-jun Park", company="Samsung Medical Center",
          job_title="Cardiologist", location="Seoul", bio="Specialises in heart failure."),
    # transliterated or misspelt surnames: no surname block holds both
    Entry("khaled", "Khaled Mansour", company="Foster + Partners", job_title="Architect",
          location="Dubai", bio="Designs airports."),
    Entry("khaled", "Khalid Mansur", job_title="Senior architect", location="Dubai",
          tags=("airports", "sustainable building")),
    Entry("jurgen", "Jürgen Schmitt", company="Hotel Adlon", job_title="Sommelier",
          location="Berlin", tags=("riesling",)),
    Entry("jurgen", "Juergen Schmidt", company="Adlon Kempinski", job_title="Head sommelier",
          location="Berlin", tags=("wine", "riesling")),
    Entry("yevgeny", "Yevgeny Kuznetsov", company="SKA Saint Petersburg",
          job_title="Hockey coach", tags=("ice hockey",)),
    Entry("yevgeny", "Evgeniy Kuznetsov", company="SKA St. Petersburg", job_title="Head coach",
          bio="Former national team defenceman."),
    # another script: nothing in the name to compare
    Entry("dmitry", "Дмитрий Волков", company="Berlin Philharmonic", job_title="Violinist",
          location="Berlin", bio="Concertmaster; plays a 1740 Guarneri."),
    Entry("dmitry", "Dmitry Volkov", company="Berlin Philharmonic", job_title="Concertmaster",
          location="Berlin", tags=("chamber music",)),
    # nicknames with one job
    Entry("elizabeth", "Elizabeth Taylor", company="St Mary's Hospital",
          job_title="Paediatric nurse", location="London", tags=("marathon running", "knitting")),
    Entry("elizabeth", "Liz Taylor", company="St Mary's Hospital", job_title="Nurse",
          location="London", bio="Runs marathons, knits on night shifts."),
    Entry("robert-m", "Robert Miller", company="Ferrous Labs", job_title="Staff engineer",
          bio="Builds database storage engines in Rust.", tags=("databases", "rust")),
    Entry("robert-m", "Bob Miller", company="Ferrous Labs", job_title="Storage engineer",
          bio="Works on the Rust storage engine.", tags=("rust",)),
    Entry("margaret", "Margaret Thompson", company="Globex", job_title="Head of Procurement",
          location="Chicago", tags=("supply chain",)),
    Entry("margaret", "Peggy Thompson", company="Globex", job_title="Procurement lead",
          location="Chicago"),
    # --- traps: near profiles of different people -------------------------------------------
    # a colleague of Robert Miller's doing nearly the same work
    Entry("priya-s", "Priya Shah", company="Ferrous Labs", job_title="Staff engineer",
          bio="Builds database query engines in Rust.", tags=("databases", "rust")),
    # a colleague of Elizabeth Taylor's with her surname
    Entry("sarah-t", "Sarah Taylor", company="St Mary's Hospital", job_title="Nurse",
          location="London", tags=("running",)),
    # one team
    Entry("anna-b", "Anna Berg", company="Spotify", job_title="Data engineer",
          location="Stockholm", bio="Builds streaming data pipelines.",
          tags=("kafka", "data pipelines")),
    Entry("erik-l", "Erik Lund", company="Spotify", job_title="Data engineer",
          location="Stockholm", bio="Builds batch data pipelines.",
          tags=("spark", "data pipelines")),
    # one common name, one trade, two people
    Entry("david-g", "David Lee", company="Google", job_title="Software engineer",
          location="Mountain View", bio="Works on search ranking."),
    Entry("david-m", "David Lee", company="Meta", job_title="Software engineer",
          location="London", bio="Works on Android video playback."),
]  # fmt: skip

ENTRIES: list[Entry] = [Entry(*row) for row in NAMES_ONLY] + PROFILED
