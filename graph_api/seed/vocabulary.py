"""The words the generator draws from: names, places, sectors, hobbies, community kinds
and the templates of subjects, summaries and notes. Data only, no logic."""

from __future__ import annotations

from dataclasses import dataclass

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


PRONOUNS = {
    "she": {"subj": "she", "obj": "her", "poss": "her", "be": "is", "have": "has"},
    "he": {"subj": "he", "obj": "him", "poss": "his", "be": "is", "have": "has"},
    "they": {"subj": "they", "obj": "them", "poss": "their", "be": "are", "have": "have"},
}


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
