"""The demo marketplace's people and listings: believable text, no randomness (the same demo every run).

`launcher/seed.py` sends all of it through the API as the demo wallets would; nothing here is
written to the database directly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Freelancer:
    name: str
    bio: str
    skills: tuple[str, ...]
    hourly_rate: int  # whole jUSD per hour
    availability: str = "available"


@dataclass(frozen=True)
class Listing:
    title: str
    category: str
    skills: tuple[str, ...]
    milestones: tuple[tuple[str, int], ...]  # (title, whole jUSD)
    brief: str


# The demo freelancer (Anvil account 2) first, then one per extra Anvil account.
FREELANCERS = [
    Freelancer(
        "Mei Lin",
        "Brand designer in Hangzhou. I have drawn **forty logos** for tea brands.\n\n- logos\n- packaging\n- label art",
        ("logo-design", "illustration", "packaging", "branding"),
        40,
    ),
    Freelancer(
        "Arjun Mehta",
        "Smart-contract engineer. Vyper and Solidity since 2019; I write the tests before the contract.",
        ("vyper", "solidity", "audit", "python"),
        95,
    ),
    Freelancer(
        "Zhang Wei",
        "Full-stack developer (FastAPI, React). I ship small, tested increments every week.",
        ("python", "fastapi", "react", "postgresql"),
        60,
    ),
    Freelancer(
        "Sofia Rossi",
        "Translator EN ↔ IT ↔ ZH. Technical manuals, menus and apps; native Italian.",
        ("translation", "localization", "chinese", "italian"),
        30,
    ),
    Freelancer(
        "Kwame Mensah",
        "Go and Rust backend engineer. Performance work: profiling, memory leaks, p99 latency.",
        ("go", "rust", "performance", "kubernetes"),
        85,
    ),
    Freelancer(
        "Liu Yang",
        "Product photographer with a studio in Shenzhen: white-background shots, lifestyle sets, 360° spins.",
        ("product-photography", "photo-editing", "lightroom"),
        35,
        "limited",
    ),
    Freelancer(
        "Hannah Becker",
        "Technical writer. API references, tutorials and docs sites people actually finish reading.",
        ("technical-writing", "documentation", "markdown"),
        45,
    ),
    Freelancer(
        "Diego Fernández",
        "Motion designer: explainer videos, logo animations and app walkthroughs in After Effects.",
        ("motion-graphics", "video-editing", "after-effects", "animation"),
        50,
    ),
    Freelancer(
        "Aiko Tanaka",
        "UI/UX designer. Wireframes to Figma design systems; usability tests with real users.",
        ("ui-design", "ux-research", "figma", "design-systems"),
        55,
    ),
    Freelancer(
        "Chen Jing",
        "Data analyst. SQL, pandas and dashboards that answer one question each.",
        ("data-analysis", "sql", "pandas", "dashboards"),
        45,
    ),
    Freelancer(
        "Oluwaseun Ade",
        "Growth marketer for crypto and SaaS: SEO, newsletters and launch campaigns.",
        ("seo", "content-marketing", "email-marketing", "growth"),
        40,
    ),
    Freelancer(
        "Priya Nair",
        "Copywriter and blogger on DeFi and fintech. Clear words about complicated money.",
        ("copywriting", "blogging", "defi", "fintech"),
        35,
    ),
    Freelancer(
        "Marco Silva",
        "Mobile developer: Flutter and native Android. Twelve apps in the stores.",
        ("flutter", "android", "kotlin", "mobile"),
        65,
    ),
    Freelancer(
        "Wang Fang",
        "Illustrator: children's books, packaging art and editorial pieces in ink and watercolour.",
        ("illustration", "watercolor", "packaging", "childrens-books"),
        30,
    ),
    Freelancer(
        "Tomás Novak",
        "Sound designer and composer for games and podcasts; mixing and mastering included.",
        ("sound-design", "music-production", "mixing", "podcasts"),
        40,
        "limited",
    ),
    Freelancer(
        "Fatima Zahra",
        "Researcher: market sizing, competitor analysis and literature reviews with sources.",
        ("market-research", "data-analysis", "report-writing"),
        38,
    ),
    Freelancer(
        "Huang Lei",
        "DevOps engineer. CI pipelines, Docker, Terraform and on-call runbooks.",
        ("devops", "docker", "terraform", "ci-cd"),
        75,
    ),
    Freelancer(
        "Emily Clarke",
        "Video editor for YouTube channels and courses: cuts, captions, colour.",
        ("video-editing", "subtitles", "premiere-pro", "youtube"),
        35,
    ),
    Freelancer(
        "Yusuf Demir",
        "Frontend developer: accessible, fast websites in plain HTML/CSS or Vue.",
        ("html-css", "vue", "accessibility", "web-design"),
        50,
    ),
    Freelancer(
        "Zhao Min",
        "Chinese ↔ English translator and subtitler for games, apps and marketing.",
        ("translation", "subtitles", "chinese", "localization"),
        28,
    ),
    Freelancer(
        "Lucas Martin",
        "Security auditor. Solidity and Vyper reviews, fuzzing with Echidna and Hypothesis.",
        ("audit", "solidity", "vyper", "fuzzing"),
        120,
        "unavailable",
    ),
    Freelancer(
        "Nadia Petrova",
        "Machine-learning engineer: recommendation systems, embeddings and evaluation.",
        ("machine-learning", "python", "embeddings", "data-analysis"),
        90,
    ),
    Freelancer(
        "Sun Hao",
        "Photographer for restaurants and tea houses: food, interiors and portraits.",
        ("food-photography", "product-photography", "photo-editing"),
        32,
    ),
]

# The demo client (Anvil account 1) first, then one per extra Anvil account.
CLIENTS = [
    "Jasmine Garden Teas",
    "Northwind Labs",
    "Bamboo Books",
    "Harbor DAO",
    "Lotus Fitness",
    "Kite Games",
    "Red Lantern Foods",
]


def _listing(title: str, category: str, skills: str, brief: str, *milestones: tuple[str, int]) -> Listing:
    return Listing(title, category, tuple(skills.split()), milestones, brief)


LISTINGS = [
    _listing(
        "Logo for a jasmine tea shop",
        "design",
        "logo-design illustration",
        "A logo for our shop front, cups and bags.",
        ("Sketches", 200),
        ("Final files", 300),
    ),
    _listing(
        "Vyper escrow audit",
        "development",
        "vyper audit",
        "Review a 600-line Vyper escrow before mainnet.",
        ("Findings report", 1200),
        ("Fix review", 800),
    ),
    _listing(
        "Translate a tea menu into English",
        "translation",
        "translation chinese",
        "Two pages, 80 items, with short tasting notes.",
        ("Translation", 120),
    ),
    _listing(
        "Landing page for a tea subscription",
        "development",
        "html-css web-design",
        "One responsive page with a sign-up form.",
        ("Design", 300),
        ("Build", 500),
    ),
    _listing(
        "Product photos for 40 teapots",
        "photography",
        "product-photography photo-editing",
        "White background plus three lifestyle shots.",
        ("First 20", 150),
        ("Last 20", 150),
    ),
    _listing(
        "Five blog posts on stablecoins",
        "writing",
        "copywriting defi",
        "1,200 words each, for small-business owners.",
        ("Posts 1-2", 200),
        ("Posts 3-5", 300),
    ),
    _listing(
        "Fix a memory leak in a Go service",
        "development",
        "go performance",
        "RSS grows 200 MB a day; find it and fix it.",
        ("Diagnosis and fix", 800),
    ),
    _listing(
        "Explainer video for a wallet app",
        "video",
        "motion-graphics animation",
        "60 seconds, 2D, voice-over supplied.",
        ("Storyboard", 300),
        ("Animation", 700),
    ),
    _listing(
        "Figma design system for a fitness app",
        "design",
        "ui-design figma design-systems",
        "Components, colours and type for iOS and Android.",
        ("Audit", 400),
        ("Library", 900),
    ),
    _listing(
        "Sales dashboard from our Postgres",
        "data",
        "sql dashboards data-analysis",
        "Weekly revenue, cohorts and churn in Metabase.",
        ("Queries", 350),
        ("Dashboard", 450),
    ),
    _listing(
        "SEO audit for a bookshop",
        "marketing",
        "seo content-marketing",
        "Technical audit and a 3-month content plan.",
        ("Audit", 250),
        ("Plan", 250),
    ),
    _listing(
        "Flutter app for booking classes",
        "development",
        "flutter mobile",
        "Timetable, booking and reminders; Firebase backend.",
        ("MVP", 1500),
        ("Store release", 800),
    ),
    _listing(
        "Children's book illustrations",
        "design",
        "illustration childrens-books watercolor",
        "Twelve spreads for a picture book about a panda.",
        ("Character sheet", 300),
        ("Spreads", 1200),
    ),
    _listing(
        "Podcast intro music and mixing",
        "audio",
        "music-production mixing podcasts",
        "A 15-second theme and mixing of eight episodes.",
        ("Theme", 200),
        ("Mixing", 400),
    ),
    _listing(
        "Market research: bubble tea in Europe",
        "data",
        "market-research report-writing",
        "Market size, competitors and prices in five countries.",
        ("Report", 600),
    ),
    _listing(
        "Terraform for a staging environment",
        "development",
        "terraform devops docker",
        "Reproducible staging on AWS, with CI.",
        ("Modules", 600),
        ("CI pipeline", 400),
    ),
    _listing(
        "Edit ten cooking videos",
        "video",
        "video-editing subtitles youtube",
        "Cuts, captions in EN and ZH, colour.",
        ("First five", 250),
        ("Last five", 250),
    ),
    _listing(
        "Accessible website for a clinic",
        "development",
        "accessibility html-css web-design",
        "WCAG 2.2 AA, five pages, bilingual.",
        ("Design", 400),
        ("Build", 600),
    ),
    _listing(
        "Subtitle a game trailer into Chinese",
        "translation",
        "subtitles translation chinese",
        "Three minutes, simplified and traditional.",
        ("Subtitles", 90),
    ),
    _listing(
        "Solidity token contract review",
        "development",
        "solidity audit fuzzing",
        "An ERC-20 with vesting; fuzz tests wanted.",
        ("Review", 900),
    ),
    _listing(
        "Recommendation engine prototype",
        "data",
        "machine-learning embeddings python",
        "Recommend recipes from 10k user ratings.",
        ("Prototype", 1000),
        ("Evaluation", 500),
    ),
    _listing(
        "Restaurant menu photos",
        "photography",
        "food-photography photo-editing",
        "Thirty dishes, one afternoon shoot in Shanghai.",
        ("Shoot and edit", 400),
    ),
    _listing(
        "API reference for a payments SDK",
        "writing",
        "technical-writing documentation",
        "Document 40 endpoints with examples.",
        ("Draft", 500),
        ("Review round", 300),
    ),
    _listing(
        "Tea packaging redesign",
        "design",
        "packaging branding illustration",
        "Six tins and a gift box in our new colours.",
        ("Concepts", 300),
        ("Print files", 500),
    ),
    _listing(
        "Newsletter launch campaign",
        "marketing",
        "email-marketing growth copywriting",
        "Welcome series and a launch sequence, four weeks.",
        ("Plan and copy", 400),
    ),
    _listing(
        "Localize an iOS app into Italian",
        "translation",
        "localization italian",
        "1,100 strings plus App Store text.",
        ("Strings", 200),
        ("Store text", 80),
    ),
    _listing(
        "FastAPI backend for a reading club",
        "development",
        "python fastapi postgresql",
        "Members, books, meetings; tests on PostgreSQL.",
        ("API", 900),
        ("Deploy", 300),
    ),
    _listing(
        "Logo animation for a game studio",
        "video",
        "animation motion-graphics after-effects",
        "A 4-second sting in three aspect ratios.",
        ("Animation", 350),
    ),
    _listing(
        "Usability test of a checkout flow",
        "design",
        "ux-research ui-design",
        "Five remote sessions and a findings report.",
        ("Sessions", 450),
        ("Report", 250),
    ),
    _listing(
        "Sound effects for a puzzle game",
        "audio",
        "sound-design",
        "Forty UI sounds and three ambient loops.",
        ("Sounds", 500),
    ),
    _listing(
        "Churn analysis for a gym chain",
        "data",
        "data-analysis sql pandas",
        "Why members leave after month three.",
        ("Analysis", 550),
    ),
    _listing(
        "Rust CLI to sync files to S3",
        "development",
        "rust performance",
        "Resumable uploads, progress bar, tests.",
        ("CLI", 700),
        ("Packaging", 200),
    ),
    _listing(
        "Whitepaper editing for a DAO",
        "writing",
        "technical-writing defi blogging",
        "Edit 25 pages for clarity; keep the maths.",
        ("Edit", 400),
    ),
    _listing(
        "Instagram ads for a fitness studio",
        "marketing",
        "content-marketing growth",
        "Three campaigns with copy and targeting.",
        ("Campaigns", 350),
    ),
    _listing(
        "Kotlin Android widget",
        "development",
        "kotlin android mobile",
        "A home-screen widget for our tea timer app.",
        ("Widget", 600),
    ),
    _listing(
        "Watercolour tea illustrations",
        "design",
        "illustration watercolor",
        "Eight leaves and flowers for labels.",
        ("Illustrations", 320),
    ),
    _listing(
        "Kubernetes cost review",
        "development",
        "kubernetes devops performance",
        "Cut our monthly cluster bill; report and PRs.",
        ("Review", 700),
        ("Changes", 500),
    ),
    _listing(
        "Translate a user manual EN to ZH",
        "translation",
        "translation chinese technical-writing",
        "A 20-page espresso machine manual.",
        ("First half", 200),
        ("Second half", 200),
    ),
    _listing(
        "Docs site migration to MkDocs",
        "writing",
        "documentation markdown",
        "Move 90 pages from a wiki, fix links.",
        ("Migration", 450),
    ),
    _listing(
        "Brand video for a tea farm",
        "video",
        "video-editing youtube",
        "Two minutes from our own footage, with music.",
        ("Rough cut", 300),
        ("Final cut", 300),
    ),
    _listing(
        "Podcast editing, 12 episodes",
        "audio",
        "podcasts mixing",
        "Remove ums, level voices, add the intro.",
        ("Episodes 1-6", 240),
        ("Episodes 7-12", 240),
    ),
    _listing(
        "Price research for imported tea",
        "data",
        "market-research data-analysis",
        "Retail prices of 50 teas in three cities.",
        ("Dataset", 300),
    ),
    _listing(
        "Vue dashboard for warehouse stock",
        "development",
        "vue html-css",
        "Tables, filters and CSV export; REST API exists.",
        ("Screens", 700),
        ("Polish", 300),
    ),
    _listing(
        "Lifestyle photos for a tea set",
        "photography",
        "product-photography lightroom",
        "Ten images in a cosy home setting.",
        ("Photos", 260),
    ),
    _listing(
        "Write an onboarding email series",
        "writing",
        "copywriting email-marketing",
        "Six emails for new subscription customers.",
        ("Emails", 300),
    ),
    _listing(
        "DeFi tutorial series",
        "writing",
        "blogging defi technical-writing",
        "Four tutorials on using stablecoin escrow.",
        ("Tutorials 1-2", 250),
        ("Tutorials 3-4", 250),
    ),
    _listing(
        "Game trailer music",
        "audio",
        "music-production sound-design",
        "90 seconds, orchestral with a pentatonic theme.",
        ("Demo", 300),
        ("Final mix", 400),
    ),
    _listing(
        "Python script to clean sales CSVs",
        "data",
        "python pandas",
        "Merge 30 monthly exports and fix dates.",
        ("Script", 180),
    ),
    _listing(
        "Redesign a bookshop website",
        "design",
        "web-design ui-design figma",
        "Home, catalogue and event pages in Figma.",
        ("Wireframes", 350),
        ("Designs", 650),
    ),
    _listing(
        "CI pipeline for a Vyper project",
        "development",
        "ci-cd vyper python",
        "Compile, test on Anvil, gas report in PRs.",
        ("Pipeline", 500),
    ),
    _listing(
        "Chinese copy for a tea website",
        "translation",
        "chinese copywriting localization",
        "Adapt twelve pages for mainland readers.",
        ("Copy", 360),
    ),
    _listing(
        "Menu design for a noodle bar",
        "design",
        "branding illustration",
        "A3 menu, table card and window sign.",
        ("Menu", 280),
    ),
    _listing(
        "Interview videos for a nonprofit",
        "video",
        "video-editing subtitles",
        "Six 5-minute interviews with captions.",
        ("Edits", 420),
    ),
    _listing(
        "Embedding search for a tea catalogue",
        "development",
        "embeddings machine-learning python",
        "Semantic search over 3,000 tea descriptions.",
        ("Prototype", 800),
    ),
    _listing(
        "Photos of a tea-house interior",
        "photography",
        "food-photography photo-editing",
        "Interiors and details for our new website.",
        ("Photos", 350),
    ),
    _listing(
        "Growth plan for a language app",
        "marketing",
        "growth seo",
        "Channels, budget and a 90-day experiment plan.",
        ("Plan", 500),
    ),
    _listing(
        "Proofread a cookbook in English",
        "writing",
        "copywriting",
        "180 pages; recipes translated from Chinese.",
        ("Proofread", 380),
    ),
    _listing(
        "Mascot for a kids' tea brand",
        "design",
        "illustration childrens-books branding",
        "A friendly panda in five poses.",
        ("Mascot", 450),
    ),
    _listing(
        "Gas optimisation of a Vyper contract",
        "development",
        "vyper performance audit",
        "Reduce gas of our hot paths; keep behaviour.",
        ("Report and patch", 900),
    ),
    _listing(
        "Voice-over for an app tour",
        "audio",
        "podcasts sound-design",
        "Two minutes in English, clean studio audio.",
        ("Recording", 150),
    ),
]

PROPOSAL_NOTES = [
    "I have done this kind of work many times; samples on my profile.",
    "I can start on Monday and deliver the first milestone within a week.",
    "Happy to do a short call first to agree the details.",
    "Fixed price as listed; two rounds of changes included.",
]
