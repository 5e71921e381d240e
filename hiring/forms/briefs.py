"""Forms of the brief pages: the brief itself, grouped the way a client should think it
through, the list filter and the form that opens a brief to agencies.

They parse and present input (types, choices, help texts); the rules live in
hiring.services.briefs and hiring.readiness, which the views call with the parsed values. Most
fields are therefore `required=False` here: the service decides, and its field errors are shown
next to the fields (pages.forms.form_action).
"""

from typing import Any, cast

from django import forms
from django.http import QueryDict

from hiring.forms.widgets import text_area as _text
from hiring.forms.widgets import text_line as _line
from hiring.models import BriefStatus, Need, RateUnit, RemotePolicy, RoleBrief, Track
from hiring.readiness import GENAI_EVALUATION_FIELDS
from hiring.rubric import CATEGORY_NAMES
from hiring.safety import (
    DECISION_FIELDS,
    LIFECYCLE_FIELDS,
    RETENTION_FIELD,
    SAFETY_CHECKLIST,
    SAFETY_TEXT_FIELDS,
    SHORT_NAMES,
)

# The rubric's category names, for the brief form's weights and floors.
SCORECARD_CATEGORIES = CATEGORY_NAMES

TRACK_DESCRIPTIONS = {
    Track.PYTHON_DEVELOPER: "APIs, data pipelines, integrations and automation.",
    Track.PYTHON_AI_DEVELOPER: (
        "ML features such as recommendations, scoring or classification, built from messy data "
        "and evaluated against real targets."
    ),
    Track.AI_ML_ENGINEER: (
        "Owns models in production: deployment, monitoring, drift, rollback and cost."
    ),
}

READINESS_AREAS = {
    "business_goal": "1. Business goal",
    "data_readiness": "2. Data readiness",
    "success_criteria": "3. Success criteria",
    "lifecycle": "After launch",
    "genai_evaluation": "GenAI evaluation plan",
    "safety_checklist": "AI safety checklist",
    "decision_impact": "Decisions about people and money",
}

SAFETY_HELP = {
    "safety_allowed_data": "The sources the model may read or be given, e.g. published help "
    "articles and the customer's own tickets.",
    "safety_blocked_data": "What must never reach the model, its logs or its answers.",
    "safety_prompt_injection": "How a user or a retrieved document is kept from overriding "
    "the system's rules (rules outside user text, retrieved text treated as data, checks).",
    "safety_logged": "Prompts, retrieved documents, answers, tool calls: what is kept.",
    "safety_masked": "Personal or internal data hidden before logging or answering.",
    "safety_tools_allowed": "Only when the model can use tools: the actions it may take.",
    "safety_tools_forbidden": "The actions it must never take, whatever it is asked.",
    "cost_token_limits": "Input and output tokens per request.",
    "cost_rate_limits": "Requests per user or per minute.",
    "cost_budget_cap": "An amount per month or per day, and what happens at the cap.",
    "cost_caching": "Which answers or embeddings are reused instead of paid for again.",
    "cost_usage_alerts": "The levels that alert someone, and who.",
    "safety_fallback": "Human review, 'I don't know', or a safe default action.",
    "safety_failure_testing": "Bad inputs, edge cases and adversarial prompts, before launch.",
}


# Short names of the fields a readiness gap points at, for one-line summaries.
READINESS_FIELD_NAMES = {
    "business_goal": "business goal",
    "kpi_target": "measurable target",
    "data_sources_exist": "data sources confirmed",
    "data_use_approved": "data use approved",
    "privacy_rules": "privacy rules",
    "success_impact": "business impact",
    "success_ai_quality": "AI quality bar",
    "success_adoption": "adoption",
    "success_cost_limits": "cost limits",
    "post_launch_owner": "owner after launch",
    "eval_groundedness": "groundedness measure",
    "eval_hallucination_rate": "hallucination rate",
    "eval_retrieval_quality": "retrieval quality",
    "eval_cost_per_request": "cost per request",
    "eval_latency_budget": "latency budget",
    **SHORT_NAMES,
}


class BriefForm(forms.Form):
    """A role brief, grouped the way a client should think it through."""

    title = forms.CharField(
        required=False,
        widget=_line("e.g. ML engineer for demand forecasting"),
        help_text="The name agencies and candidates will see.",
    )
    track = forms.ChoiceField(
        required=False,
        choices=[(value, label) for value, label in Track.choices],
        widget=forms.RadioSelect,
        help_text=(
            "Pick the profile the work really needs. The panel beside the form recommends one "
            "from the kinds of work you tick below."
        ),
    )
    needs = forms.MultipleChoiceField(
        required=False,
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        label="What will this person mainly work on?",
        help_text="Tick everything that applies; this drives the track recommendation.",
    )
    uses_llm = forms.BooleanField(required=False, label="Large language models (LLMs)")
    uses_rag = forms.BooleanField(
        required=False, label="Retrieval-augmented generation (RAG, vector databases)"
    )
    uses_agents = forms.BooleanField(required=False, label="Agents that call tools")

    business_goal = forms.CharField(
        required=False,
        widget=_text(3, "Which workflow or decision should get better, and for whom?"),
        label="Business goal",
        help_text=(
            "Name the workflow or decision this hire should improve. Agencies search for "
            "people who have solved that kind of problem before, so be concrete."
        ),
    )
    kpi_target = forms.CharField(
        required=False,
        widget=_line("e.g. reduce ticket handling time by 20% within two quarters"),
        label="Measurable target",
        help_text=(
            "A number, a unit and a time frame. 'Make support smarter' cannot be checked; "
            "'cut handling time by 20%' tells everyone what done looks like and lets you judge "
            "the hire against it."
        ),
    )
    data_sources_exist = forms.BooleanField(
        required=False,
        label="The data sources this work needs exist today",
        help_text="An AI engineer without data spends the first months building pipelines.",
    )
    data_use_approved = forms.BooleanField(
        required=False,
        label="Using this data for the project is approved",
        help_text="Approval from the data owner (and legal where needed) is already given.",
    )
    privacy_rules = forms.CharField(
        required=False,
        widget=_text(2, "e.g. no customer identifiers leave the CRM; EU data stays in the EU"),
        label="Privacy rules that apply",
        help_text="What may not be stored, sent to third parties or shown in answers.",
    )
    success_impact = forms.CharField(
        required=False,
        widget=_text(2),
        label="Business impact",
        help_text="The change in the business that counts as success.",
    )
    success_ai_quality = forms.CharField(
        required=False,
        widget=_text(2, "e.g. precision above 0.9 on last quarter's tickets"),
        label="AI quality",
        help_text="Which model metric matters and the level it must reach.",
    )
    success_adoption = forms.CharField(
        required=False,
        widget=_text(2),
        label="Adoption",
        help_text="Who will use it and how much: a model nobody uses has no impact.",
    )
    success_cost_limits = forms.CharField(
        required=False,
        widget=_text(2, "e.g. under $3k a month to run, including inference"),
        label="Cost limits",
        help_text="What running and changing the system may cost.",
    )
    post_launch_owner = forms.CharField(
        required=False,
        widget=_line("e.g. Data platform team, lead: Maria Lopez"),
        label="Owner after launch",
        help_text=(
            "AI systems need monitoring, retraining, cost tuning and fixes after launch. "
            "Name the person or team who will own that."
        ),
    )
    eval_groundedness = forms.CharField(
        required=False,
        widget=_text(2),
        label="Groundedness / citation accuracy",
        help_text="How you will check that answers are supported by the retrieved sources.",
    )
    eval_hallucination_rate = forms.CharField(
        required=False,
        widget=_text(2),
        label="Hallucination rate",
        help_text="How often unsupported claims may appear, and how you will count them.",
    )
    eval_retrieval_quality = forms.CharField(
        required=False,
        widget=_text(2),
        label="Retrieval quality",
        help_text="Precision/recall or hit rate of the documents retrieved for a question.",
    )
    eval_cost_per_request = forms.CharField(
        required=False,
        widget=_text(2),
        label="Cost per request and token controls",
        help_text="A budget per request, token limits, caching, alerts on runaway usage.",
    )
    eval_latency_budget = forms.CharField(
        required=False,
        widget=_text(2),
        label="Latency budget",
        help_text="Response-time targets, e.g. p95 under 2 seconds for a chat flow.",
    )
    must_haves = forms.CharField(
        required=False,
        widget=_text(2, "e.g. has shipped a forecasting model that planners use every week"),
        label="What the person must have delivered",
        help_text=(
            "Outcomes over tools: what they must have shipped and owned. A list of framework "
            "names does not predict delivery, so the panel flags one."
        ),
    )
    safety_log_retention_days = forms.IntegerField(
        required=False,
        min_value=0,
        label="How many days logs are kept",
        help_text="0 when nothing is kept.",
    )
    decision_impact = forms.BooleanField(
        required=False,
        label="The AI influences approvals, pricing or risk decisions",
        help_text=(
            "Black-box decisions about people or money carry regulatory, legal and "
            "reputational exposure: say how decisions are explained and how bias is checked."
        ),
    )
    explainability_plan = forms.CharField(
        required=False,
        widget=_text(2, "e.g. every decline lists its top three reasons; auditors see inputs"),
        label="How decisions are explained",
    )
    bias_plan = forms.CharField(
        required=False,
        widget=_text(2, "e.g. approval rates compared by age band and region every month"),
        label="How bias is checked",
    )
    lifecycle_monitoring_owner = forms.CharField(
        required=False, widget=_line("e.g. ML platform on-call"), label="Who monitors it"
    )
    lifecycle_retraining_cadence = forms.CharField(
        required=False,
        widget=_line("e.g. monthly, or when the drift alert fires"),
        label="Retraining or re-evaluation cadence",
    )
    lifecycle_cost_review_cadence = forms.CharField(
        required=False, widget=_line("e.g. quarterly with finance"), label="Cost-tuning cadence"
    )
    lifecycle_safety_testing = forms.CharField(
        required=False,
        widget=_text(2),
        label="Safety testing after launch",
        help_text="Needed for GenAI and decision-impact roles: red-team runs, new attack prompts.",
    )
    headcount = forms.IntegerField(required=False, initial=1, label="Headcount")
    rate_min = forms.DecimalField(
        required=False, max_digits=12, decimal_places=2, label="Rate from"
    )
    rate_max = forms.DecimalField(
        required=False, max_digits=12, decimal_places=2, label="Rate up to"
    )
    rate_currency = forms.CharField(
        required=False,
        initial="USD",
        label="Currency",
        widget=forms.TextInput(attrs={"maxlength": 3, "size": 4}),
    )
    rate_unit = forms.ChoiceField(
        required=False, choices=RateUnit.choices, initial=RateUnit.HOUR, label="Rate unit"
    )
    location = forms.CharField(
        required=False, label="Location", widget=_line("e.g. Berlin, or EU time zones")
    )
    remote_policy = forms.ChoiceField(
        required=False,
        choices=RemotePolicy.choices,
        initial=RemotePolicy.REMOTE,
        label="Remote policy",
    )
    deadline = forms.DateField(
        required=False, label="Fill by", widget=forms.DateInput(attrs={"type": "date"})
    )

    SECTIONS: list[dict[str, Any]] = [
        {
            "title": "The role",
            "intro": "",
            "fields": ["title", "track", "needs"],
        },
        {
            "title": "1. Business goal",
            "intro": (
                "Why the role exists. Without a measurable target, nobody can tell whether the "
                "person you hire is succeeding."
            ),
            "fields": ["business_goal", "kpi_target"],
        },
        {
            "title": "2. Data readiness",
            "intro": (
                "AI work stalls when the data is missing, not yet approved or bound by rules "
                "nobody wrote down."
            ),
            "fields": ["data_sources_exist", "data_use_approved", "privacy_rules"],
        },
        {
            "title": "3. Success criteria",
            "intro": (
                "How you will judge the result: business impact, AI quality, adoption and cost, "
                "and who keeps the system healthy after launch."
            ),
            "fields": [
                "success_impact",
                "success_ai_quality",
                "success_adoption",
                "success_cost_limits",
                "post_launch_owner",
            ],
        },
        {
            "title": "After launch",
            "intro": (
                "AI systems need monitoring, retraining and cost tuning after launch: say who "
                "does it and how often. Required for AI roles."
            ),
            "fields": list(LIFECYCLE_FIELDS),
        },
        {
            "title": "What the person must have delivered",
            "intro": "",
            "fields": ["must_haves"],
        },
        {
            "title": "GenAI evaluation plan",
            "intro": (
                "Required when the role involves LLMs, RAG or agents: generative systems fail "
                "quietly, so agree up front how quality, cost and speed will be measured. "
                "Leave it empty otherwise."
            ),
            "fields": list(GENAI_EVALUATION_FIELDS),
        },
        {
            "title": "AI safety checklist",
            "intro": (
                "Required before a GenAI or agent brief opens to agencies, and shown to them: "
                "a candidate is judged on these answers. It cannot be overridden. The two tool "
                "questions apply only when the model can call tools."
            ),
            "fields": [*SAFETY_TEXT_FIELDS[:5], RETENTION_FIELD, *SAFETY_TEXT_FIELDS[5:]],
        },
        {
            "title": "Decisions about people and money",
            "intro": "",
            "fields": list(DECISION_FIELDS),
        },
        {
            "title": "Terms",
            "intro": "",
            "grid": True,
            "fields": [
                "headcount",
                "rate_min",
                "rate_max",
                "rate_currency",
                "rate_unit",
                "location",
                "remote_policy",
                "deadline",
            ],
        },
    ]
    GENAI_FLAGS = ("uses_llm", "uses_rag", "uses_agents")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["track"]).choices = [
            (value, f"{label}: {TRACK_DESCRIPTIONS[Track(value)]}")
            for value, label in Track.choices
        ]

    def sections(self) -> list[dict[str, Any]]:
        return [
            {**section, "bound_fields": [self[name] for name in section["fields"]]}
            for section in self.SECTIONS
        ]

    def genai_flags(self) -> list[forms.BoundField]:
        return [self[name] for name in self.GENAI_FLAGS]

    def service_data(self) -> dict[str, Any]:
        """The parsed values in the shape brief_create / brief_update take."""
        return dict(self.cleaned_data)

    @classmethod
    def initial_from(cls, brief: RoleBrief) -> dict[str, Any]:
        return {name: getattr(brief, name) for name in cls.base_fields}


_FORM_FLAGS = ("data_sources_exist", "data_use_approved", "decision_impact", *BriefForm.GENAI_FLAGS)


def _add_checklist_fields() -> None:
    """The checklist's text fields, asked as hiring.safety words them."""
    for item in SAFETY_CHECKLIST:
        BriefForm.base_fields[item.field] = forms.CharField(
            required=False,
            widget=_text(2),
            label=item.label,
            help_text=SAFETY_HELP[item.field],
        )


_add_checklist_fields()


def readiness_input(data: QueryDict) -> dict[str, Any]:
    """Brief field values from raw form data, for the live readiness check.

    Lenient on purpose: the panel must update while the form is half typed or has invalid
    values in fields readiness does not read.
    """
    fields: dict[str, Any] = {
        name: data.get(name, "")
        for name in BriefForm.base_fields
        if name not in ("needs", *_FORM_FLAGS)
    }
    fields["needs"] = [need for need in data.getlist("needs") if need in Need.values]
    for name in _FORM_FLAGS:
        fields[name] = data.get(name, "") not in ("", "false", "0", "off")
    if fields.get("track") not in Track.values:
        fields["track"] = ""
    return fields


class BriefFilterForm(forms.Form):
    """The brief list's filters; they combine and stay in the URL."""

    q = forms.CharField(required=False, label="Search", max_length=1000)
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *BriefStatus.choices])
    track = forms.ChoiceField(required=False, choices=[("", "All tracks"), *Track.choices])


class BriefOpenForm(forms.Form):
    """Open a brief to all engaged agencies or to selected ones."""

    share_with = forms.ChoiceField(
        choices=[
            ("all", "All agencies with an active engagement"),
            ("selected", "Only the agencies I select"),
        ],
        initial="all",
        widget=forms.RadioSelect,
    )
    agencies = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Agencies"
    )
    override_reason = forms.CharField(
        required=False,
        widget=_text(2, "e.g. the data approval is signed next week; we accept the risk"),
        label="Reason to open it anyway",
        help_text="Recorded with your name in the audit trail.",
    )

    def __init__(self, *args: Any, agency_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agencies"]).choices = agency_choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("share_with") == "selected" and not cleaned.get("agencies"):
            self.add_error("agencies", "Choose at least one agency, or share with all.")
        return cleaned
