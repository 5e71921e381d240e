"""Interview kits: what to ask and what to watch for per scorecard category, by track.

The standard kits are the product's own wording of the domain brief's interview material
(domain.md, "What to probe"): a distinct question set per track, GenAI and decision-impact
additions that join the kit when the brief calls for them, the role-fit check and the
week-three quality-drop scenario in every track. A workspace edits its kits (scoring.services.
kits) into stored versions; this module is pure data and functions over question lists, so
pages, services and the API all read kits the same way.

A question is a dict (JSON in `InterviewKitVersion.questions`):
    key       stable id ("std-pd-a-1" for the standard ones, "ws-<hex>" for the workspace's)
    category  "A".."E"
    kind      "probe" (ask it) or "red_flag" (watch for it)
    when      "always", "genai" (GenAI briefs only) or "decision_impact" (briefs whose AI
              influences approvals, pricing or risk decisions)
    text      the wording
    origin    "standard" or "workspace"
    retired   True once retired: kept in the version, never shown on a scorecard
    tag       "role_fit", "week3_scenario" or ""
"""

from dataclasses import dataclass
from typing import Any

from hiring.rubric import CATEGORY_NAMES

PRODUCTION_TRACKS = ("python_ai_developer", "ai_ml_engineer")
TRACKS = ("python_developer", "python_ai_developer", "ai_ml_engineer")
KINDS = {"probe": "Question", "red_flag": "Red flag"}
WHEN = {
    "always": "Every brief of this track",
    "genai": "GenAI briefs only",
    "decision_impact": "Briefs where the AI influences approvals, pricing or risk",
}
QUESTION_MIN_CHARS = 10
QUESTION_MAX_CHARS = 400

Question = dict[str, Any]


def brief_has_decision_impact(brief: object) -> bool:
    """Whether the brief says its AI influences approvals, pricing or risk decisions.

    The one predicate the kits key on. It reads `decision_impact` from the brief when the
    brief has it and is False otherwise, so kits work the same before and after the brief
    gains the flag.
    """
    return bool(getattr(brief, "decision_impact", False))


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

# In every track: the role-fit check opens category A, the week-three scenario category C.
ROLE_FIT_PROBE = (
    "Which parts of the AI lifecycle have you owned end to end (data, training, evaluation, "
    "deployment, monitoring), and which did you only assist with?"
)
WEEK3_SCENARIO = (
    "Scenario: model quality dropped in week three after launch. What do you check first, "
    "and what next?"
)
WEEK3_RED_FLAG = "Answers the week-three scenario in the abstract, without concrete steps."
ROLE_FIT_RED_FLAGS = {
    "python_developer": "Only notebooks or one-off scripts: nothing they built served users "
    "or ran unattended. A mismatch for a production Python role.",
    "python_ai_developer": "Only notebook experiments: no model they built was trained, "
    "evaluated and served as part of a product. A mismatch for this track.",
    "ai_ml_engineer": "Has not owned a model after launch (notebooks, or training handed to "
    "others to run): a mismatch for a role that owns AI in production.",
}

# (category, kind, text) per track, in the order the scorecard shows them.
TRACK_QUESTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "python_developer": (
        (
            "A",
            "probe",
            "Which API or service you built is still in use, and what does it do for "
            "the people who use it?",
        ),
        (
            "A",
            "probe",
            "When your service called a model or an AI API, what did your code own "
            "and what did the model own?",
        ),
        ("A", "red_flag", "Lists frameworks, never what the service delivered."),
        (
            "B",
            "probe",
            "Walk me through a data pipeline or ETL job you built: how did it handle "
            "bad rows, late data and reruns?",
        ),
        (
            "B",
            "probe",
            "How do you make a load safe to run twice (idempotent writes, "
            "deduplication, checkpoints)?",
        ),
        (
            "B",
            "probe",
            "How did you validate data arriving from an integration you did not control?",
        ),
        ("B", "red_flag", "Assumes upstream data is clean and complete."),
        (
            "C",
            "probe",
            "How do you know an API behaves correctly: which tests, at which level, "
            "and what did they catch?",
        ),
        (
            "C",
            "probe",
            "Describe an incident in a service you operated: how did you find out, "
            "and what did you change afterwards?",
        ),
        ("C", "probe", "What did you log, measure and alert on for the last service you ran?"),
        ("C", "red_flag", "No tests beyond the happy path; no idea what runs in production."),
        (
            "D",
            "probe",
            "How did you handle secrets, authentication and personal data in your "
            "last integration?",
        ),
        (
            "D",
            "probe",
            "What does your code do when an external API or model times out or returns nonsense?",
        ),
        ("D", "red_flag", "Treats security and failure handling as someone else's problem."),
        (
            "E",
            "probe",
            "Explain a technical trade-off you made to a non-technical stakeholder, "
            "as you did then.",
        ),
        ("E", "probe", "What documentation did you leave for the next person on call?"),
        ("E", "red_flag", "Cannot explain a trade-off without jargon."),
    ),
    "python_ai_developer": (
        (
            "A",
            "probe",
            "Which ML feature you built (recommendations, scoring, classification) "
            "is in use, and which business metric did it move?",
        ),
        (
            "A",
            "probe",
            "Which metric mattered most, and how did you tie it to the business target?",
        ),
        (
            "A",
            "probe",
            "Tell me about a model that looked good offline and disappointed with "
            "users. What did you change?",
        ),
        ("A", "red_flag", "Reports accuracy but cannot connect it to a business outcome."),
        (
            "B",
            "probe",
            "Which feature did you build from messy data, and how did you clean and validate it?",
        ),
        (
            "B",
            "probe",
            "How did you keep evaluation data from leaking into training (time "
            "splits, target leakage, duplicates across splits)?",
        ),
        (
            "B",
            "probe",
            "How can someone reproduce your last model: data version, code, "
            "parameters, random seeds?",
        ),
        (
            "B",
            "probe",
            "Give an example where results improved by changing the data or the "
            "evaluation rather than the algorithm.",
        ),
        ("B", "red_flag", "Cannot say how evaluation data was kept apart from training data."),
        ("B", "red_flag", "Cannot reproduce their own results."),
        (
            "C",
            "probe",
            "How did your model reach production: a batch job, an API, a pipeline that retrains?",
        ),
        (
            "C",
            "probe",
            "When did you retrain, and what checks did a new model pass before it "
            "replaced the old one?",
        ),
        (
            "C",
            "probe",
            "What did one prediction cost to serve, and how did you keep it within budget?",
        ),
        (
            "D",
            "probe",
            "Where were the privacy boundaries in the data you used, and how were they enforced?",
        ),
        ("D", "probe", "How did you keep personal data out of features, logs and outputs?"),
        ("D", "red_flag", "Uses whatever data is available without asking whether it may."),
        (
            "E",
            "probe",
            "Explain a model's result to a business stakeholder as you did then: what "
            "did they decide with it?",
        ),
        ("E", "probe", "Show or describe an evaluation write-up others relied on."),
        ("E", "red_flag", "Cannot explain a trade-off without jargon."),
    ),
    "ai_ml_engineer": (
        ("A", "probe", "Which models did you run in production, and who depended on them?"),
        (
            "A",
            "probe",
            "How did you balance accuracy, latency, cost and reliability on one of them?",
        ),
        ("A", "red_flag", "Talks about tools and frameworks but never about metrics or results."),
        (
            "B",
            "probe",
            "How were training data and features versioned, and could you trace a "
            "prediction back to them?",
        ),
        ("B", "probe", "How did you detect data drift or a broken upstream feed?"),
        ("B", "red_flag", "Cannot describe a single data quality problem they handled."),
        (
            "C",
            "probe",
            "How did you release a new model version (shadow, canary, A/B), and what "
            "was the rollback plan? Did you use it?",
        ),
        (
            "C",
            "probe",
            "What did you monitor in the first month: quality, latency, cost, drift? "
            "At which alert thresholds?",
        ),
        ("C", "probe", "What broke after deployment, and how did you find out?"),
        (
            "C",
            "probe",
            "How did you control inference cost: budgets, rate limits, caching, usage alerts?",
        ),
        ("C", "red_flag", "Has never been on call for, or monitored, a model after launch."),
        (
            "D",
            "probe",
            "Who could change a production model or its configuration, and how was "
            "that controlled and audited?",
        ),
        ("D", "probe", "How did you keep personal or internal data out of logs and outputs?"),
        ("D", "red_flag", "Treats security and cost as someone else's problem."),
        ("E", "probe", "How did you report a model's health to the people who owned the product?"),
        ("E", "probe", "Which runbook or incident write-up of yours did others use?"),
        ("E", "red_flag", "Cannot explain a trade-off without jargon."),
    ),
}

GENAI_QUESTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "A",
        "probe",
        "How did you measure groundedness and hallucination rate, and what were the numbers?",
    ),
    ("A", "probe", "How did you evaluate retrieval quality (precision and recall, hit rate)?"),
    (
        "C",
        "probe",
        "What did a request cost, and which token limits, caching and budget caps kept it there?",
    ),
    (
        "C",
        "probe",
        "What latency budget did your copilot or chat flow have, and how did you meet it?",
    ),
    (
        "D",
        "probe",
        "How did you defend against prompt injection: users tricking the model into "
        "ignoring its rules?",
    ),
    (
        "D",
        "probe",
        "What could tools or agents do, what were they never allowed to do, and how "
        "was that enforced?",
    ),
    (
        "D",
        "probe",
        "What happened when the model was unsure or a request looked risky: human "
        "review, 'I don't know', a safe default?",
    ),
    ("D", "probe", "How did you stop runaway retries or agent loops from burning budget?"),
    (
        "D",
        "red_flag",
        "Has not heard of prompt injection or data leakage through prompts and logs.",
    ),
)

DECISION_IMPACT_QUESTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "A",
        "probe",
        "When a model's output fed an approval, price or risk decision, how was "
        "each decision explained to the people it affected?",
    ),
    (
        "D",
        "probe",
        "How did you check for bias across groups, and what did you do when you found a gap?",
    ),
    ("D", "probe", "What record did you keep so that a single decision could be audited later?"),
    ("D", "red_flag", "Treats the model as a black box although it drives approvals or pricing."),
    (
        "E",
        "probe",
        "How would you explain to a customer or a regulator why the system declined them?",
    ),
)

_TRACK_CODES = {"python_developer": "pd", "python_ai_developer": "pa", "ai_ml_engineer": "ml"}


def _question(key: str, category: str, kind: str, when: str, text: str, tag: str = "") -> Question:
    return {
        "key": key,
        "category": category,
        "kind": kind,
        "when": when,
        "text": text,
        "origin": "standard",
        "retired": False,
        "tag": tag,
    }


def standard_questions(track: str) -> list[Question]:
    """The standard kit of a track: its own questions, the role-fit check and the week-three
    scenario, then the GenAI and decision-impact additions (tagged by `when`)."""
    if track not in TRACK_QUESTIONS:
        raise ValueError(f"unknown track {track!r}")
    prefix = f"std-{_TRACK_CODES[track]}"
    questions = [
        _question(f"{prefix}-rolefit", "A", "probe", "always", ROLE_FIT_PROBE, "role_fit"),
        _question(
            f"{prefix}-rolefit-flag",
            "A",
            "red_flag",
            "always",
            ROLE_FIT_RED_FLAGS[track],
            "role_fit",
        ),
        _question(f"{prefix}-week3", "C", "probe", "always", WEEK3_SCENARIO, "week3_scenario"),
        _question(
            f"{prefix}-week3-flag", "C", "red_flag", "always", WEEK3_RED_FLAG, "week3_scenario"
        ),
    ]
    for index, (category, kind, text) in enumerate(TRACK_QUESTIONS[track], start=1):
        questions.append(_question(f"{prefix}-{index}", category, kind, "always", text))
    for index, (category, kind, text) in enumerate(GENAI_QUESTIONS, start=1):
        questions.append(_question(f"{prefix}-genai-{index}", category, kind, "genai", text))
    for index, (category, kind, text) in enumerate(DECISION_IMPACT_QUESTIONS, start=1):
        questions.append(
            _question(f"{prefix}-impact-{index}", category, kind, "decision_impact", text)
        )
    return _ordered(questions)


def _ordered(questions: list[Question]) -> list[Question]:
    """Category order, questions before red flags, otherwise as given (stable)."""
    kind_rank = {"probe": 0, "red_flag": 1}
    return sorted(questions, key=lambda q: (q["category"], kind_rank.get(q["kind"], 2)))


def question_applies(question: Question, *, is_genai: bool, decision_impact: bool) -> bool:
    if question.get("retired"):
        return False
    when = question.get("when", "always")
    if when == "genai":
        return is_genai
    if when == "decision_impact":
        return decision_impact
    return True


def kit_sections(
    questions: list[Question], *, is_genai: bool, decision_impact: bool
) -> list[KitSection]:
    """The scorecard's five sections from a kit's questions, for a brief with these flags."""
    sections = []
    for code, name in CATEGORY_NAMES.items():
        chosen = [
            q
            for q in _ordered(questions)
            if q["category"] == code
            and question_applies(q, is_genai=is_genai, decision_impact=decision_impact)
        ]
        sections.append(
            KitSection(
                code=code,
                name=name,
                probes=tuple(q["text"] for q in chosen if q["kind"] == "probe"),
                red_flags=tuple(q["text"] for q in chosen if q["kind"] == "red_flag"),
                anchors=ANCHORS[code],
            )
        )
    return sections


def interview_kit(*, track: str, is_genai: bool, decision_impact: bool = False) -> list[KitSection]:
    """The standard kit of a track for a brief with these flags (no workspace edits)."""
    return kit_sections(
        standard_questions(track), is_genai=is_genai, decision_impact=decision_impact
    )
