"""The generator: a deterministic network in memory, no I/O.

The same (user_id, contacts, seed, now) always yields the same rows (see the package's
docstring for the shape and why).
"""

from __future__ import annotations

import gc
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from graph_api.seed.rows import Network
from graph_api.seed.vocabulary import (
    BRIDGE_TYPES,
    CITIES,
    FAMILY_INTERESTS,
    FAMILY_RELATIONS,
    FEMALE_NAMES,
    GENERAL_INTERESTS,
    GENERIC_TITLES,
    HOBBIES,
    INTERACTION_TYPES,
    KINDS,
    LAST_NAMES,
    LEADER_TITLES,
    MALE_NAMES,
    MEMORIES,
    MONTHS,
    NEUTRAL_NAMES,
    NOTES,
    PERSONAL_EMAIL_DOMAINS,
    PROFILES,
    PRONOUNS,
    QUARTERS,
    SCHOOLS,
    SECTORS,
    SECTORS_BY_KEY,
    SERVICE_FIRM_KINDS,
    SERVICE_FIRM_NAMES,
    SUBJECTS,
    SUMMARIES,
    TITLE_TAGS,
    Hobby,
    Kind,
    Sector,
)

DAY = 86_400  # seconds
WINDOW_DAYS = 730  # interactions span the two years before `now`

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
