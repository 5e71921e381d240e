"""Reading a resume to prefill the submission form: name, e-mail, phone, links and skills.

The file's text is extracted by hiring/resume_reader_worker.py in a child process (pypdf,
python-docx; no network) capped in memory, CPU and wall time, so a hostile file costs that
process only. What the text says is then picked out here, in plain Python: the first valid
e-mail address, the first valid phone number (phonenumbers), http(s) and profile links, the
name on the first lines, and the skills of SKILL_VOCABULARY the text mentions. Everything is
a suggestion the recruiter confirms on the form; nothing is submitted from a file alone.
"""

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError

from hiring.candidate_identity import normalize_email

WORKER = Path(__file__).with_name("resume_reader_worker.py")
READ_SECONDS = 10
MAX_LINKS = 10
MAX_SKILLS = 30
# The head of the text where the contact details are: a phone number further down is more
# likely a reference's or an employer's.
CONTACT_HEAD_CHARS = 6000

PROBLEMS = {
    "encrypted": (
        "This PDF is password-protected, so it could not be read. Type the candidate's "
        "details below, or upload a copy without a password."
    ),
    "unreadable": (
        "This file could not be read as a resume (it may be damaged). Type the candidate's "
        "details below."
    ),
    "too_large": (
        "This file holds more than a resume does, so it was not read. Type the candidate's "
        "details below."
    ),
    "timeout": (
        "Reading this file took too long, so it was stopped. Type the candidate's details below."
    ),
    "unsupported": "Upload the resume as PDF, DOCX or plain text.",
    "no_text": (
        "No text was found in this file (a scanned image?). Type the candidate's details below."
    ),
}

# Skills named the way resumes name them; matched as whole words, case-insensitively, and
# shown with this spelling. Kept to what the three tracks ask about (domain.md).
SKILL_VOCABULARY = (
    "Python",
    "SQL",
    "PostgreSQL",
    "MySQL",
    "MongoDB",
    "Redis",
    "Elasticsearch",
    "Kafka",
    "Spark",
    "PySpark",
    "Airflow",
    "dbt",
    "Pandas",
    "NumPy",
    "Polars",
    "scikit-learn",
    "XGBoost",
    "LightGBM",
    "PyTorch",
    "TensorFlow",
    "Keras",
    "JAX",
    "Hugging Face",
    "Transformers",
    "LangChain",
    "LlamaIndex",
    "RAG",
    "LLM",
    "OpenAI",
    "vector database",
    "pgvector",
    "Pinecone",
    "FAISS",
    "MLflow",
    "Kubeflow",
    "SageMaker",
    "Vertex AI",
    "Docker",
    "Kubernetes",
    "Terraform",
    "AWS",
    "GCP",
    "Azure",
    "FastAPI",
    "Django",
    "Flask",
    "Celery",
    "REST",
    "GraphQL",
    "ETL",
    "CI/CD",
    "Prometheus",
    "Grafana",
    "A/B testing",
    "feature engineering",
    "model monitoring",
    "drift detection",
    "NLP",
    "computer vision",
    "time series",
    "recommendation systems",
    "MLOps",
    "Go",
    "Java",
    "Scala",
    "TypeScript",
    "Rust",
)
_SKILL_PATTERNS = [
    (skill, re.compile(rf"(?<![\w+#/-]){re.escape(skill)}(?![\w+#/-])", re.IGNORECASE))
    for skill in SKILL_VOCABULARY
]
# Short words that are also ordinary English: only their exact spelling counts.
_CASE_SENSITIVE_SKILLS = frozenset({"Go", "RAG", "REST", "JAX"})

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"https?://[^\s<>\"'()\[\]{}|\\^`]+", re.IGNORECASE)
_PROFILE = re.compile(
    r"(?<![\w./@-])(?:www\.)?(?:linkedin\.com/in|github\.com|gitlab\.com|kaggle\.com|"
    r"huggingface\.co)/[A-Za-z0-9_./%-]+",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'.\-]*(?:['.\-][^\W\d_]+)*\.?$")
_NAME_LABEL = re.compile(r"^\s*(?:full\s+)?name\s*[:\-]\s*(.+)$", re.IGNORECASE)
_NAME_PARTICLES = frozenset(
    {"de", "da", "do", "dos", "das", "del", "della", "di", "du", "la", "le", "van", "von", "der"}
    | {"den", "ter", "bin", "binti", "al", "el", "y", "e"}
)
_HEADINGS = frozenset(
    {"resume", "résumé", "curriculum vitae", "cv", "profile", "summary", "contact", "about me"}
)
# What a one-line field of the form may not hold (hiring.text): dropped from suggestions.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


@dataclass
class ResumeReading:
    """What a resume suggests for the form, or the problem that kept it from being read."""

    full_name: str = ""
    email: str = ""
    phone: str = ""
    links: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    problem: str = ""

    def initial(self) -> dict[str, str]:
        """The form's initial values (links one per line, skills separated by commas)."""
        values = {
            "full_name": self.full_name,
            "email": self.email,
            "phone": self.phone,
            "links": "\n".join(self.links),
            "skills": ", ".join(self.skills),
        }
        return {name: value for name, value in values.items() if value}

    @property
    def found(self) -> list[str]:
        """The fields the resume filled in, for the page to say which to check."""
        return [name for name, value in self.initial().items() if value]


def resume_text_extract(*, data: bytes, content_type: str) -> tuple[str, list[str]]:
    """The text and link targets of the file, read in a limited child process. Raises
    ValidationError with a message for the recruiter when it cannot be read."""
    try:
        completed = subprocess.run(
            [sys.executable, "-I", str(WORKER), content_type],
            input=data,
            capture_output=True,
            timeout=READ_SECONDS,
            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ValidationError(PROBLEMS["timeout"], code="timeout") from None
    try:
        result = json.loads(completed.stdout.decode("utf-8")) if completed.returncode == 0 else {}
    except (UnicodeDecodeError, ValueError):
        result = {}
    if not isinstance(result, dict) or ("text" not in result and "error" not in result):
        # Killed by a limit (memory, CPU) or crashed: the file is the cause either way.
        result = {"error": "too_large" if completed.returncode < 0 else "unreadable"}
    if "error" in result:
        code = str(result["error"])
        raise ValidationError(PROBLEMS.get(code, PROBLEMS["unreadable"]), code=code)
    text = str(result.get("text") or "")
    links = [str(link) for link in result.get("links") or [] if isinstance(link, str)]
    if not text.strip():
        raise ValidationError(PROBLEMS["no_text"], code="no_text")
    return text, links


def _clean(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _email_in(text: str) -> str:
    for match in _EMAIL.finditer(text):
        candidate = match.group(0).strip(".'")
        try:
            if normalize_email(candidate):
                return candidate
        except ValidationError:
            continue
    return ""


def _phone_in(text: str) -> str:
    region = settings.PHONE_DEFAULT_REGION
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        return phonenumbers.format_number(
            match.number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    return ""


def _links_in(text: str, targets: list[str]) -> list[str]:
    found: list[str] = []
    for link in targets:
        if link.lower().startswith(("https://", "http://")):
            found.append(link.strip())
    found += [m.group(0) for m in _URL.finditer(text)]
    found += [f"https://{m.group(0)}" for m in _PROFILE.finditer(text)]
    links: list[str] = []
    seen: set[str] = set()
    for link in found:
        link = _clean(link).rstrip(".,;:)")
        key = link.lower().rstrip("/").replace("://www.", "://")
        if not link or len(link) > 500 or key in seen or " " in link:
            continue
        seen.add(key)
        links.append(link)
        if len(links) == MAX_LINKS:
            break
    return links


def _name_in(lines: list[str]) -> str:
    for line in lines[:15]:
        labelled = _NAME_LABEL.match(line)
        if labelled:
            return _clean(labelled.group(1))[:200]
    for line in lines[:8]:
        text = _clean(line)
        if not text or text.lower().strip(":") in _HEADINGS:
            continue
        words = text.split()
        if (
            2 <= len(words) <= 5
            and len(text) <= 80
            and all(_NAME_WORD.match(word) for word in words)
            # Names are capitalised, bar particles ("Ana de Souza", "Jan van Dijk").
            and all(word[0].isupper() or word in _NAME_PARTICLES for word in words)
        ):
            return text
    return ""


def _skills_in(text: str) -> list[str]:
    positions = []
    for skill, pattern in _SKILL_PATTERNS:
        if skill in _CASE_SENSITIVE_SKILLS:
            match = re.search(rf"(?<![\w+#/-]){re.escape(skill)}(?![\w+#/-])", text)
        else:
            match = pattern.search(text)
        if match:
            positions.append((match.start(), skill))
    return [skill for _, skill in sorted(positions)][:MAX_SKILLS]


def resume_fields_read(*, text: str, link_targets: list[str] | None = None) -> ResumeReading:
    """What the text of a resume suggests for the form."""
    lines = [line for line in text.splitlines() if line.strip()]
    head = text[:CONTACT_HEAD_CHARS]
    return ResumeReading(
        full_name=_name_in(lines),
        email=_email_in(head) or _email_in(text),
        phone=_phone_in(head),
        links=_links_in(text, link_targets or []),
        skills=_skills_in(text),
    )


def resume_read(*, data: bytes, content_type: str) -> ResumeReading:
    """Read a resume; a file that cannot be read gives a reading with only its `problem`."""
    try:
        text, targets = resume_text_extract(data=data, content_type=content_type)
    except ValidationError as error:
        return ResumeReading(problem=" ".join(error.messages))
    return resume_fields_read(text=text, link_targets=targets)
