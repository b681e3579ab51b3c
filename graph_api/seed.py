"""A deterministic demo and benchmark network, bulk loaded with COPY.

`generate_network` is pure: the same (user_id, contacts, seed, now) always yields the
same rows, so benchmarks compare like with like and tests can pin behaviour.
`seed_network` loads those rows in one transaction with `COPY`, which is an order of
magnitude faster than INSERTs for 100k-row tables.

The shape feeds the graph algorithms, so it is built on purpose:
- contacts live in communities (companies, friend groups, families, client/vendor
  circles, alumni and meetup networks) that are dense inside and joined by a few
  bridges, so Louvain has real communities to find and betweenness real connectors;
- every contact has a tie profile (active, fading, gone cold, occasional, never), so
  strength and "going cold" have true positives and true negatives;
- interests and memories are drawn from the contact's community, so semantic search
  has something meaningful to find.
"""

from __future__ import annotations

import gc
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from graph_api.db import ties

Record = tuple[Any, ...]
ProgressCallback = Callable[[str, int, int], None]

# Column order of every record tuple in `Network`; also the COPY column lists.
# Generated and defaulted columns (memories.search_vector, embedding) are left out.
CONTACT_COLUMNS = (
    "user_id", "id", "full_name", "email", "phone", "company", "job_title", "location",
    "bio", "tags", "notes", "source", "last_interaction_at", "created_at", "updated_at",
)  # fmt: skip
RELATIONSHIP_COLUMNS = (
    "user_id", "id", "contact_a_id", "contact_b_id", "type", "manual_strength", "source",
    "detected_at", "created_at", "updated_at",
)  # fmt: skip
INTERACTION_COLUMNS = (
    "user_id", "id", "type", "direction", "subject", "content", "summary", "sentiment",
    "occurred_at", "duration_minutes", "created_at",
)  # fmt: skip
PARTICIPANT_COLUMNS = ("user_id", "interaction_id", "contact_id")
INTEREST_COLUMNS = (
    "user_id", "id", "contact_id", "category", "topic", "confidence", "evidence_count",
    "first_detected_at", "last_reinforced_at",
)  # fmt: skip
MEMORY_COLUMNS = (
    "user_id", "id", "contact_id", "type", "title", "content", "tags", "importance",
    "confidence", "created_at", "updated_at",
)  # fmt: skip
MEMORY_SOURCE_COLUMNS = ("user_id", "memory_id", "interaction_id")

# Rows per COPY call for big tables: small enough that a progress bar moves.
COPY_CHUNK_ROWS = 20_000

DAY = 86_400  # seconds
WINDOW_DAYS = 730  # interactions span the two years before `now`


@dataclass(frozen=True)
class Network:
    """Every generated row, per table, as tuples in the `*_COLUMNS` order."""

    contacts: list[Record]
    relationships: list[Record]
    interactions: list[Record]
    participants: list[Record]
    interests: list[Record]
    memories: list[Record]
    memory_sources: list[Record]

    def tables(self) -> list[tuple[str, tuple[str, ...], list[Record]]]:
        """(table, columns, rows) in foreign-key order: parents before children."""
        return [
            ("contacts", CONTACT_COLUMNS, self.contacts),
            ("relationships", RELATIONSHIP_COLUMNS, self.relationships),
            ("interactions", INTERACTION_COLUMNS, self.interactions),
            ("interaction_participants", PARTICIPANT_COLUMNS, self.participants),
            ("interests", INTEREST_COLUMNS, self.interests),
            ("memories", MEMORY_COLUMNS, self.memories),
            ("memory_sources", MEMORY_SOURCE_COLUMNS, self.memory_sources),
        ]


@dataclass(frozen=True)
class SeedReport:
    contacts: int
    relationships: int
    interactions: int
    participants: int
    interests: int
    memories: int
    seconds: float


# --------------------------------------------------------------------------- vocabulary

FEMALE_NAMES = (
    "Priya", "Maria", "Sofia", "Emma", "Olivia", "Aisha", "Mei", "Yuki", "Fatima", "Chloe",
    "Hannah", "Isabel", "Leila", "Nadia", "Elena", "Grace", "Zoe", "Amara", "Ingrid", "Lucia",
    "Sara", "Naomi", "Clara", "Anika", "Beatriz", "Ruth", "Julia", "Keiko", "Ana", "Maya",
    "Chiara", "Freya", "Imani", "Rosa", "Tara", "Vera", "Lena", "Mira", "Noor", "Esther",
)  # fmt: skip
MALE_NAMES = (
    "James", "Diego", "Wei", "Omar", "Lucas", "Noah", "Arjun", "Kenji", "Mateo", "Samuel",
    "David", "Ethan", "Hugo", "Ivan", "Jonas", "Kofi", "Liam", "Marco", "Nikhil", "Oscar",
    "Pablo", "Rafael", "Tomas", "Victor", "Yusuf", "Daniel", "Felix", "Gabriel", "Hiro", "Jamal",
    "Leo", "Malik", "Ravi", "Stefan", "Theo", "Andre", "Ben", "Carlos", "Emeka", "Finn",
)  # fmt: skip
NEUTRAL_NAMES = (
    "Alex", "Sam", "Jordan", "Robin", "Kai", "Ari", "Quinn", "Rowan", "Charlie", "Avery",
)  # fmt: skip
LAST_NAMES = (
    "Shah", "Garcia", "Chen", "Smith", "Okafor", "Nakamura", "Rossi", "Muller", "Kowalski",
    "Silva", "Patel", "Kim", "Nguyen", "Johnson", "Martin", "Haddad", "Ivanova", "Larsen",
    "Costa", "Dubois", "Schmidt", "Fernandez", "Tanaka", "Walker", "Adeyemi", "Novak",
    "Jensen", "Lopez", "Singh", "Yilmaz", "Brown", "Wilson", "Moreau", "Rahman", "Berg",
    "Sato", "Hughes", "Kaur", "Mensah", "Ortiz", "Park", "Quinn", "Reyes", "Sorensen",
    "Torres", "Ueda", "Vargas", "Weber", "Zhang", "Ali", "Bauer", "Castro", "Diaz", "Ek",
    "Fischer", "Gomez", "Hansen", "Ito", "Khan", "Lindqvist", "Mehta", "Nilsen", "OBrien",
    "Petrov", "Romero", "Suzuki", "Thompson", "Volkov", "Wang", "Young", "Abbott", "Baker",
)  # fmt: skip
CITIES = (
    "San Francisco", "New York", "London", "Berlin", "Lisbon", "Toronto", "Austin",
    "Bangalore", "Singapore", "Nairobi", "Sao Paulo", "Stockholm", "Amsterdam", "Paris",
    "Seattle", "Boston", "Chicago", "Denver", "Mexico City", "Tokyo", "Sydney", "Dublin",
    "Barcelona", "Lagos", "Copenhagen",
)  # fmt: skip
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
PERSONAL_EMAIL_DOMAINS = ("gmail.com", "outlook.com", "proton.me", "icloud.com", "fastmail.com")
TAG_VOCABULARY = (
    "investor", "engineer", "founder", "designer", "sales", "family", "college", "friend",
    "client", "vendor", "mentor", "press", "recruiter", "vip", "neighbor",
)  # fmt: skip
GENERIC_TITLES = (
    "Software Engineer", "Senior Software Engineer", "Product Manager", "Designer",
    "Head of Sales", "Account Executive", "Operations Lead", "Data Scientist",
    "Marketing Manager", "Recruiter", "Engineering Manager", "Customer Success Lead",
)  # fmt: skip
LEADER_TITLES = ("CEO & Co-founder", "CTO & Co-founder", "VP Engineering", "COO", "Head of Product")
GENERAL_INTERESTS = (
    ("travel", "national parks"), ("food", "coffee"), ("books", "science fiction"),
    ("music", "jazz"), ("sports", "football"), ("health", "running"), ("home", "gardening"),
    ("food", "baking"), ("travel", "Japan"), ("music", "live concerts"),
)  # fmt: skip


@dataclass(frozen=True)
class Sector:
    """An industry: where company communities get their names, roles and topics."""

    key: str
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    titles: tuple[str, ...]
    interests: tuple[tuple[str, str], ...]
    projects: tuple[str, ...]


# fmt: off
SECTORS = (
    Sector(
        "climate",
        ("Verdant", "Terra", "Carbon", "Solstice", "Greenline", "Loam", "Tideway"),
        ("Soil", "Labs", "Energy", "Grid", "Works", "Climate"),
        ("Soil Scientist", "Climate Policy Lead", "Hardware Engineer", "Carbon Analyst"),
        (("climate", "soil carbon"), ("climate", "carbon markets"), ("energy", "solar"),
         ("energy", "grid storage"), ("climate", "regenerative agriculture"),
         ("policy", "climate policy")),
        ("soil-carbon measurement", "carbon credit registry", "battery pilot", "field sensor"),
    ),
    Sector(
        "fintech",
        ("Ledger", "Northbank", "Coinpath", "Tally", "Brightpay", "Mintwise", "Harbor"),
        ("Pay", "Capital", "Finance", "Money", "Labs", "Credit"),
        ("Risk Analyst", "Compliance Officer", "Payments Engineer", "Quant Developer"),
        (("finance", "payments"), ("finance", "open banking"), ("finance", "fraud detection"),
         ("technology", "distributed ledgers"), ("policy", "financial regulation"),
         ("finance", "personal finance")),
        ("payments API", "card issuing launch", "KYC revamp", "fraud model"),
    ),
    Sector(
        "health",
        ("Clearwell", "Pulse", "Vitalis", "Cura", "Helix", "Medora", "Kindred"),
        ("Health", "Care", "Clinic", "Bio", "Labs", "Medical"),
        ("Clinical Lead", "Nurse Practitioner", "Health Data Analyst", "Medical Director"),
        (("health", "digital health"), ("health", "mental health"), ("health", "telemedicine"),
         ("science", "genomics"), ("health", "nutrition"), ("policy", "healthcare policy")),
        ("telehealth app", "patient portal", "clinical trial", "care pathway"),
    ),
    Sector(
        "devtools",
        ("Stackline", "Byteforge", "Cloudnine", "Vector", "Lambda", "Compile", "Orbit"),
        ("AI", "Systems", "Cloud", "Data", "Labs", "Dev"),
        ("ML Engineer", "Developer Advocate", "Site Reliability Engineer", "Research Scientist"),
        (("technology", "machine learning"), ("technology", "developer tools"),
         ("technology", "databases"), ("technology", "open source"),
         ("technology", "large language models"), ("technology", "Rust")),
        ("vector search beta", "inference platform", "observability dashboard", "SDK release"),
    ),
    Sector(
        "media",
        ("Paper", "Signal", "Broadside", "Lumen", "Echo", "Frame", "Inkwell"),
        ("Media", "Studio", "Press", "Collective", "Stories", "Films"),
        ("Editor", "Journalist", "Producer", "Creative Director"),
        (("media", "podcasting"), ("media", "documentary film"), ("media", "newsletters"),
         ("arts", "photography"), ("media", "investigative journalism"), ("arts", "design")),
        ("podcast season", "documentary edit", "newsletter relaunch", "brand campaign"),
    ),
    Sector(
        "education",
        ("Brightpath", "Scholar", "Learnly", "Chalk", "Mentora", "Quill", "Openfield"),
        ("Learning", "Academy", "Education", "Labs", "School", "Tutors"),
        ("Curriculum Designer", "Learning Scientist", "Teacher", "Program Director"),
        (("education", "edtech"), ("education", "early literacy"), ("education", "STEM"),
         ("education", "adult learning"), ("policy", "education policy"),
         ("technology", "adaptive learning")),
        ("district pilot", "curriculum rewrite", "tutoring program", "learning app"),
    ),
    Sector(
        "venture",
        ("Northwind", "Foundry", "Summit", "Keystone", "Lighthouse", "Redwood", "Catalyst"),
        ("Ventures", "Capital", "Partners", "Fund", "Investments", "Growth"),
        ("Partner", "Principal", "Associate", "Venture Partner"),
        (("investing", "seed investing"), ("investing", "impact investing"),
         ("investing", "climate tech"), ("investing", "fintech"), ("investing", "deep tech"),
         ("investing", "B2B SaaS")),
        ("Fund II close", "portfolio review", "LP update", "deal memo"),
    ),
    Sector(
        "food",
        ("Harvest", "Olive", "Saffron", "Crumb", "Orchard", "Copper", "Wildflower"),
        ("Kitchen", "Foods", "Bakery", "Market", "Provisions", "Table"),
        ("Head Chef", "Food Scientist", "Supply Chain Manager", "Brand Manager"),
        (("food", "fermentation"), ("food", "plant-based food"), ("food", "restaurants"),
         ("food", "food supply chains"), ("food", "natural wine"), ("food", "sourdough")),
        ("new menu", "grocery distribution deal", "second location", "packaging redesign"),
    ),
)
# fmt: on
SECTORS_BY_KEY = {sector.key: sector for sector in SECTORS}


@dataclass(frozen=True)
class Hobby:
    """What a friend group does together: names, topics and plans."""

    group: str
    interests: tuple[tuple[str, str], ...]
    activity: str
    event: str


# fmt: off
HOBBIES = (
    Hobby("Thursday climbing crew",
          (("sports", "bouldering"), ("outdoors", "alpine climbing"), ("outdoors", "camping")),
          "climbing session", "bouldering competition"),
    Hobby("Sunday running club",
          (("sports", "marathons"), ("sports", "trail running"), ("health", "running")),
          "long run", "half marathon"),
    Hobby("book club",
          (("books", "literary fiction"), ("books", "history"), ("books", "science fiction")),
          "book club night", "author reading"),
    Hobby("board game night",
          (("games", "board games"), ("games", "tabletop RPGs"), ("games", "chess")),
          "game night", "board game convention"),
    Hobby("supper club",
          (("food", "cooking"), ("food", "natural wine"), ("food", "fermentation")),
          "dinner", "supper club feast"),
    Hobby("weekend cycling group",
          (("sports", "cycling"), ("outdoors", "bikepacking"), ("travel", "Alps")),
          "ride", "gran fondo"),
    Hobby("community choir",
          (("music", "choral singing"), ("music", "jazz"), ("music", "classical music")),
          "rehearsal", "spring concert"),
    Hobby("five-a-side football team",
          (("sports", "football"), ("sports", "coaching"), ("health", "fitness")),
          "match", "league final"),
)
# fmt: on
FAMILY_RELATIONS = ("cousin", "sister", "brother", "aunt", "uncle", "niece", "nephew", "in-law")
FAMILY_INTERESTS = (
    ("food", "baking"), ("home", "gardening"), ("travel", "road trips"), ("family", "parenting"),
    ("sports", "football"), ("books", "mysteries"), ("home", "woodworking"), ("music", "folk"),
)  # fmt: skip
SCHOOLS = (
    "Northfield University", "Lakeshore College", "Eastbrook Institute of Technology",
    "Westmere University", "Harborview College",
)  # fmt: skip
SERVICE_FIRM_NAMES = ("Atlas", "Meridian", "Pinnacle", "Bluefin", "Ironside", "Cobalt", "Juniper")
SERVICE_FIRM_KINDS = (
    "Law",
    "Consulting",
    "Accounting",
    "Agency",
    "Logistics",
    "Design",
    "Advisory",
)
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
# words in a job title that earn a contact a tag
TITLE_TAGS = (
    ("engineer", "engineer"), ("founder", "founder"), ("design", "designer"), ("sales", "sales"),
    ("recruit", "recruiter"), ("journalist", "press"), ("editor", "press"),
    ("partner", "investor"),
)  # fmt: skip


# --------------------------------------------------------------------------- community kinds


@dataclass(frozen=True)
class Kind:
    """How one kind of community is sized, connected and talked to."""

    name: str
    share: float  # fraction of contacts whose primary community is of this kind
    size: tuple[int, int]
    edge_types: tuple[tuple[str, float], ...]
    # tie profiles: active, fading, cold, occasional, never
    profiles: tuple[float, float, float, float, float]
    # interaction types: email, meeting, call, message, other
    channels: tuple[float, float, float, float, float]


KINDS = (
    Kind(
        "company",
        0.38,
        (5, 40),
        (("colleague", 0.86), ("mentor", 0.09), ("friend", 0.05)),
        (0.15, 0.15, 0.16, 0.34, 0.20),
        (0.42, 0.28, 0.14, 0.12, 0.04),
    ),
    Kind(
        "friends",
        0.22,
        (4, 15),
        (("friend", 0.9), ("acquaintance", 0.1)),
        (0.20, 0.16, 0.14, 0.34, 0.16),
        (0.06, 0.16, 0.22, 0.52, 0.04),
    ),
    Kind(
        "family",
        0.08,
        (3, 8),
        (("family", 1.0),),
        (0.26, 0.12, 0.08, 0.44, 0.10),
        (0.04, 0.14, 0.34, 0.44, 0.04),
    ),
    Kind(
        "clients",
        0.15,
        (5, 20),
        (("colleague", 1.0),),  # cross-firm edges become client/vendor, see _edge_type
        (0.14, 0.16, 0.18, 0.34, 0.18),
        (0.50, 0.26, 0.16, 0.04, 0.04),
    ),
    Kind(
        "network",
        0.17,
        (6, 30),
        (("acquaintance", 0.7), ("mentor", 0.15), ("friend", 0.15)),
        (0.06, 0.10, 0.16, 0.40, 0.28),
        (0.44, 0.24, 0.10, 0.18, 0.04),
    ),
)
PROFILES = ("active", "fading", "cold", "occasional", "never")
INTERACTION_TYPES = ("email", "meeting", "call", "message", "other")
BRIDGE_TYPES = (("acquaintance", 0.5), ("friend", 0.3), ("mentor", 0.1), ("other", 0.1))


# --------------------------------------------------------------------------- working state


# eq=False: people and communities are compared by identity (`in`, `is`), never by
# value; a generated __eq__ would compare every field and cost seconds at 10k contacts.
@dataclass(slots=True, eq=False)
class Community:
    kind: Kind
    name: str  # company, group or family name, used in subjects and memories
    city: str
    sector: Sector | None = None
    hobby: Hobby | None = None
    school: str | None = None
    members: list[Person] = field(default_factory=list)
    hub: Person | None = None  # the organiser/manager most members are tied to


@dataclass(slots=True, eq=False)
class Person:
    id: uuid.UUID
    first: str
    last: str
    pronoun: str  # "she", "he" or "they"
    community: Community
    company: str | None = None
    domain: str | None = None  # work email domain; None means a personal address
    title: str | None = None
    firm_role: str | None = None  # "client" or "vendor" inside a client circle
    city: str = ""
    relation: str | None = None  # family members only
    profile: str = "never"
    outbound_bias: float = 0.5  # how often the user writes first
    mood: float = 0.3  # baseline sentiment of this tie
    ages: list[int] = field(default_factory=list)  # seconds before now, own interactions
    interactions: list[tuple[uuid.UUID, int]] = field(default_factory=list)  # (id, age)
    topics: list[tuple[str, str]] = field(default_factory=list)  # interests chosen

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


# --------------------------------------------------------------------------- generator


def generate_network(user_id: uuid.UUID, contacts: int, seed: int, now: datetime) -> Network:
    """Build a whole network in memory; no I/O. Deterministic in all four arguments."""
    if contacts < 0:
        raise ValueError("contacts must be >= 0")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    # The generator allocates millions of small objects and frees none of them until
    # it returns, so cyclic GC passes are pure overhead (~40% of the run time).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _Generator(user_id, seed, now.astimezone(UTC)).build(contacts)
    finally:
        if gc_was_enabled:
            gc.enable()


class _Generator:
    """Holds the one rng and the anchors; each `_build_*` step appends to one table."""

    def __init__(self, user_id: uuid.UUID, seed: int, now: datetime) -> None:
        self.user_id = user_id
        self.rng = random.Random(seed)
        self.now = now
        self.people: list[Person] = []
        self.communities: list[Community] = []
        self.used_company_names: set[str] = set()
        self.used_emails: set[str] = set()
        self.net = Network([], [], [], [], [], [], [])

    def build(self, contacts: int) -> Network:
        self._build_communities(contacts)
        self._build_timelines()
        self._build_relationships()
        last_seen = self._build_interactions()
        self._build_interests()
        self._build_contacts(last_seen)
        self._build_memories()
        return self.net

    # ----- small helpers

    def new_id(self) -> uuid.UUID:
        # version=4 keeps the ids looking like gen_random_uuid() output
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, age_seconds: int) -> datetime:
        return self.now - timedelta(seconds=age_seconds)

    def weighted(self, options: Sequence[tuple[str, float]]) -> str:
        names = [name for name, _ in options]
        return self.rng.choices(names, [weight for _, weight in options])[0]

    def days(self, low: float, high: float) -> int:
        return int(self.rng.uniform(low, high) * DAY)

    # ----- communities and people

    def _build_communities(self, contacts: int) -> None:
        remaining = contacts
        # drawing a kind with weight share / mean size makes `share` the fraction of
        # *people* (not of communities) in communities of that kind
        kind_weights = [kind.share / sum(kind.size) for kind in KINDS]
        while remaining > 0:
            kind = self.rng.choices(KINDS, kind_weights)[0]
            size = min(remaining, self.rng.randint(*kind.size))
            community = self._new_community(kind)
            for _ in range(size):
                community.members.append(self._new_person(community))
            community.hub = self.rng.choice(community.members)
            self.communities.append(community)
            remaining -= size
        self._add_second_memberships()

    def _new_community(self, kind: Kind) -> Community:
        rng = self.rng
        city = rng.choice(CITIES)
        if kind.name == "company":
            sector = rng.choice(SECTORS)
            name = self._company_name(lambda: _sector_company(rng, sector), city)
            return Community(kind, name, city, sector=sector)
        if kind.name == "friends":
            hobby = rng.choice(HOBBIES)
            return Community(kind, f"{city} {hobby.group}", city, hobby=hobby)
        if kind.name == "family":
            return Community(kind, f"the {rng.choice(LAST_NAMES)} family", city)
        if kind.name == "clients":
            sector = rng.choice(SECTORS)
            return Community(kind, f"{sector.key} accounts", city, sector=sector)
        # network: alumni of a school, or a meetup around a sector
        sector = rng.choice(SECTORS)
        if rng.random() < 0.5:
            school = rng.choice(SCHOOLS)
            return Community(kind, f"{school} alumni", city, sector=sector, school=school)
        return Community(kind, f"{city} {sector.key} meetup", city, sector=sector)

    def _company_name(self, draw: Callable[[], str], city: str) -> str:
        """A name no other community uses, so `company` identifies one community.

        Redraw first; once the vocabulary runs thin (a few hundred companies) fall back
        to a regional office name, and only then to a number.
        """
        candidates = [draw() for _ in range(6)]
        candidates += [f"{draw()} {city}" for _ in range(6)]
        name = next((c for c in candidates if c not in self.used_company_names), None)
        number = 2
        while name is None or name in self.used_company_names:
            name = f"{candidates[0]} {number}"
            number += 1
        self.used_company_names.add(name)
        return name

    def _new_person(self, community: Community) -> Person:
        rng = self.rng
        roll = rng.random()
        if roll < 0.46:
            first, pronoun = rng.choice(FEMALE_NAMES), "she"
        elif roll < 0.92:
            first, pronoun = rng.choice(MALE_NAMES), "he"
        else:
            first, pronoun = rng.choice(NEUTRAL_NAMES), "they"
        last = rng.choice(LAST_NAMES)
        if community.kind.name == "family" and rng.random() < 0.7:
            last = community.name.split()[1]  # most relatives share the family name
        person = Person(self.new_id(), first, last, pronoun, community, city=community.city)
        self._assign_work(person)
        if rng.random() < 0.15:
            person.city = rng.choice(CITIES)  # people move; not everyone lives near the group
        if community.kind.name == "family":
            person.relation = rng.choice(FAMILY_RELATIONS)
        self.people.append(person)
        return person

    def _assign_work(self, person: Person) -> None:
        rng = self.rng
        community = person.community
        kind = community.kind.name
        if kind == "company":
            assert community.sector is not None
            person.company = community.name
            person.domain = _domain(community.name)
            leader = not community.members and rng.random() < 0.6  # first member often leads
            pool = LEADER_TITLES if leader else community.sector.titles + GENERIC_TITLES
            person.title = rng.choice(pool)
        elif kind == "clients":
            self._assign_firm(person)
        else:
            # friends, family and network people work somewhere outside this network
            sector = community.sector or rng.choice(SECTORS)
            person.company = _sector_company(rng, sector)
            person.title = rng.choice(sector.titles + GENERIC_TITLES)
            if kind == "network":
                person.domain = _domain(person.company)

    def _assign_firm(self, person: Person) -> None:
        """A client circle mixes 2-3 firms; each is a client or a vendor of the user."""
        rng = self.rng
        community = person.community
        firms = [m.company for m in community.members]
        distinct = list(dict.fromkeys(firms))
        if len(distinct) < 3 and (not distinct or rng.random() < 0.3):
            person.company = self._company_name(lambda: _service_firm(rng), community.city)
            person.firm_role = rng.choice(("client", "client", "vendor"))
        else:
            peer = rng.choice(community.members)
            person.company, person.firm_role = peer.company, peer.firm_role
        assert person.company is not None
        person.domain = _domain(person.company)
        person.title = rng.choice((*GENERIC_TITLES, "Procurement Lead", "Partner", "Director"))

    def _add_second_memberships(self) -> None:
        """A few people also belong to a second community: natural bridges."""
        if len(self.communities) < 2:
            return
        for person in self.people:
            if self.rng.random() < 0.06:
                other = self.rng.choice(self.communities)
                if other is not person.community and person not in other.members:
                    other.members.append(person)

    # ----- tie timelines

    def _build_timelines(self) -> None:
        for person in self.people:
            kind = person.community.kind
            person.profile = self.rng.choices(PROFILES, kind.profiles)[0]
            person.outbound_bias = self.rng.uniform(0.25, 0.75)
            person.mood = self.rng.uniform(-0.05, 0.55)
            person.ages = self._timeline(person.profile)
            if person.profile == "fading":
                person.outbound_bias = 0.85  # the user keeps writing; replies dry up
                person.mood -= 0.15

    def _timeline(self, profile: str) -> list[int]:
        """Seconds-before-now of one tie's interactions, oldest first."""
        rng = self.rng
        ages: list[int] = []
        if profile == "active":
            # a steady cadence right up to now
            cadence, age = rng.uniform(9, 24), self.days(150, WINDOW_DAYS)
            while age > 0:
                ages.append(age)
                age -= int(cadence * rng.uniform(0.6, 1.4) * DAY)
        elif profile == "fading":
            # starts close, each gap longer than the last
            cadence, growth = rng.uniform(7, 14), rng.uniform(1.1, 1.25)
            age = self.days(400, WINDOW_DAYS)
            while age > 0:
                ages.append(age)
                age -= int(cadence * rng.uniform(0.8, 1.2) * DAY)
                cadence *= growth
        elif profile == "cold":
            # a regular rhythm that stopped 3-12 months ago
            stop = self.days(90, 365)
            age = min(WINDOW_DAYS * DAY, stop + self.days(120, 300))
            cadence = rng.uniform(9, 25)
            while age >= stop:
                ages.append(age)
                age -= int(cadence * rng.uniform(0.7, 1.3) * DAY)
        elif profile == "occasional":
            ages = sorted(
                (self.days(0, WINDOW_DAYS) for _ in range(rng.randint(1, 8))), reverse=True
            )
        return ages

    # ----- relationships

    def _build_relationships(self) -> None:
        pairs: dict[tuple[uuid.UUID, uuid.UUID], None] = {}
        for community in self.communities:
            self._community_edges(community, pairs)
        self._bridge_edges(pairs)

    def _community_edges(
        self, community: Community, pairs: dict[tuple[uuid.UUID, uuid.UUID], None]
    ) -> None:
        members = community.members
        if len(members) < 2:
            return
        # Erdos-Renyi inside the community at a target mean degree, plus a hub most
        # members know: dense clusters with a visible centre.
        probability = min(0.95, self.rng.uniform(5, 9) / (len(members) - 1))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                chance = 0.9 if community.hub in (a, b) else probability
                if self.rng.random() < chance:
                    self._add_edge(a, b, self._edge_type(community, a, b), pairs)

    def _edge_type(self, community: Community, a: Person, b: Person) -> str:
        if community.kind.name == "clients" and a.company != b.company:
            return "client" if "client" in (a.firm_role, b.firm_role) else "vendor"
        if a.community is not b.community:
            return self.weighted(BRIDGE_TYPES)  # a second membership: they met elsewhere
        return self.weighted(community.kind.edge_types)

    def _bridge_edges(self, pairs: dict[tuple[uuid.UUID, uuid.UUID], None]) -> None:
        """About one cross-community tie per community, often between hubs."""
        if len(self.communities) < 2:
            return
        hubs = [c.hub for c in self.communities if c.hub is not None]
        for _ in range(len(self.communities)):
            a = self.rng.choice(hubs) if self.rng.random() < 0.4 else self.rng.choice(self.people)
            b = self.rng.choice(self.people)
            if a.community is not b.community:
                self._add_edge(a, b, self.weighted(BRIDGE_TYPES), pairs)

    def _add_edge(
        self,
        a: Person,
        b: Person,
        relationship_type: str,
        pairs: dict[tuple[uuid.UUID, uuid.UUID], None],
    ) -> None:
        # uuid.UUID orders by its 128-bit integer, i.e. by big-endian bytes: the same
        # order as PostgreSQL's uuid comparison (memcmp), so a < b holds in the database.
        low, high = sorted((a.id, b.id))
        if low == high or (low, high) in pairs:
            return
        pairs[(low, high)] = None
        rng = self.rng
        strength = round(rng.uniform(0.2, 1.0), 2) if rng.random() < 0.4 else None
        detected = self.at(self.days(1, WINDOW_DAYS + 365))
        self.net.relationships.append(
            (self.user_id, self.new_id(), low, high, relationship_type, strength, "manual",
             detected, detected, detected)
        )  # fmt: skip

    # ----- interactions

    def _build_interactions(self) -> dict[uuid.UUID, int]:
        """Emit interactions and participants; return each contact's smallest age."""
        last_seen: dict[uuid.UUID, int] = {}
        for person in self.people:
            for age in person.ages:
                interaction_id, channel = self._emit_interaction(person, age)
                person.interactions.append((interaction_id, age))
                participants = [person]
                if channel == "meeting":
                    participants += self._group_members(person, age, interaction_id)
                for participant in participants:
                    self.net.participants.append((self.user_id, interaction_id, participant.id))
                    seen = last_seen.get(participant.id)
                    if seen is None or age < seen:
                        last_seen[participant.id] = age
        return last_seen

    def _emit_interaction(self, person: Person, age: int) -> tuple[uuid.UUID, str]:
        rng = self.rng
        kind = person.community.kind
        channel = rng.choices(INTERACTION_TYPES, kind.channels)[0]
        spoken = channel in ("meeting", "call")
        # meetings and calls are two-way; written messages mostly have a sender
        if (spoken and rng.random() < 0.8) or rng.random() < 0.1:
            direction = "mutual"
        else:
            direction = "outbound" if rng.random() < person.outbound_bias else "inbound"
        sentiment = round(max(-1.0, min(1.0, rng.gauss(person.mood, 0.25))), 2)
        duration = None
        if channel == "meeting":
            duration = rng.choice((15, 30, 30, 45, 60, 60, 90))
        elif channel == "call":
            duration = rng.choice((5, 10, 15, 20, 30, 45, 60))
        fields = self._fields(person)
        subject = _capitalized(rng.choice(SUBJECTS[kind.name]).format(**fields))
        summary = rng.choice(SUMMARIES[kind.name]).format(**fields) if spoken else None
        interaction_id = self.new_id()
        occurred = self.at(age)
        self.net.interactions.append(
            (self.user_id, interaction_id, channel, direction, subject, None, summary, sentiment,
             occurred, duration, occurred)
        )  # fmt: skip
        return interaction_id, channel

    def _group_members(self, person: Person, age: int, interaction_id: uuid.UUID) -> list[Person]:
        """~10% of meetings include 1-5 more people from the same community.

        Only people whose own tie was live at that moment join, so a gone-cold contact
        never shows up in a recent meeting and keeps its cadence story intact.
        """
        if self.rng.random() >= 0.1:
            return []
        eligible = [
            other
            for other in person.community.members
            if other is not person and other.ages and other.ages[-1] <= age <= other.ages[0]
        ]
        if not eligible:
            return []
        extra = self.rng.sample(eligible, min(len(eligible), self.rng.randint(1, 5)))
        for other in extra:
            other.interactions.append((interaction_id, age))
        return extra

    # ----- contacts

    def _build_contacts(self, last_seen: dict[uuid.UUID, int]) -> None:
        rng = self.rng
        for person in self.people:
            last_age = last_seen.get(person.id)
            # the contact existed before its first interaction
            first_age = person.ages[0] if person.ages else self.days(1, WINDOW_DAYS)
            created = self.at(first_age + self.days(0, 30))
            phone = f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
            notes = rng.choice(NOTES).format(**self._fields(person)) if rng.random() < 0.2 else None
            self.net.contacts.append(
                (self.user_id, person.id, person.full_name, self._email(person),
                 phone if rng.random() < 0.6 else None, person.company, person.title,
                 person.city, self._bio(person), self._tags(person), notes, "seed",
                 None if last_age is None else self.at(last_age), created, created)
            )  # fmt: skip

    def _email(self, person: Person) -> str:
        first, last = _ascii(person.first), _ascii(person.last)
        if person.domain is not None:
            local = self.rng.choice((f"{first}.{last}", first, f"{first[0]}{last}"))
            domain = person.domain
        else:
            local = self.rng.choice((f"{first}.{last}", f"{first}{last}", f"{first}_{last}"))
            domain = self.rng.choice(PERSONAL_EMAIL_DOMAINS)
        email, number = f"{local}@{domain}", 2
        while email in self.used_emails:  # namesakes get distinct addresses
            email = f"{local}{number}@{domain}"
            number += 1
        self.used_emails.add(email)
        return email

    def _bio(self, person: Person) -> str:
        kind = person.community.kind.name
        likes = " and ".join(topic for _, topic in person.topics[:2])
        if kind == "family":
            relation = (person.relation or "relative").capitalize()
            return f"{relation}, lives in {person.city}. Into {likes}."
        context = {
            "company": "Into",
            "friends": f"Part of the {person.community.name}; into",
            "clients": f"Our main contact at a {person.firm_role}; into",
            "network": f"Met through the {person.community.name}; into",
        }[kind]
        return f"{person.title} at {person.company}, based in {person.city}. {context} {likes}."

    def _tags(self, person: Person) -> list[str]:
        kind = person.community.kind.name
        title = (person.title or "").lower()
        tags: list[str] = []
        if kind == "family":
            tags.append("family")
        elif kind == "friends":
            tags.append("friend")
        elif kind == "clients" and person.firm_role:
            tags.append(person.firm_role)
        elif kind == "network" and person.community.school:
            tags.append("college")
        if kind == "company" and person.community.sector is SECTORS_BY_KEY["venture"]:
            tags.append("investor")
        tags.extend(tag for word, tag in TITLE_TAGS if word in title)
        if self.rng.random() < 0.05:
            tags.append(self.rng.choice(("vip", "mentor", "neighbor")))
        return list(dict.fromkeys(tags))

    # ----- interests

    def _build_interests(self) -> None:
        rng = self.rng
        for person in self.people:
            # the first interest always comes from the community, so templates that
            # say "cares about {topic}" agree with the contact's interests
            own = rng.choice(_interest_pool(person.community))
            pool = [i for i in dict.fromkeys(_interest_pool(person.community) + GENERAL_INTERESTS)]
            pool.remove(own)
            person.topics = [own, *rng.sample(pool, rng.randint(0, 3))]
            for category, topic in person.topics:
                confidence = round(rng.uniform(0.3, 0.98), 2)
                first = self.days(1, WINDOW_DAYS)
                reinforced = int(first * rng.random())  # between first detection and now
                self.net.interests.append(
                    (self.user_id, self.new_id(), person.id, category, topic, confidence,
                     1 + int(confidence * rng.randint(0, 12)), self.at(first),
                     self.at(reinforced))
                )  # fmt: skip

    # ----- memories

    def _build_memories(self) -> None:
        rng = self.rng
        chance = {"active": 0.8, "fading": 0.6, "cold": 0.55, "occasional": 0.4, "never": 0.25}
        for person in self.people:
            if rng.random() < chance[person.profile]:
                self._person_memory(person)
        for community in self.communities:
            if len(community.members) >= 8 and rng.random() < 0.15:
                self._network_memory(community)

    def _person_memory(self, person: Person) -> None:
        rng = self.rng
        memory_type, title, content, tags = rng.choice(MEMORIES[person.community.kind.name])
        fields = self._fields(person)
        source = rng.choice(person.interactions) if person.interactions else None
        if source is not None and rng.random() < 0.6:
            # written shortly after the interaction it came from
            created_age = max(0, source[1] - self.days(0, 2))
        else:
            source = None
            created_age = self.days(0, WINDOW_DAYS)
        self._emit_memory(person.id, memory_type, title.format(**fields),
                          content.format(**fields), list(tags), created_age)  # fmt: skip
        if source is not None:
            memory_id = self.net.memories[-1][1]
            self.net.memory_sources.append((self.user_id, memory_id, source[0]))

    def _network_memory(self, community: Community) -> None:
        """A memory about the network itself (contact_id null)."""
        assert community.hub is not None
        hub = community.hub
        content = (
            f"Most of the strongest ties in {community.name} run through {hub.full_name}; "
            f"keep {hub.first} in the loop on anything that involves the group."
        )
        self._emit_memory(None, "insight", f"Who connects {community.name}", content,
                          ["network", community.kind.name], self.days(0, 365))  # fmt: skip

    def _emit_memory(
        self,
        contact_id: uuid.UUID | None,
        memory_type: str,
        title: str,
        content: str,
        tags: list[str],
        created_age: int,
    ) -> None:
        created = self.at(created_age)
        importance = round(self.rng.uniform(0.2, 1.0), 2)
        confidence = round(self.rng.uniform(0.6, 1.0), 2)
        self.net.memories.append(
            (self.user_id, self.new_id(), contact_id, memory_type, title, content, tags,
             importance, confidence, created, created)
        )  # fmt: skip

    # ----- template fields

    def _fields(self, person: Person) -> dict[str, str]:
        """Values for the subject, summary, note and memory templates about a person."""
        rng = self.rng
        community = person.community
        sector = community.sector or SECTORS[0]
        hobby = community.hobby or HOBBIES[0]
        topic = person.topics[0][1] if person.topics else rng.choice(sector.interests)[1]
        pronoun = PRONOUNS[person.pronoun]
        return {
            "first": person.first,
            "full": person.full_name,
            "company": person.company or community.name,
            "title": person.title or "",
            "city": person.city,
            "group": community.name,
            "school": community.school or "college",
            "project": rng.choice(sector.projects),
            "topic": topic,
            "activity": hobby.activity,
            "event": hobby.event,
            "relation": person.relation or "relative",
            "month": rng.choice(MONTHS),
            "day": str(rng.randint(1, 28)),
            "quarter": rng.choice(QUARTERS),
            "place": rng.choice(CITIES),
            "hire_role": _with_article(rng.choice(GENERIC_TITLES).lower()),
            **pronoun,
        }


PRONOUNS = {
    "she": {"subj": "she", "obj": "her", "poss": "her", "be": "is", "have": "has"},
    "he": {"subj": "he", "obj": "him", "poss": "his", "be": "is", "have": "has"},
    "they": {"subj": "they", "obj": "them", "poss": "their", "be": "are", "have": "have"},
}


def _ascii(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isascii() and ch.isalpha())


def _sector_company(rng: random.Random, sector: Sector) -> str:
    return f"{rng.choice(sector.prefixes)} {rng.choice(sector.suffixes)}"


def _service_firm(rng: random.Random) -> str:
    # partner-style names ("Okafor & Reyes Law") next to brand names ("Atlas Consulting")
    if rng.random() < 0.5:
        return (
            f"{rng.choice(LAST_NAMES)} & {rng.choice(LAST_NAMES)} {rng.choice(SERVICE_FIRM_KINDS)}"
        )
    return f"{rng.choice(SERVICE_FIRM_NAMES)} {rng.choice(SERVICE_FIRM_KINDS)}"


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _with_article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _domain(company: str) -> str:
    return "".join(ch for ch in company.lower() if ch.isalnum()) + ".com"


def _interest_pool(community: Community) -> tuple[tuple[str, str], ...]:
    if community.hobby is not None:
        return community.hobby.interests
    if community.kind.name == "family":
        return FAMILY_INTERESTS
    assert community.sector is not None
    return community.sector.interests


# --------------------------------------------------------------------------- templates
# Placeholders come from `_Generator._fields`. After {subj} only {be}/{have} or a past
# tense verb follows, so "they" reads as well as "she" and "he".

# fmt: off
SUBJECTS = {
    "company": (
        "{project}: next steps", "Re: {project} timeline", "{quarter} planning sync",
        "Quick question about {topic}", "Notes from today's {company} standup",
        "Intro: someone working on {topic}", "Feedback on the {project} draft",
        "Coffee next week?", "Hiring {hire_role}", "{company} offsite agenda",
    ),
    "friends": (
        "{activity} this week?", "Photos from the {event}", "Are you in for the {event}?",
        "Dinner on Saturday?", "Happy birthday!", "Trip to {place}", "Re: {activity} plans",
        "That {topic} article I mentioned",
    ),
    "family": (
        "Family dinner on Sunday", "Happy birthday, {first}!", "Holiday plans",
        "Photos from {place}", "Re: the move to {city}", "Checking in", "Recipe you asked for",
        "Weekend visit?",
    ),
    "clients": (
        "{company} x us: {quarter} review", "Invoice and PO for {project}",
        "Re: {project} scope", "Contract renewal", "Kickoff: {project}", "Status update",
        "Pricing for {quarter}", "Escalation: {project} delay",
    ),
    "network": (
        "Great to meet you at the {group}", "Re: your talk on {topic}", "Intro request",
        "Coffee to talk {topic}?", "{school} reunion", "Following up on {project}",
        "Mentoring chat", "Slides from the {group} session",
    ),
}
SUMMARIES = {
    "company": (
        "Walked through the {project} plan with {first}; {subj} will send an updated timeline.",
        "{first} shared how {company} is approaching {topic}; agreed to compare notes monthly.",
        "Discussed the {quarter} roadmap and who owns the {project} workstream.",
        "{first} asked for advice on hiring {hire_role}; promised two referrals.",
    ),
    "friends": (
        "Caught up with {first} over a {activity}; {subj} {be} training for the {event}.",
        "Long chat with {first} about {poss} trip to {place} in {month}.",
        "Planned the next {activity} with {first} and picked a date.",
    ),
    "family": (
        "Called {first} to catch up; {subj} {be} busy with {topic} and visiting in {month}.",
        "Family catch-up with {first} about the holidays and the move to {city}.",
        "{first} shared news from {place}; everyone is doing well.",
    ),
    "clients": (
        "{quarter} review with {first} at {company}: {project} is on track, budget confirmed.",
        "{first} raised concerns about the {project} delivery date; agreed on weekly check-ins.",
        "Scoped the {project} extension with {first}; {subj} will take it to procurement.",
    ),
    "network": (
        "Coffee with {first} about {topic}; {subj} offered an intro to someone at {company}.",
        "{first} talked through {poss} move into {topic}; shared a few resources.",
        "Mentoring session with {first} on growing into the {title} role.",
    ),
}
NOTES = (
    "Met at the {group}.",
    "Prefers email over calls.",
    "Introduced by a friend from {school}.",
    "Ask about {topic} next time.",
    "Based in {city}; usually free on Friday afternoons.",
)
# (memory type, title, content, tags) per community kind
MEMORIES: dict[str, tuple[tuple[str, str, str, tuple[str, ...]], ...]] = {
    "company": (
        ("note", "{first} is fundraising",
         "{first} mentioned {subj} {be} raising a seed round for {poss} {topic} startup "
         "and wants intros to impact investors.",
         ("fundraising", "intro")),
        ("note", "{first} is hiring",
         "{first} is hiring {hire_role} for {poss} team at {company} and asked whether "
         "we know anyone strong in {topic}.",
         ("hiring",)),
        ("insight", "{first} knows {topic}",
         "{first} is the person to ask about {topic} at {company}; {subj} {have} been "
         "there since the early team and knows the history of every decision.",
         ("expertise",)),
        ("talking_point", "Ask {first} about the {project}",
         "Ask {first} how the {project} went; {subj} {be} worried about hitting the "
         "{quarter} deadline.",
         ("follow-up",)),
        ("briefing", "Before meeting {first}",
         "Before meeting {first}: {subj} {be} {title} at {company}, cares about {topic}, "
         "and prefers a short agenda sent the day before.",
         ("meeting-prep",)),
        ("summary", "{company} update from {first}",
         "Caught up with {first} about {company}'s plans for the {project}; {subj} "
         "expected a decision by {month} and offered to share the internal write-up.",
         ("update",)),
    ),
    "friends": (
        ("note", "{first} training for the {event}",
         "{first} just signed up for the {event} in {month} and is looking for a "
         "training partner.",
         ("plans",)),
        ("note", "{first}'s birthday",
         "{first}'s birthday is {month} {day}; anything to do with {topic} makes a good gift.",
         ("birthday",)),
        ("talking_point", "Ask {first} about {place}",
         "Ask {first} about {poss} trip to {place}; {subj} {be} planning it for {month} "
         "and wants recommendations.",
         ("travel", "follow-up")),
        ("insight", "{first} organises the group",
         "{first} organises most of the {group} get-togethers; check with {obj} before "
         "planning anything.",
         ("organiser",)),
        ("note", "{first} changed jobs",
         "{first} recently started as {title} at {company} and is still finding {poss} "
         "feet; worth checking in.",
         ("career",)),
    ),
    "family": (
        ("note", "{first} is moving",
         "{first} ({relation}) is moving to {city} in {month} and could use help with the "
         "move.",
         ("family", "plans")),
        ("note", "{first}'s birthday",
         "Remember {first}'s birthday on {month} {day}; {subj} {have} been into {topic} "
         "lately.",
         ("family", "birthday")),
        ("talking_point", "Ask {first} about {topic}",
         "Ask {first} about {topic}; {subj} got really into it this spring.",
         ("family",)),
        ("summary", "Family news from {first}",
         "{first} shared that the family is planning a reunion in {place} around {month}; "
         "{subj} asked everyone to confirm dates soon.",
         ("family", "reunion")),
    ),
    "clients": (
        ("note", "{company} budget approved",
         "{first} at {company} approved the {project} budget for {quarter}; the renewal "
         "conversation is due in {month}.",
         ("account", "renewal")),
        ("note", "{company} invoicing change",
         "{first} flagged that invoices for {company} need a PO number from now on, or "
         "they bounce in accounts payable.",
         ("account", "billing")),
        ("briefing", "Before the {company} review",
         "Before the {company} review: {first} cares most about {topic} and delivery "
         "dates; last quarter's delay on the {project} is still a sore point.",
         ("account", "meeting-prep")),
        ("insight", "Decision-maker at {company}",
         "{first} is the real decision-maker at {company} for anything touching {topic}, "
         "even though the title says {title}.",
         ("account", "stakeholder")),
    ),
    "network": (
        ("note", "{first}'s talk on {topic}",
         "{first} gave a talk on {topic} at the {group}; worth following up about the "
         "{project}.",
         ("event", "follow-up")),
        ("note", "{first} offered to mentor",
         "Met {first} at the {group}; {subj} {be} {title} at {company} and offered to "
         "mentor early-career people in {topic}.",
         ("mentor",)),
        ("insight", "{first} is well connected",
         "{first} seems to know everyone in {topic} in {city}; a good first call for "
         "introductions.",
         ("connector", "intro")),
        ("talking_point", "Ask {first} about {company}",
         "Ask {first} whether {company} is still looking at {topic}; {subj} hinted at a "
         "new initiative in {quarter}.",
         ("follow-up",)),
    ),
}
# fmt: on


# --------------------------------------------------------------------------- loading


async def seed_network(
    conn: asyncpg.Connection,
    user_id: uuid.UUID,
    contacts: int,
    seed: int,
    now: datetime,
    progress: ProgressCallback | None = None,
) -> SeedReport:
    """Generate a network for `user_id` and COPY it in one transaction.

    The user row must exist. Rows are added to whatever the user already has; seeding
    twice gives two networks side by side (ids never collide unless the seed repeats).
    """
    started = time.perf_counter()
    network = generate_network(user_id, contacts, seed, now)
    async with conn.transaction():
        for table, columns, rows in network.tables():
            await _copy_table(conn, table, columns, rows, progress)
        # meetings' co-participants gain inferred ties, as logInteraction gives them
        inferred = await ties.infer_ties(conn, user_id, [row[1] for row in network.interactions])
    # the planner's statistics still describe the tables before the load: the next
    # statements would be planned for those (sequential scans, nested loops)
    await ties.analyze_bulk_load(conn)
    return SeedReport(
        contacts=len(network.contacts),
        relationships=len(network.relationships) + inferred,
        interactions=len(network.interactions),
        participants=len(network.participants),
        interests=len(network.interests),
        memories=len(network.memories),
        seconds=time.perf_counter() - started,
    )


async def _copy_table(
    conn: asyncpg.Connection,
    table: str,
    columns: tuple[str, ...],
    rows: list[Record],
    progress: ProgressCallback | None,
) -> None:
    total = len(rows)
    if progress is not None:
        progress(table, 0, total)
    for start in range(0, total, COPY_CHUNK_ROWS):
        chunk = rows[start : start + COPY_CHUNK_ROWS]
        await conn.copy_records_to_table(table, records=chunk, columns=list(columns))
        if progress is not None:
            progress(table, start + len(chunk), total)
