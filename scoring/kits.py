"""Interview kits: what to probe per scorecard category, by track and GenAI flag.

Content is the product's own wording of the domain brief's interview material (domain.md,
"What to probe"). Pure data and one function; pages and the API render it.
"""

from dataclasses import dataclass

from hiring.rubric import CATEGORY_NAMES

PRODUCTION_TRACKS = ("python_ai_developer", "ai_ml_engineer")


@dataclass(frozen=True)
class KitSection:
    code: str
    name: str
    probes: tuple[str, ...]
    red_flags: tuple[str, ...]
    anchors: tuple[str, ...]  # what a 0, 1, 2, 3, 4 and 5 look like


ANCHORS = {
    "A": (
        "No AI work beyond tutorials.",
        "Notebook experiments only; nothing reached users.",
        "Helped on a shipped AI feature; cannot say which metric mattered.",
        "Shipped an AI feature; names its metric and one trade-off.",
        "Shipped several AI features; explains metrics, baselines and trade-offs clearly.",
        "Owned AI features end to end in production and can show the before/after numbers.",
    ),
    "B": (
        "Treats data as given.",
        "Cleans data ad hoc; no validation or versioning.",
        "Validates inputs sometimes; aware of leakage in principle.",
        "Builds validation and reproducible datasets; spotted a leakage issue in practice.",
        "Designs data contracts, versioned datasets and leakage-safe splits routinely.",
        "Improved results by fixing data or evaluation rather than the model, with evidence.",
    ),
    "C": (
        "Has never deployed anything.",
        "Deployed once by hand; no monitoring.",
        "Deploys behind an API; monitoring is basic uptime.",
        "Monitors model quality and drift; has a rollback plan.",
        "Ran incidents on models in production; iterates from monitoring signals.",
        "Owns models after launch: drift, rollback, cost and iteration, step by step.",
    ),
    "D": (
        "Does not see security as part of the job.",
        "Knows security matters; cannot name concrete risks.",
        "Names risks (PII, injection) but no mitigations used in practice.",
        "Has applied privacy boundaries and output filtering with safe fallbacks.",
        "Designs permission boundaries, cost limits and abuse handling up front.",
        "Has defended real systems against prompt injection and leakage, with evidence.",
    ),
    "E": (
        "Cannot explain their own work.",
        "Explains only to engineers, with jargon.",
        "Explains clearly when prompted; little written documentation.",
        "Explains AI decisions to non-technical people and documents the main ones.",
        "Writes clear design notes and adapts explanations to the audience.",
        "Has led stakeholders through AI trade-offs and left documentation others use.",
    ),
}

BASE_PROBES = {
    "A": (
        "Which parts of the AI lifecycle did you own end to end, and on which project?",
        "Which metric mattered most on your last AI feature, and why that one?",
        "Tell me about a model that underperformed in production. What did you change?",
    ),
    "B": (
        "Which data issue slowed you down most, and how did you resolve it?",
        "Give an example where results improved by changing the data or the evaluation rather "
        "than the framework.",
        "How do you prevent leakage between training and evaluation data?",
    ),
    "C": (
        "What broke after deployment, and how did you find out?",
        "What did you monitor in the first month after launch?",
        "Scenario: model quality dropped in week three. What do you check first, and what next?",
        "What is your rollback plan for a model release?",
    ),
    "D": (
        "Where were the privacy boundaries in your last system, and how were they enforced?",
        "How did you keep personal or internal data out of logs and outputs?",
    ),
    "E": (
        "Explain a model decision you made to a non-technical stakeholder, as you did then.",
        "Show or describe documentation you wrote that others relied on.",
    ),
}

GENAI_PROBES = {
    "C": (
        "How did you control inference cost: token limits, caching, budget caps, alerts?",
        "What latency budget did your copilot or chat flow have, and how did you meet it?",
    ),
    "D": (
        "How did you defend against prompt injection: users tricking the model into ignoring "
        "its rules?",
        "What permissions did tools or agents have, and how were they bounded?",
        "What happened when the model was unsure: human review, 'I don't know', a safe default?",
        "How did you stop runaway retries or agent loops from burning budget?",
    ),
    "A": (
        "How did you measure groundedness and hallucination rate, and what were the numbers?",
        "How did you evaluate retrieval quality (precision/recall, hit rate)?",
    ),
}

RED_FLAGS = {
    "A": ("Talks about tools and frameworks but never about metrics or results.",),
    "B": ("Cannot describe a single data quality problem they handled.",),
    "C": ("Answers the week-three scenario in the abstract, without concrete steps.",),
    "D": ("Treats security and cost as someone else's problem.",),
    "E": ("Cannot explain a trade-off without jargon.",),
}
PRODUCTION_RED_FLAGS = {
    "A": ("Only notebook experience: nothing they built ran in production.",),
    "C": ("Has never been on call for, or monitored, a model after launch.",),
}
GENAI_RED_FLAGS = {
    "D": ("Has not heard of prompt injection or data leakage through prompts and logs.",),
}


def interview_kit(*, track: str, is_genai: bool) -> list[KitSection]:
    """The kit for a brief: base probes, plus production-track and GenAI material."""
    sections = []
    for code, name in CATEGORY_NAMES.items():
        probes = list(BASE_PROBES[code])
        flags = list(RED_FLAGS[code])
        if track in PRODUCTION_TRACKS:
            flags.extend(PRODUCTION_RED_FLAGS.get(code, ()))
        if is_genai:
            probes.extend(GENAI_PROBES.get(code, ()))
            flags.extend(GENAI_RED_FLAGS.get(code, ()))
        sections.append(
            KitSection(
                code=code,
                name=name,
                probes=tuple(probes),
                red_flags=tuple(flags),
                anchors=ANCHORS[code],
            )
        )
    return sections
