"""Is a target measurable? A small, offline reader of one sentence.

A measurable target names three things (docs/hiring.md, "Measurable targets"):

- a **metric**: what is measured ("ticket handling time", "false positives", "MAPE");
- a **direction or comparator**: which way it must move or the level it must hold ("reduce",
  "double", "under", "at least", "from ... to ...");
- an **amount**: a number with a unit ("20%", "800 ms", "$3k a month", "3x"), a baseline and a
  result ("from 40 to 25 minutes"), a level after a comparator ("precision above 0.9") or a
  fraction or multiple in words ("by a third", "halve", "double").

Numbers that are not amounts are set aside first, each with the reason the checker gives back:
versions ("Python 3", "GPT-4"), dates and time frames ("by Q3", "within two quarters"),
metric names that contain digits ("p95", "F1"), slogans ("24/7") and counts of things to build
("migrate 4 services"). What remains is read with a handful of compiled patterns, so a check
takes microseconds and needs no network or model (bench/measurability.py measures it).
"""

import re
from dataclasses import dataclass, field


def _words(text: str) -> frozenset[str]:
    """A vocabulary written as words separated by spaces and line breaks."""
    return frozenset(text.split())


_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SMALL_WORDS = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|a|an|a few|several)"
_I = re.IGNORECASE

# --- numbers that are not amounts, removed before the amount is looked for -------------------

_SLOGAN = re.compile(
    r"\b24\s*[/x\u00d7]\s*7(?:\s*[/x\u00d7]\s*365)?\b|\b365\s+days\s+a\s+year\b", _I
)
_TECH = _words(
    """python django flask fastapi java jdk node node.js react angular vue php ruby rails go
    rust scala spark kafka airflow kubernetes k8s postgres postgresql mysql elasticsearch
    tensorflow pytorch gpt llama claude gemini mistral bert ios android windows ubuntu
    debian rhel oracle sap dotnet laravel spring hadoop celery redis mongodb terraform cuda
    langchain openai web http tls ssl ipv html css es ecmascript v version release"""
)
# A name and a number after it: a version when the name is a product ("Python 3", "GPT-4").
_NAME_NUMBER = re.compile(r"(?<![\w.])([a-z][a-z.+#]*)\s?-?\s?\d+(?:\.\d+)*[a-z]?\b(?!\s*%)", _I)
# A capitalized name inside a sentence followed by a dotted number: "Airbyte 0.50", "Spark 3.5".
_DOTTED_VERSION = re.compile(r"(?<=\s)[A-Z][\w+#-]*\s\d+\.\d+(?:\.\d+)*\b(?!\s*(?:%|[a-z]))")
_SERIAL = re.compile(
    r"\b(?:tier|level|phase|step|stage|sprint|wave|round|grade|iteration|milestone|release"
    r"|part|section|track|team|room|floor|gen|generation|top)\s*-?\s*#?\d+\b|#\d+\b",
    _I,
)
_METRIC_WITH_DIGITS = re.compile(r"\b(?:p\d{2,3}|f[1-2]|top-?\d+|r@\d+|@\d+|k\s?=\s?\d+)\b", _I)
_DATE = re.compile(
    r"\b(?:q[1-4]|h[1-2]|fy\s?\d{2,4}|(?:19|20)\d{2}(?!\s*(?:%|ms|s\b|users|requests)))\b"
    r"|\b(?:by|before|until|in|from)\s+(?:the\s+)?end\s+of\s+\w+",
    _I,
)
# A project's time frame, not a target: weeks and longer after "within", "in", "over"...
# ("within 2 days" is a target, "within two quarters" a deadline).
_TIMEFRAME = re.compile(
    rf"\b(?:within|in|over|during|inside|after|before|for|across)\s+(?:the\s+)?(?:next\s+|first\s+"
    rf"|coming\s+)?(?:{_NUM}|{_SMALL_WORDS})?\s*(?:weeks?|months?|quarters?|years?|sprints?)\b",
    _I,
)
_DELIVERABLE_NOUNS = (
    r"services|microservices|dashboards?|models|pipelines|endpoints|features|apps|applications"
    r"|integrations|apis|reports|agents|bots|modules|repos|repositories|systems|tools|workflows"
    r"|jobs|scripts|connectors|databases|clusters|screens|pages|components|data ?sources|teams"
    r"|regions|markets|countries|languages|channels|use cases|pilots|prototypes|poc?s|notebooks"
    r"|tables|schemas|queues|environments|servers|vms|lambdas|functions|workers"
)
_DELIVERABLE_COUNT = re.compile(
    rf"\b(?:{_NUM}|{_SMALL_WORDS})\s+(?:new\s+|more\s+|legacy\s+|core\s+|internal\s+|key\s+"
    rf"|ml\s+|ai\s+|etl\s+|data\s+)*(?:{_DELIVERABLE_NOUNS})\b",
    _I,
)

# --- amounts ------------------------------------------------------------------------------------

_UNIT = (
    r"%|percent\b|per\s?cent\b|pp\b|percentage\s+points?\b|points?\b|bps\b|basis\s+points\b"
    r"|ms\b|milliseconds?\b|s\b|secs?\b|seconds?\b|mins?\b|minutes?\b|h\b|hrs?\b|hours?\b"
    r"|days?\b|weeks?\b|months?\b|quarters?\b|years?\b"
    r"|x\b|\u00d7|times\b|fold\b|k\b|m\b|mn\b|bn\b|million\b|billion\b|thousand\b"
    r"|usd\b|eur\b|gbp\b|chf\b|dollars?\b|euros?\b|pounds?\b|cents?\b"
    r"|rps\b|qps\b|tps\b|gb\b|tb\b|mb\b|kb\b|tokens?\b|stars?\b"
)
_WITH_UNIT = re.compile(rf"(?<![\w.]){_NUM}\s*(?:{_UNIT})|[$\u20ac\u00a3]\s*{_NUM}", _I)
_RATE = re.compile(
    rf"(?<![\w.]){_NUM}\s+(?:[a-z-]+\s+){{0,4}}?(?:per|a|an|each|every)\s+"
    rf"(?:day|week|month|hour|minute|second|year|shift|request|user|analyst|agent|ticket|call"
    rf"|order|customer|session|query|document|case|claim|person|head)\b"
    rf"|(?<![\w.]){_NUM}\s*/\s*(?:s|sec|second|min|minute|h|hour|day|week|month|request|user)\b"
    rf"|(?<![\w.]){_NUM}\s+(?:[a-z-]+\s+){{0,3}}?(?:daily|weekly|monthly|hourly|nightly)\b",
    _I,
)
_FROM_TO = re.compile(
    rf"\bfrom\s+(?:about\s+|around\s+)?[$\u20ac\u00a3]?{_NUM}.{{0,40}}?\bto\s+", _I
)
# A level after a comparator: "above 0.9", "at least 80", "to 6%", "< 300".
_WORD_THEN_NUMBER = re.compile(
    rf"\b([a-z]+)\s+(?:about\s+|around\s+|roughly\s+)?[$\u20ac\u00a3]?{_NUM}", _I
)
_SYMBOL_LEVEL = re.compile(rf"[<>\u2264\u2265]=?\s*[$\u20ac\u00a3]?{_NUM}")
_COMPARATOR_WORDS = _words(
    """above below under over beyond least most than to of at up reach reaches hit hits exceed
    exceeds beat beats"""
)
_DELIVERABLE_AFTER = re.compile(rf"\s+(?:{_DELIVERABLE_NOUNS})\b", _I)
_FRACTION = re.compile(
    r"\b(?:double[sd]?|doubling|triple[sd]?|tripling|quadruple[sd]?|halve[sd]?|halving"
    r"|twofold|threefold|fourfold|fivefold|tenfold|(?:cut|reduce[sd]?|drop|fall|shrink)\s+in\s+half"
    r"|by\s+(?:a\s+|one\s+|two\s+)?(?:half|thirds?|quarters?|fifths?|tenths?)"
    r"|(?:a|one|two)\s+(?:thirds?|quarters?|fifths?|tenths?)\s+(?:less|more|fewer|lower|higher)"
    r"|(?:an\s+)?order\s+of\s+magnitude)\b",
    _I,
)

# --- direction / comparator -------------------------------------------------------------------

_DIRECTION_WORDS = _words(
    """reduce reduces reduced reducing reduction cut cuts cutting lower lowers lowered lowering
    decrease decreases decreased drop drops dropped shrink shorten trim slash minimise
    minimize eliminate halve halves halved halving increase increases increased increasing
    raise raises raised grow grows growth improve improves improved improving improvement
    boost boosts boosted lift lifts lifted double doubles doubled doubling triple triples
    tripled quadruple quadruples quadrupled maximise maximize accelerate expand gain save
    saves saved saving savings recover avoid prevent reach reaches hit achieve attain get
    bring brings bringing take move keep hold maintain stay stays sustain handle process
    serve review resolve answer classify detect catch convert retain deflect automate above
    below under over within beyond higher lower faster slower fewer less more exceed beat
    from"""
)
_DIRECTION_PHRASE = re.compile(
    r"\bspeed\s+up\b|\bat\s+(?:least|most)\b|\bup\s+to\b|[<>\u2264\u2265]", _I
)

# --- metric -----------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z][a-z0-9'-]*", _I)
_NOT_A_METRIC = _words(
    """a an the and or of for to in on at by with from into per than as is are be it its this
    that these those our we us they their them you your all any some every each more less
    most least make makes made get gets getting do does done have has had can could should
    will would must better best good great smarter smart faster slower cheaper nicer easier
    simpler higher lower modern robust scalable seamless efficient effective world-class
    cutting-edge innovative things stuff everything something anything overall general
    generally really very much many new next first top same also just only even up down out
    off about around roughly approx approximately nearly almost ai ml genai llm data-driven
    intelligent automated automatic leverage leveraging utilize empower enable transform
    transformation journey experience experiences synergy synergies solution solutions
    platform innovation value process processes possible significantly substantially
    dramatically drastically greatly materially noticeably reduce reduced reduces cut cuts
    lower lowers decrease decreases increase increases raise improve improves boost lift
    double doubles halve halves triple grow reach hit achieve attain keep hold maintain stay
    bring move take save handle serve review resolve answer above below under over within
    beyond least most fewer whole half third thirds quarter quarters fifth tenth times fold
    percent months weeks years days quarter sprint end year month week day available
    availability always never anytime fully truly"""
)
_METRIC_WORDS = _words(
    """p50 p90 p95 p99 p999 f1 f2 mape mae rmse auc roc ndcg mrr bleu rouge wer cer nps csat
    ces arr cac ltv roi sla slo mttr mttd aht fcr uptime latency accuracy precision recall
    churn conversion revenue cost costs spend margin throughput error errors defect defects
    ticket tickets time rate groundedness hallucination hallucinations positives negatives"""
)
_DIGIT = re.compile(r"\d")
_FRACTION_HINTS = _words(
    """double doubles doubled doubling triple triples tripled tripling quadruple quadrupled
    halve halves halved halving half third thirds quarter quarters fifth fifths tenth tenths
    twofold threefold fourfold fivefold tenfold magnitude"""
)
_LONG_PERIODS = _words("""week weeks month months quarter quarters year years sprint sprints""")
_COUNT_WORDS = _words("""one two three four five six seven eight nine ten twelve several few""")


def _strip_versions(text: str, notes: list[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1).lower() not in _TECH:
            return match.group(0)
        note = "A version number (such as 'Python 3') is not an amount."
        if note not in notes:
            notes.append(note)
        return " "

    return _NAME_NUMBER.sub(replace, text)


def _comparator_level(text: str) -> str:
    for match in _WORD_THEN_NUMBER.finditer(text):
        if match.group(1).lower() in _COMPARATOR_WORDS and not _DELIVERABLE_AFTER.match(
            text, match.end()
        ):
            return match.group(0)
    symbol = _SYMBOL_LEVEL.search(text)
    return symbol.group(0) if symbol else ""


def _tokens(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class Measurability:
    """What the checker found in a target and, in words, what is missing."""

    measurable: bool
    metric: bool
    direction: bool
    amount: str  # the amount as written, "" when none was found
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def explanation(self) -> str:
        """One or two sentences for the person who typed the target."""
        if self.measurable:
            return "Measurable: it names a metric, the direction and an amount."
        parts = []
        if self.missing:
            parts.append("The target is not measurable yet: " + "; ".join(self.missing) + ".")
        parts.extend(self.notes)
        return " ".join(parts)


_MISSING_METRIC = "name what is measured (the metric, e.g. 'ticket handling time')"
_MISSING_DIRECTION = (
    "say which way it must move or the level it must hold ('reduce', 'double', 'under', "
    "'at least', 'from ... to ...')"
)
_MISSING_AMOUNT = (
    "give an amount: a number with a unit ('20%', '800 ms', '$3k a month'), a baseline and a "
    "result ('from 40 to 25 minutes') or a fraction ('by a third', 'halve')"
)


def _strip(pattern: re.Pattern[str], text: str, notes: list[str], note: str) -> str:
    stripped, count = pattern.subn(" ", text)
    if count and note and note not in notes:
        notes.append(note)
    return stripped


def measurability_check(text: str) -> Measurability:
    """Read a target and say whether it is measurable and, if not, what is missing."""
    text = " ".join(str(text or "").split())
    if not text:
        return Measurability(False, False, False, "", (_MISSING_METRIC, _MISSING_AMOUNT), ())
    notes: list[str] = []
    rest = f" {text} "
    words = _tokens(text)
    # Each pattern runs only where it can match: most targets hold one or two numbers.
    if _DIGIT.search(rest):
        rest = _strip(
            _SLOGAN, rest, notes, "'24/7' is an availability slogan, not a measured level."
        )
        rest = _strip(_METRIC_WITH_DIGITS, rest, notes, "")
        rest = _strip_versions(rest, notes)
        rest = _strip(
            _DOTTED_VERSION, rest, notes, "A version number (such as 'Python 3') is not an amount."
        )
        rest = _strip(_SERIAL, rest, notes, "")
        rest = _strip(_DATE, rest, notes, "")
    elif "end" in words:
        rest = _strip(_DATE, rest, notes, "")
    if words & _LONG_PERIODS:
        rest = _strip(_TIMEFRAME, rest, notes, "")
    has_digit = bool(_DIGIT.search(rest))
    counts_things = bool((has_digit or words & _COUNT_WORDS) and _DELIVERABLE_COUNT.search(rest))

    amount = ""
    if words & _FRACTION_HINTS:
        found = _FRACTION.search(rest)
        amount = found.group(0).strip() if found else ""
    if not amount and has_digit:
        for pattern in (_FROM_TO, _WITH_UNIT, _RATE):
            found = pattern.search(rest)
            if found:
                amount = found.group(0).strip()
                break
        else:
            amount = _comparator_level(rest).strip()
    if not amount and counts_things:
        notes.append(
            "A count of things to build or move ('4 services') says what the work is, "
            "not what it should achieve."
        )

    rest_words = _tokens(rest)
    direction = bool(rest_words & _DIRECTION_WORDS or _DIRECTION_PHRASE.search(rest))
    metric = bool(words & _METRIC_WORDS) or any(
        word not in _NOT_A_METRIC and len(word) > 1 for word in rest_words
    )
    missing = []
    if not metric:
        missing.append(_MISSING_METRIC)
    if not direction:
        missing.append(_MISSING_DIRECTION)
    if not amount:
        missing.append(_MISSING_AMOUNT)
    return Measurability(
        measurable=not missing,
        metric=metric,
        direction=direction,
        amount=amount,
        missing=tuple(missing),
        notes=tuple(notes),
    )


def is_measurable(text: str) -> bool:
    return measurability_check(text).measurable


# --- amounts in success criteria and proof --------------------------------------------------

_MONEY = re.compile(
    rf"[$\u20ac\u00a3]\s*{_NUM}|(?<![\w.]){_NUM}\s*(?:k|m|bn|thousand|million)?\s*"
    rf"(?:usd|eur|gbp|chf|dollars?|euros?|pounds?|cents?)\b",
    _I,
)
_BUDGET_NUMBER = re.compile(
    rf"(?<![\w.]){_NUM}\s*(?:k|m)?\b.{{0,30}}\b(?:budget|a\s+month|per\s+month|a\s+year|per\s+year"
    rf"|per\s+request|per\s+call|per\s+1k|per\s+query)\b"
    rf"|\b(?:budget|cap|limit|ceiling)\s+(?:of\s+)?{_NUM}",
    _I,
)
_LEVEL = re.compile(
    rf"(?<![\w.@-]){_NUM}\s*(?:%|percent\b|ms\b|s\b|seconds?\b|points?\b)?|\b(?:zero|no)\b", _I
)


def names_amount_of_money(text: str) -> bool:
    """A cost limit names an amount: "$3k a month", "EUR 0.02 per request", "2,000 budget"."""
    text = text or ""
    return bool(_MONEY.search(text) or _BUDGET_NUMBER.search(text))


def names_metric_and_level(text: str) -> bool:
    """An AI-quality criterion names a metric and the level it must reach:
    "MAPE below 15%", "precision above 0.9", "hallucination rate under 2%"."""
    text = text or ""
    rest = _METRIC_WITH_DIGITS.sub(" metric ", text)
    if not _LEVEL.search(_strip_versions(rest, [])):
        return False
    words = [w for w in _WORD.findall(rest) if w.lower() not in _NOT_A_METRIC and len(w) > 1]
    return bool(_tokens(text) & _METRIC_WORDS) or len(words) >= 1


def number_with_unit(text: str) -> str:
    """The first number with a unit (or a baseline-to-result phrase) in a text, or ""."""
    text = text or ""
    rest = _strip_versions(_DATE.sub(" ", text), [])
    for pattern in (_WITH_UNIT, _RATE):
        found = pattern.search(rest)
        if found:
            return found.group(0).strip()
    return _comparator_level(rest).strip()


_PLACEHOLDER = re.compile(
    r"^(?:tbd|tba|tbc|todo|to\s?do|n/?a|na|none|nothing|unknown|later|soon|pending|wip|xxx*"
    r"|-+|\.+|\?+|same|see\s+above|as\s+above|same\s+as\s+above|etc|ok|yes|no|maybe"
    r"|to\s+be\s+(?:decided|defined|determined|confirmed|agreed|discussed|done)(?:\s+later)?"
    r"|will\s+(?:decide|define|confirm|add)(?:\s+\w+)?(?:\s+later)?|not\s+sure|ask\s+\w+"
    r"|fill\s+in\s+later|coming\s+soon|standard|the\s+usual|normal|default)[.!\s]*$",
    _I,
)


def is_placeholder(text: str, *, min_words: int = 3) -> bool:
    """True for "tbd", "n/a", "later", "-" and for text shorter than `min_words` words: a field
    that is filled but says nothing."""
    text = " ".join(str(text or "").split())
    if not text or _PLACEHOLDER.match(text):
        return True
    return len(_WORD.findall(text)) < min_words
