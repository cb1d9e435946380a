"""The words demo rows are made of: names, e-mail domains, project, task and tag words.

In: nothing. Out: tuples of strings (constants only), read by `generate` and `tasks`; the
generator picks from them with its seeded `random.Random`, so their order is part of the
output: changing a table changes the data a seed gives.
"""

FIRST_NAMES = (
    "Ada", "Alan", "Amara", "Anna", "Arjun", "Beatriz", "Ben", "Carla", "Chen", "Chloe",
    "Daniel", "Diego", "Elena", "Emeka", "Emma", "Farah", "Felix", "Grace", "Hana", "Hugo",
    "Ines", "Isaac", "Jamal", "Jana", "Jonas", "Julia", "Kai", "Kenji", "Laila", "Lars",
    "Leila", "Liam", "Lucia", "Marco", "Maria", "Mateo", "Maya", "Mei", "Nadia", "Noah",
    "Nora", "Olivia", "Omar", "Pablo", "Priya", "Rafael", "Rosa", "Sam", "Sara", "Sofia",
    "Tariq", "Theo", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zara", "Zoe", "Tomasz",
)  # fmt: skip
LAST_NAMES = (
    "Abebe", "Andersen", "Bauer", "Becker", "Costa", "Da Silva", "Dubois", "Eriksson",
    "Fernandes", "Fischer", "Garcia", "Gonzalez", "Haddad", "Hansen", "Hoffmann", "Ivanova",
    "Jensen", "Johnson", "Kim", "Kowalski", "Kumar", "Larsen", "Lee", "Lopez", "Martin",
    "Meyer", "Moreau", "Murphy", "Nakamura", "Nguyen", "Novak", "O'Brien", "Okafor", "Park",
    "Patel", "Perez", "Petrov", "Rossi", "Santos", "Sato", "Schmidt", "Silva", "Singh",
    "Smith", "Suzuki", "Tanaka", "Taylor", "Wagner", "Wang", "Weber", "Williams", "Yilmaz",
    "Zhang", "Ahmed", "Ali", "Bianchi", "Chowdhury", "Dimitrov", "Horvat", "Mensah",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

PROJECT_AREAS = (
    "Website", "Mobile App", "Customer Portal", "Data Platform", "Billing", "Onboarding",
    "Search", "Checkout", "Design System", "Analytics", "Internal Tools", "Help Center",
    "API Gateway", "Notifications", "Partner Integrations", "Reporting", "Infrastructure",
    "Security", "Marketing Site", "Recruiting", "Office Move", "Support Tooling",
    "Accessibility", "Localization", "Payments", "Inventory", "Warehouse App", "CRM",
)  # fmt: skip
PROJECT_KINDS = (
    "Redesign", "Launch", "Migration", "Revamp", "Roadmap", "Rollout", "Audit", "v2",
    "Cleanup", "Overhaul", "Q1 Goals", "Q2 Goals", "Q3 Goals", "Q4 Goals", "Beta",
    "Hardening", "Pilot", "Refresh",
)  # fmt: skip
PROJECT_GOALS = (
    "Ship a faster, simpler experience for our customers.",
    "Reduce support tickets by fixing the most common pain points.",
    "Move off the legacy stack before the contract renewal.",
    "Coordinate design, engineering and marketing for the launch.",
    "Track the work agreed at the planning offsite.",
    "Meet the accessibility requirements (WCAG 2.2 AA).",
    "Consolidate duplicated services and cut hosting costs.",
    "Collect feedback from beta customers and act on it.",
    "Keep the quarterly objectives and their owners in one place.",
    "Improve reliability: fewer incidents, faster recovery.",
)
TASK_VERBS = (
    "Fix", "Implement", "Review", "Update", "Write", "Refactor", "Investigate", "Design",
    "Test", "Document", "Migrate", "Optimize", "Set up", "Remove", "Add", "Draft",
    "Prepare", "Automate", "Clean up", "Monitor", "Evaluate", "Plan",
)  # fmt: skip
TASK_OBJECTS = (
    "login page", "signup flow", "password reset email", "billing webhook", "invoice PDF",
    "search indexing job", "checkout form validation", "dark mode", "dashboard charts",
    "CSV export", "user settings page", "API rate limiting", "error pages", "audit log",
    "push notifications", "onboarding checklist", "pricing page copy", "release notes",
    "database backups", "CI pipeline", "staging environment", "feature flags",
    "image uploads", "mobile navigation", "empty states", "date picker", "SSO integration",
    "permissions matrix", "usage analytics", "cookie banner", "sitemap", "load tests",
    "alerting rules", "support macros", "team offsite agenda", "quarterly report",
    "customer interviews", "competitor analysis", "style guide", "accessibility audit",
    "translation strings", "caching layer", "slow queries", "dependency upgrades",
    "flaky tests", "retry logic", "data retention policy", "status page", "webhooks docs",
)  # fmt: skip
TASK_SUFFIXES = (
    "", "", "", "", " for the beta", " on mobile", " before launch", " (follow-up)",
    " for enterprise customers", " in the admin panel", " for EU region", " v2",
)  # fmt: skip
TASK_SENTENCES = (
    "Customers reported this twice last week.",
    "See the notes from the last planning meeting.",
    "Acceptance criteria: works on Chrome, Firefox and Safari.",
    "Pair with design before starting.",
    "Blocked until the API changes are deployed.",
    "Keep the change small and behind a feature flag.",
    "Add tests for the edge cases we found in QA.",
    "The current behaviour is confusing for new users.",
    "Check the metrics dashboard after rollout.",
    "Coordinate with support so they can update the macros.",
    "Estimate: about two days of work.",
    "Document the decision in the wiki when done.",
    "Legal needs to sign off on the wording.",
    "This affects roughly 5% of active accounts.",
    "Low risk, but touches a lot of files.",
    "Follow the steps in the runbook to reproduce.",
)
TAG_NAMES = (
    "bug", "feature", "frontend", "backend", "design", "docs", "infra", "security",
    "performance", "ux", "research", "blocked", "quick win", "tech debt", "customer",
    "marketing", "mobile", "api", "testing", "release", "ops", "analytics", "a11y", "legal",
)  # fmt: skip
TAG_COLORS = (
    "#E11D48", "#DB2777", "#C026D3", "#9333EA", "#4F46E5", "#2563EB", "#0284C7", "#0891B2",
    "#0D9488", "#059669", "#16A34A", "#65A30D", "#CA8A04", "#D97706", "#EA580C", "#DC2626",
    "#64748B", "#78716C",
)  # fmt: skip
