"""Seeded, templated marketplace text: job posts and freelancer profiles that read like real ones.

Each category has its own skills, deliverables and phrasing, so full-text queries hit realistic
shares of the corpus (a common skill matches thousands of jobs, a rare pair a handful) and the
embeddings have meaning to find.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

TOKENS = [
    "0x5FbDB2315678afecb367f032d93F642f64180aa3",  # a 6-decimals stablecoin in the demo
    "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
]

NICHES: dict[str, dict[str, list[str]]] = {
    "development": {
        "skills": [
            "python",
            "django",
            "fastapi",
            "react",
            "typescript",
            "node.js",
            "postgresql",
            "docker",
            "kubernetes",
            "vyper",
            "solidity",
            "smart-contracts",
            "rust",
            "go",
            "aws",
            "graphql",
            "flutter",
            "swift",
            "android",
        ],
        "things": [
            "a REST API",
            "a web dashboard",
            "a mobile app",
            "an escrow smart contract",
            "a payment integration",
            "a data pipeline",
            "an admin panel",
            "a Chrome extension",
            "a Telegram bot",
            "a CI pipeline",
            "a token vesting contract",
            "a booking system",
            "an inventory service",
            "a GraphQL gateway",
        ],
        "verbs": ["build", "fix", "refactor", "audit", "migrate", "speed up", "extend", "test"],
        "details": [
            "The code base is about two years old and has decent test coverage.",
            "We deploy to Kubernetes on AWS and want infrastructure as code.",
            "Security matters: funds are held by the contract until milestones are released.",
            "Please include unit tests and a short README with setup steps.",
            "You will work with our product manager and one backend engineer.",
            "Performance is the main problem: pages take several seconds to load.",
            "We need clean, documented code that our team can maintain afterwards.",
        ],
        "bios": [
            "Backend engineer with {years} years of experience in {a} and {b}.",
            "Full-stack developer: {a}, {b} and a lot of production debugging.",
            "I write and audit smart contracts; most of my work is {a} and {b}.",
            "Mobile and web developer shipping apps with {a} and {b}.",
        ],
    },
    "design": {
        "skills": [
            "logo-design",
            "branding",
            "illustrator",
            "figma",
            "ui-design",
            "ux-research",
            "packaging",
            "typography",
            "photoshop",
            "motion-design",
            "icon-design",
            "print-design",
        ],
        "things": [
            "a logo",
            "a brand identity",
            "a landing page design",
            "packaging for tea",
            "an app UI kit",
            "a set of icons",
            "a pitch deck",
            "a poster series",
            "a restaurant menu",
            "book cover art",
        ],
        "verbs": ["design", "redesign", "refresh", "sketch", "illustrate"],
        "details": [
            "Our brand is playful and warm; think hand-drawn shapes and two colours.",
            "Deliver vector source files and exports for web and print.",
            "We have a mood board and a few references to share.",
            "Three initial concepts, then two rounds of revisions.",
            "The audience is young families in Chengdu and Shanghai.",
        ],
        "bios": [
            "Graphic designer focused on {a} and {b} for small brands.",
            "Product designer: {a}, {b}, and usability testing with real customers.",
            "Illustrator and visual designer; {years} years of {a} work.",
        ],
    },
    "writing": {
        "skills": ["copywriting", "technical-writing", "blogging", "seo", "editing", "ghostwriting", "proofreading"],
        "things": [
            "blog articles",
            "product descriptions",
            "API documentation",
            "a white paper",
            "newsletter issues",
            "landing page copy",
            "a case study",
            "an e-book",
        ],
        "verbs": ["write", "edit", "proofread", "rewrite", "plan"],
        "details": [
            "Tone: friendly, clear and without jargon.",
            "Each piece is about 1,200 words and needs sources.",
            "We publish weekly and want a steady writer for three months.",
            "Readers are developers evaluating our SDK.",
        ],
        "bios": [
            "Writer and editor: {a}, {b}, long-form articles.",
            "Technical writer who has documented APIs for {years} years ({a}, {b}).",
        ],
    },
    "translation": {
        "skills": ["chinese", "english", "japanese", "korean", "german", "localization", "subtitling"],
        "things": [
            "our app strings",
            "a user manual",
            "marketing pages",
            "legal terms",
            "game dialogue",
            "video subtitles",
        ],
        "verbs": ["translate", "localize", "review", "proofread"],
        "details": [
            "From English into simplified Chinese, about 8,000 words.",
            "Glossary and style guide provided; consistency matters.",
            "Native speakers only, with experience in software localization.",
        ],
        "bios": [
            "Translator between {a} and {b}; {years} years of localization work.",
            "Native {a} speaker translating software and games into {b}.",
        ],
    },
    "marketing": {
        "skills": ["seo", "social-media", "google-ads", "email-marketing", "growth", "community", "analytics"],
        "things": [
            "a launch campaign",
            "our social media",
            "paid ads",
            "an email sequence",
            "a community programme",
            "a content calendar",
            "conversion tracking",
        ],
        "verbs": ["run", "plan", "grow", "optimise", "set up"],
        "details": [
            "Budget for ads is separate; this is for strategy and execution.",
            "We sell handmade ceramics online and ship worldwide.",
            "Goal: double sign-ups in two months, measured in analytics.",
        ],
        "bios": [
            "Growth marketer: {a}, {b}, and honest reporting.",
            "I run {a} and {b} for early-stage startups.",
        ],
    },
    "data": {
        "skills": ["python", "pandas", "sql", "machine-learning", "statistics", "tableau", "scraping", "excel"],
        "things": [
            "a sales dashboard",
            "a churn model",
            "a market survey",
            "a data cleaning job",
            "a price scraper",
            "a forecasting model",
            "an A/B test analysis",
        ],
        "verbs": ["build", "analyse", "clean", "model", "visualise"],
        "details": [
            "Data is in PostgreSQL, about 40 million rows.",
            "Deliver a notebook and a short written summary.",
            "We need weekly refreshes, so please automate it.",
        ],
        "bios": [
            "Data analyst: {a}, {b}, dashboards people actually read.",
            "Data scientist with {years} years in {a} and {b}.",
        ],
    },
    "video": {
        "skills": ["video-editing", "after-effects", "animation", "premiere", "color-grading", "motion-design"],
        "things": ["a product video", "an explainer animation", "wedding footage", "short social clips", "a trailer"],
        "verbs": ["edit", "animate", "produce", "cut"],
        "details": [
            "Footage is about two hours; final cut under three minutes.",
            "Music and voice-over are licensed already.",
        ],
        "bios": ["Video editor and animator: {a}, {b}.", "Motion designer doing {a} and {b} for brands."],
    },
}

FIRST = "Wei Li Na Jun Hui Ming Lan Fang Yan Tao Alex Sam Maria Jonas Aiko Priya Omar Lena Ivan Chen".split()
LAST = "Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Smith Garcia Müller Sato Kim Novak Silva Khan".split()
OPENERS = [
    "We are looking for someone to {verb} {thing}.",
    "Need help to {verb} {thing} for our startup.",
    "Looking for an experienced freelancer to {verb} {thing}.",
    "Small team seeks a contractor to {verb} {thing}.",
]


@dataclass(frozen=True)
class JobText:
    title: str
    description: str
    category: str
    skills: list[str]
    budget: int
    token: str
    milestones: list[tuple[str, int]]


@dataclass(frozen=True)
class ProfileText:
    display_name: str
    bio: str
    skills: list[str]
    hourly_rate: int
    token: str
    availability: str


def job(rng: random.Random) -> JobText:
    category = rng.choice(list(NICHES))
    niche = NICHES[category]
    verb, thing = rng.choice(niche["verbs"]), rng.choice(niche["things"])
    skills = sorted(rng.sample(niche["skills"], rng.randint(1, 4)))
    sentences = [rng.choice(OPENERS).format(verb=verb, thing=thing)]
    sentences += rng.sample(niche["details"], min(len(niche["details"]), rng.randint(1, 3)))
    sentences.append(f"Experience with {', '.join(skills)} is required.")
    budget = rng.choice([50, 100, 200, 300, 500, 800, 1_000, 2_000, 5_000]) * 1_000_000
    parts = rng.randint(1, 3)
    milestones = [(f"Milestone {i + 1}", budget // parts) for i in range(parts)]
    milestones[-1] = (milestones[-1][0], budget - sum(amount for _, amount in milestones[:-1]))
    return JobText(
        title=f"{verb.capitalize()} {thing}"[:200],
        description=" ".join(sentences),
        category=category,
        skills=skills,
        budget=budget,
        token=rng.choice(TOKENS),
        milestones=milestones,
    )


def profile(rng: random.Random) -> ProfileText:
    niche = NICHES[rng.choice(list(NICHES))]
    skills = sorted(rng.sample(niche["skills"], rng.randint(2, 6)))
    a, b = rng.sample(skills, 2)
    bio = rng.choice(niche["bios"]).format(a=a, b=b, years=rng.randint(2, 15))
    bio += " " + rng.choice(niche["details"])
    return ProfileText(
        display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        bio=bio,
        skills=skills,
        hourly_rate=rng.choice([10, 20, 30, 50, 80, 120]) * 1_000_000,
        token=rng.choice(TOKENS),
        availability=rng.choices(["available", "limited", "unavailable"], weights=[6, 3, 1])[0],
    )
