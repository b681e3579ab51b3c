"""A labelled set for document search: documents about several contacts, each fact in
its own passage, and questions that paraphrase one fact (sharing almost no words with
it). `answer` is a phrase found only in the passage that answers the question."""

from __future__ import annotations

DOCUMENTS = [
    {
        "title": "Priya Raman — background",
        "contact": "Priya Raman",
        "content": """# Career
Priya spent six years at a Bangalore logistics firm before moving to Berlin. She ran the warehouse robotics team there and shipped their first autonomous forklift.

# Company
In 2025 she founded Helio Grid, which builds battery storage for apartment blocks. The company closed a seed round of four million euros led by a Dutch climate fund.

# Personal
She is training for the Berlin marathon and runs along the canal every morning at six. Her daughter just started primary school.

# Working style
Priya prefers short written updates over meetings and answers messages late in the evening. She dislikes cold introductions without context.
""",
    },
    {
        "title": "Marcus Webb — notes from our calls",
        "contact": "Marcus Webb",
        "content": """## Role
Marcus leads procurement at a hospital network in Leeds, buying imaging equipment for twelve sites. He reports directly to the chief financial officer.

## Pain points
Their MRI scanners sit idle on weekends because radiographers are scarce. He is looking for scheduling software that can move scans to underused machines.

## Hobbies
Marcus restores vintage motorcycles in his garage; his favourite is a 1972 Norton Commando he rebuilt from parts.

## Next steps
He asked for a pilot proposal before the budget committee meets in October, with pricing per scanner rather than per seat.
""",
    },
    {
        "title": "Lena Okafor — conference debrief",
        "contact": "Lena Okafor",
        "content": """Lena gave the keynote on privacy-preserving analytics at the Lisbon data summit. Her talk argued that differential privacy should be the default for public statistics.

She is hiring two senior engineers for her team in Lagos and wants candidates with Rust experience. Salaries are benchmarked against London.

Lena mentioned she grew up in Manchester and still supports the city's football club. She travels home every Christmas.

Her group's open-source library for private aggregation reached ten thousand stars on GitHub last month.
""",
    },
    {
        "title": "Tomás Silva — investor profile",
        "contact": "Tomás Silva",
        "content": """# Fund
Tomás is a partner at an early-stage fund in São Paulo that writes first cheques of half a million dollars into fintech and agritech.

# Thesis
He believes small farmers in Brazil are underserved by banks and backs lending platforms that score credit from satellite images of crops.

# Portfolio
His best investment so far is a payments startup that was acquired by a large Spanish bank in 2024.

# Preferences
He wants a one-page memo before any call and never takes pitches on Fridays, which he keeps for his family.
""",
    },
]

# (question, contact, a phrase only the answering passage holds)
QUESTIONS = [
    ("How much money did the battery startup raise?", "Priya Raman", "four million euros"),
    ("What did she do before relocating to Germany?", "Priya Raman", "warehouse robotics"),
    ("What sport is she preparing for?", "Priya Raman", "marathon"),
    ("How does she like to receive status reports?", "Priya Raman", "short written updates"),
    ("Which equipment is underused at the weekend?", "Marcus Webb", "MRI scanners"),
    ("What does he do in his free time with old bikes?", "Marcus Webb", "Norton Commando"),
    ("What did he ask us to send before the finance meeting?", "Marcus Webb", "pilot proposal"),
    ("What did she speak about on stage in Portugal?", "Lena Okafor", "keynote"),
    ("Which programming language should job applicants know?", "Lena Okafor", "Rust experience"),
    ("How popular is her team's software project?", "Lena Okafor", "ten thousand stars"),
    ("How large are the investments his firm usually makes?", "Tomás Silva", "half a million"),
    ("Which of his companies was bought by a bank?", "Tomás Silva", "acquired"),
    ("On which day of the week does he refuse startup presentations?", "Tomás Silva", "Fridays"),
    ("How does he think farmers' creditworthiness can be judged?", "Tomás Silva", "satellite"),
]
