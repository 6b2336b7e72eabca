"""Agent names as a careful reader finds them: every line outside fences, with its evidence.

The block recognisers in `delegation` read the conventional delegation forms and the text that
says *when*. This reader works a level below: it scans each line for written names (`@x`,
`subagent_type="x"`, kebab ids, Title-Case roles, "the x agent") and keeps a name when the
writing around it says it is an agent another agent works with. The evidence is local:

* a strong form: `@name`, `subagent_type="name"`, `name agent(s)`, a kebab id ending in `-agent`;
* a verb right before the name ("hand off to", "handled by", "that's for", "route to", "use",
  "pair with", an arrow, `AGENT:`) or right after it ("decides", "reviews", "has been invoked");
* structure: the name leads a list item or paragraph (`- **x** — ...`) in a block whose heading
  or lead-in speaks of agents, delegation or collaboration; a table column about agents; a
  relation label (`**Handoff from**: A, B`);
* for a Title-Case role in prose, being a multi-word role noun ("Reality Checker").

The section's role is one piece of evidence, never a gate. Weak forms ("query context
manager", a bare kebab word) become `Mention`s that the linker keeps only when the build has an
agent of that name.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache, partial
from itertools import accumulate
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Callable, Iterator

from agentc.compiler import lazyre, native
from agentc.compiler.frozen import lean
from agentc.compiler.lazyre import lazy_compile

if TYPE_CHECKING:
    from ahocorasick_rs import AhoCorasick

# ---------------------------------------------------------------------------------------------
# the front end's one memo

class MemoPy:
    """`fn(arg)`, kept by `arg` while fewer than `most` answers are kept (`fn` must be pure, `arg`
    hashable); past that, a new argument's answer is given and not kept. The reference of `Memo`
    in compiler/_mentions.c (a dict behind a vectorcall), which `memo` makes when built.

    The front end's one-argument caches are memos (`role_like`, `normal`, `references._title_ctx`,
    `_lead_says`, structure's title and label tests, `delegation._columns`...): Python and the C
    modules that take them as arguments (_judge.c, _mentions.c, _markdown.c) call the same object
    and share its answers. A call through functools.lru_cache cost ~0.8-1.3K instructions a hit,
    and the C modules had each kept the answers again in front of it (three copies of one memo).
    Here, not in a module of its own: importing one more module cost every process ~0.4M
    instructions."""

    __slots__ = ("__wrapped__", "most", "_said")

    def __init__(self, fn: Callable[[Any], Any], most: int) -> None:
        if not callable(fn) or not isinstance(most, int) or most < 0:
            raise TypeError("Memo(fn: callable, most: int >= 0)")
        self.__wrapped__ = fn
        self.most = most
        self._said: dict = {}

    def __call__(self, arg: Any, /) -> Any:
        said = self._said
        try:
            return said[arg]
        except KeyError:
            pass
        got = self.__wrapped__(arg)
        if len(said) < self.most:
            said[arg] = got
        return got

    def __len__(self) -> int:
        """The number of answers kept."""
        return len(self._said)


Memo: Any = getattr(native.load("_mentions", "Memo"), "Memo", MemoPy)


def memo(most: int) -> Callable[[Callable[[Any], Any]], Any]:
    """The decorator: a pure one-argument function made a `Memo` keeping at most `most` answers."""
    return lambda fn: Memo(fn, most)


HYPHENS = "\u2010\u2011\u2012\u2212"
_H = HYPHENS + r"\-"


@lean(frozen=True)
class Hit:
    """One name on one line, with the evidence that made it count."""

    target: str  # lowercase-hyphen form
    kind: str
    pattern: str
    col: int  # 1-based column of the name in the line
    strong: bool  # counts without the build's name index


# ---------------------------------------------------------------------------------------------
# written names

_KEBAB = rf"[A-Za-z0-9]+(?:[{_H}][A-Za-z0-9]+)+"
_TITLE_WORD = r"(?:[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*|[A-Z]{2,5}s?|[A-Z][a-z]*[A-Z]+[a-z]*)"
# Last words that make a phrase a role (an agent's name) rather than a thing.
_ROLE_TAIL = lazyre.compile(
    r"^(?:\w{2,}(?:er|or|ist)|\w*(?:ician|guardian|librarian|historian|custodian|architect|expert|analyst|assistant|"
    r"consultant|accountant|master|agent)|pro|lead|bot|guru|ops|devops|mlops|secops|steward|critic|wizard)$",
    re.I,
)
# The last two letters of every word `_ROLE_TAIL` matches, lowercase: the C title scan asks
# `role_like` only of a last word ending in one (most phrases end in "...tion", "...ing", "API";
# tests/test_mentions_native.py checks each ending of the pattern is here).
_ROLE_ENDS = ("er", "or", "st", "an", "ct", "rt", "nt", "ro", "ad", "ot", "ru", "ps", "rd", "ic")
# Words before "agent" that say which kind of agent, not which one ("the specialized agent").
_ADJECTIVE_ENDS = tuple(
    "ed ing ic al ive ous ful able ible ate ar ent ant ry specific friendly only based driven level like style "
    "aware ready agnostic facing heavy free safe demand purpose time step wide native first side end ai llm new old".split()
)
_ADJECTIVE = lazyre.compile(rf"(?:{'|'.join(_ADJECTIVE_ENDS)})$", re.I)
# ...unless the word is one of the many technical nouns with the same endings.
_THING_TAIL = frozenset(
    "server container browser compiler bundler linter formatter handler listener wrapper adapter loader "
    "router provider controller worker scheduler renderer buffer user header footer layer folder filter "
    "cluster counter marker selector iterator vector sector error mirror color colour anchor cursor "
    "descriptor connector decorator processor constructor interceptor accessor behavior behaviour tensor "
    "visitor indicator calculator parameter character center centre number order border trigger register "
    "poster banner paper matter letter water power tower cover driver timer player picker uploader "
    "downloader installer launcher helper member owner customer partner answer chapter quarter "
    "other either whether never ever over under after later integer boolean "
    "monitor sensor factor refactor actor simulator emulator transformer profiler checkpointer pointer "
    "checklist playlist allowlist wishlist blacklist whitelist denylist list exist assist persist resist insist "
    "consist twist gist dialer filer proper super hyper webpack docker upper lower inner outer outlier tier "
    "identifier modifier qualifier classifier amplifier multiplier specifier minor major rigor vigor humor honor "
    "favor labor flavor terror horror vapor decor armor razor motor rotor floor door indoor outdoor transfer offer "
    "corner lever fiber timber cluster dimmer shimmer spinner tooltip scanner sampler splitter tokenizer "
    "vectorizer embedder encoder decoder reranker retriever crawler scraper parser lexer debouncer throttler "
    "limiter balancer gateway broker".split()
)
# Compound words ending in one of these are things too ("RequestHandler", "AsyncCheckpointer").
_THING_SUFFIX = tuple(
    "handler pointer picker profiler listener renderer provider controller container transformer scheduler wrapper "
    "adapter loader router server encoder decoder tokenizer vectorizer formatter compiler bundler iterator selector "
    "accessor decorator interceptor connector descriptor processor balancer limiter scraper crawler debouncer "
    "throttler retriever embedder reranker sampler scanner splitter".split()
)
_MODIFIER = frozenset(
    "multi sub single ai llm non per cross inter meta super mini main parent child base general "
    "specialized specialised other another any each every this that the a an new custom your my our their "
    "some specific appropriate right relevant same next previous calling coordinating helper worker "
    "human external internal remote local third one two three many all primary secondary user".split()
)
_DEICTIC = frozenset(("This", "That", "These", "Those", "Your", "Our", "My", "Their", "Its"))
_TITLE_MODIFIER = frozenset(
    "other another any each every all available specialized specialised relevant appropriate right same "
    "next previous main primary secondary human external internal new custom generic senior junior".split()
)
_PLACEHOLDER_WORDS = ("x", "y", "z", "n", "xxx", "name", "id", "foo", "bar", "baz", "example", "placeholder", "some", "your",
                      "my", "tbd")
_PLACEHOLDER = lazyre.compile(rf"(?:^|-)(?:{'|'.join(_PLACEHOLDER_WORDS)})(?:-|$)")
_BRANDS = frozenset(
    "google meta microsoft aws amazon azure apple adobe chrome windows docker github gitlab claude openai "
    "anthropic slack jira notion figma hubspot salesforce shopify stripe tiktok linkedin twitter facebook "
    "instagram youtube reddit pinterest snapchat bing edge firefox safari android ios xcode vs visual "
    "unity unreal godot wordpress drupal vercel netlify heroku oracle sap ibm cisco intel nvidia".split()
)
_SELF_LEAD = lazy_compile(r"(?:\byou(?:'re| are)|\bi am|\bi'm|\bas (?:a|an|the|your)|\bact as|\bserve as|\brole\s*\**\s*:|\bpersona\s*\**\s*:|\byour)\W*(?:(?:a|an|the)\s+)?(?:\*\*)?\s*$", re.I)


@memo(8192)
def role_like(name: str) -> bool:
    """Whether a lowercase-hyphen name reads as a role ("code-reviewer"), not a thing."""
    last = name.rsplit("-", 1)[-1]
    if not _ROLE_TAIL.search(last) or last in _THING_TAIL:
        return False
    return not (len(last) > 8 and last.endswith(_THING_SUFFIX))


@memo(8192)
def normal(name: str) -> str:
    """Lowercase-hyphen form of a written name (the scorer's and the gold's normal form)."""
    t = name.strip().strip("*`\"'“”").lower()
    if not t.isascii():
        for h in HYPHENS:
            t = t.replace(h, "-")
    if t.startswith("the "):
        t = t[4:]
    if t.startswith("@"):
        t = t[7:] if t.startswith("@agent-") else t[1:]
    if " " in t or "_" in t or "\t" in t:
        t = "-".join(t.replace("_", " ").split())
    while "--" in t:
        t = t.replace("--", "-")
    return t.strip("-")


@memo(8192)
def _kebab_ok(name: str) -> bool:
    parts = name.split("-")
    if _PLACEHOLDER.search(name) or all(p.isdigit() for p in parts) or len(name) < 4:
        return False
    if parts[-1] == "agent" and len(parts) == 2 and parts[0] in _MODIFIER:
        return False  # multi-agent, sub-agent, ai-agent
    if "vs" in parts or parts.count("agent") > 1 or _ADJECTIVE.search(parts[-1]) and parts[-1] not in ("agent",):
        return False  # agent-vs-agent; framework-specific, on-demand, full-stack read as adjectives
    return name not in _NOT_AGENTS


_NOT_AGENTS = frozenset(
    "fine-tuning end-to-end real-time state-of-the-art multi-agent step-by-step built-in sub-agent sub-agents "
    "third-party one-to-one high-level low-level long-term short-term up-to-date well-defined follow-up "
    "self-hosted open-source production-ready cost-effective rule-based general-purpose".split()
)
# What `_kebab_ok` decides by, for the C kebab scan, which decides the same in C (an lru_cache'd
# call per name cost ~1300 instructions, ~100 names a 32 KB agent).
_KEBAB_RULES = (_PLACEHOLDER_WORDS, _ADJECTIVE_ENDS, _MODIFIER, tuple(sorted(_NOT_AGENTS)))


# ---------------------------------------------------------------------------------------------
# evidence

# A look-ahead on the first letters of every form (keep it in step with the words) lets the
# engine leave most positions at once, before it tries each word there: ~1.5x-4x faster.
_STRONG_BEFORE = lazyre.compile(
    r"(?=[dhpsreftalocij])(?:\b(?:delegat\w*|hand(?:s|ed|ing)?|pass(?:es|ed|ing)?|send(?:s|ing)?|sent|rout(?:e|es|ed|ing)|defer(?:s|red|ring)?|"
    r"escalat\w*|forward\w*|assign\w*|submit\w*|reassign\w*|transfer\w*|dispatch\w*|stays?|left|leave)\b[^.;!?]{0,70}?\bto"
    r"|\b(?:handled|owned|covered|done|performed|implemented|decided)\s+by"
    r"|\bthat'?s\s+(?:for|what)|\bthat\s+is\s+for|\bjob\s+(?:of|for)"
    r"|\bagent\s*:|\bdelegation\s+to|\bdelegate\s+to\s*:?|\bowner\s*:)$",
    re.I,
)


def _strong_before(head: str) -> bool:
    """`_STRONG_BEFORE` at the end of `head`. Every form it knows ends in "to", "by", "for",
    "what", "of" or ":", so a head ending in any other character is not searched: a search
    anchored at the end still tries every start position of the text before a name."""
    return bool(head) and head[-1] in "oOyYrRtTfF:" and _STRONG_BEFORE.search(head) is not None


_SOFT_BEFORE = lazy_compile(
    r"(?:\b(?:use|uses|using|used|prefer|prefers|try|run|runs|deploy\w*|invok\w*|call|calls|launch\w*|spawn\w*|"
    r"engage\w*|enable\w*|trigger\w*|involve\w*|bring\s+in|brings\s+in|loop\s+in|include|includes|ping|pings|"
    r"notify|notifies|consult\w*|ask|asks|query|queries|contact|request|check\s+with|confer\s+with|"
    r"(?:pair|pairs|paired|pairing|work|works|working|collaborat\w*|coordinat\w*|partner\w*|sync\w*|align\w*|"
    r"liais\w*|team\s+up|interface|cooperat\w*|together)\s+(?:closely\s+|directly\s+)?with|"
    r"guid(?:e|es|ing)|help(?:s|ing)?|assist(?:s|ing)?|support(?:s|ing)?|advis(?:e|es|ing)|mentor(?:s|ing)?|"
    r"(?:share|shares|sharing|provide|provides|providing|send|sends|report|reports|feed|feeds)\s+[\w\s,/-]{0,40}?(?:with|to)|"
    r"(?:receive|receives|receiving|get|gets|take|takes)\s+[\w\s,/-]{0,40}?from|"
    r"from|after|than|over|next\s+step:?\s*run|wait\s+for|hand\s+(?:it|this|them)\s+to)"
    r"|→|->|=>|⇒|>)$",
    re.I,
)
_AFTER_VERB = lazy_compile(
    r"^(?:\s|\*\*|`|[\"'”’])*(?:decides|owns|reviews|verifies|checks|implements|re-implements|already|provided|"
    r"provides|has\s+been\s+(?:invoked|run|called)|handles|plans|takes\s+over|picks\s+up|is\s+responsible|"
    r"can|will|should|must|covers|then)\b",
    re.I,
)
# "Eta-One and Eta-Two agents": a list of names that ends in "agents" makes each one an agent
_LIST_THEN_AGENT = lazyre.compile(rf"(?:\s*(?:,|\band\b|\bor\b|/|\+)\s*(?:the\s+)?(?:\*\*|`)?{_KEBAB}(?:\*\*|`)?)+(?:\s|\*\*|`)*(?:sub-?)?agents?\b", re.I)
_AGENT_AFTER = lazyre.compile(r"(?:\s|\*\*|`)*(?:sub-?)?agents?\b", re.I)
_LEAD_SEP = lazy_compile(r"^(?:\*\*|__|`)?\s*(?:\*\*|__)?\s*(?::|—|–|-\s|\||\*\*\s*[:—–])")
_JOIN = lazy_compile(r"^(?:\s|\*\*|`|@)*(?:,|/|\+|&|\band\b|\bor\b|\bvs\.?\b|>|\bover\b)(?:\s|,|\band\b|\bor\b|\*\*|`|@|\bthe\b)*$", re.I)
_LINE_MARK = lazyre.compile(r"^(?:\s|[-*+>•|]|\d+[.)]|\[[ xX]\]|❌|✅|⚠️|🚫|→|\*\*|__|`|[\"'“])*")
# The relation labels, in the order the engine tries them. `_RELATION_LABEL` groups them by first
# letter ("h(?:andoffs?...|ands?\\s+to|...)|r(?:...)"): the engine then tries 16 letters at a line's
# start, not 39 labels, ~1.6x faster. Only labels sharing a first letter compete, in their own order.
_RELATION_WORDS = (
    r"handoffs?\s+(?:from|to)", r"hand(?:s)?\s+off\s+to", r"receives?\s+from", r"delivers?\s+to", r"escalates?\s+to",
    r"collaborates?\s+with", r"works?\s+with", r"coordinates?\s+with", r"partners?\s+with", r"pairs?\s+with", r"reports?\s+to",
    r"before", r"after", r"upstream", r"downstream", r"complements?", r"delegates?\s+to", r"delegate\s+to", r"hands?\s+to",
    r"feeds?", r"feeds\s+into", r"inputs?\s+from", r"outputs?\s+to", r"consults?", r"related(?:\s+agents)?", r"see\s+also",
    r"alternatives?", r"depends\s+on", r"works?\s+well\s+with", r"pairs?\s+well\s+with", r"next(?:\s+agents?)?",
    r"followed\s+by", r"preceded\s+by", r"called\s+by", r"invoked\s+by", r"triggered\s+by", r"escalation", r"hand-?offs?",
)


def _by_first_letter(words: tuple[str, ...]) -> str:
    """`words` as one alternation factored on their first letters (each a plain lowercase letter)."""
    tails: dict[str, list[str]] = {}
    for word in words:
        tails.setdefault(word[0], []).append(word[1:])
    return "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in tails.items())


_RELATION_LABEL = lazyre.compile(
    rf"^(?:\*\*|__)?\s*(?P<label>{_by_first_letter(_RELATION_WORDS)})\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?",
    re.I,
)
_LABEL_KIND = (
    (lazy_compile(r"from|before|upstream|depends|preceded|called by|invoked by|triggered", re.I), "before"),
    (lazy_compile(r"after|downstream|feeds|outputs|next|followed", re.I), "after"),
    (lazy_compile(r"collab|work|coordinat|partner|pair|related|see also", re.I), "collaborate"),
    (lazy_compile(r"complement", re.I), "complements"),
    (lazy_compile(r"consult|alternative", re.I), "consult"),
)
_KIND_WORDS = (
    (lazy_compile(r"from$", re.I), "before"),
    (lazy_compile(r"collaborat|coordinat|work|pair|partner|sync|align|liais|team|ping|notify|loop|interface|cooperat|together|check with|"
                r"confer|guid|help|assist|support|advis|mentor|share|provide|send|feed|report", re.I), "collaborate"),
    (lazy_compile(r"consult|ask|query|contact", re.I), "consult"),
    (lazy_compile(r"^(?:from|already)|\bfrom$", re.I), "before"),
    (lazy_compile(r"next step|after$|then$|than$", re.I), "after"),
    (lazy_compile(r"\bvs\.?$|versus|over$|>$", re.I), "delegate"),
)
SKILLISH = lazy_compile(r"\bskills?\b|\bslash command|\bplugin\b|\bmcp\b|\bcommand\b|\btool\b", re.I)
DELEG_CTX = lazyre.compile(  # the look-ahead: the first letters of its words, as in `_STRONG_BEFORE`
    r"(?=[abcdehioprstuvw])(?:agents\b|sub-?agent|cross-agent|agent\s+(?:collaboration|coordination|hand-?offs?|team|roster|network|delegation|routing)|"
    r"delegat|collaborat|hand-?offs?|integration|work(?:s|ing)?\s+with|pair(?:ing)?\s+with|coordinat|escalat|"
    r"\brout(?:e|ing)\b|bring\s+in|specialist|related|defer|differs|\bvs\b|versus|comparison|workflow\s+position|"
    r"upstream|downstream|teammates|roster|\bpeers?\b|partners?|who\s+to\s+(?:call|ask)|experts|execution\s+(?:plan|order)|"
    r"assignment|orchestrat)",
    re.I,
)
_COMPARE_CTX = lazyre.compile(r"(?=[cdv])(?:differ|\bvs\b|versus|comparison|distinction|compared)", re.I)  # look-ahead: as above


def _kind_of(cue: str) -> str:
    for rx, kind in _KIND_WORDS:
        if rx.search(cue):
            return kind
    return "delegate"


class _Cand(metaclass=lean(slots=True)):
    start: int
    end: int
    target: str
    form: str  # at | at-word | sub | kebab | title | word
    bold: bool
    brand: bool = False


_AT = lazy_compile(r"@((?:agent-)?[A-Za-z][\w-]*[A-Za-z0-9])")
_SUB = lazy_compile(r"subagent_type\s*[=:]\s*[\"'`]?([A-Za-z0-9_-]+)")
# A hyphen between name characters with the name characters after it: the literal first keeps
# the engine on hyphens, and taking the rest of the run skips the hyphens inside it.
_HYPHEN_RUN = lazy_compile(r"-(?<=[A-Za-z0-9]-)[A-Za-z0-9][A-Za-z0-9-]*")
_NAME_RUN = lazy_compile(r"[A-Za-z0-9-]*")
# Two or more capitalised words. Possessive: giving back letters never lets a blank match. The
# first blank is spelled out before the repeat: the engine tries this at every capital letter
# (~1200 per agent) and most fail at that blank, before any repeat is set up (~8% faster).
_CAP_WORD = r"[A-Z][A-Za-z0-9]*+"
_TITLE = lazy_compile(rf"{_CAP_WORD} (?:& )?{_CAP_WORD}(?: (?:& )?{_CAP_WORD})*")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_NAME_CHARS = _ALNUM | {"-"}
_SKIP_WORDS = frozenset(("The", "A", "An", "Our", "Your", "Each", "Every", "This", "That", "If", "When", "Then", "Always",
                         "Never", "Use", "Ask", "Hand", "Pair", "With", "For", "After", "Before", "And", "Or", "Let", "Have",
                         "Send", "Route", "Ping", "Engage", "Query", "Only", "Once", "Both", "Via", "From", "To"))


def _candidates(line: str, self_name: str, *, sub: bool = True) -> list[_Cand]:
    """Every written name on the line, by position (see `_places`)."""
    return [_Cand(*place) for place in _places(line, self_name, sub=sub)]


def _places(line: str, self_name: str, *, sub: bool = True) -> list[tuple]:
    """Every written name on the line, by position, as the fields of its `_Cand` (a whole text's
    become objects as `_by_line` sorts them into lines). Separate scans with a literal first
    character (`@`, `-`, a capital) keep the regex engine off most of the text. `sub`: the text
    may hold "subagent_type" (False: a caller's word search found none; looking costs ~1 ns a
    character, as much as a C scan)."""
    out = _extra_places(line, sub)
    if "-" in line:
        out += [(s0, e, name, "kebab", bold, False) for s0, e, name, bold in _kebab_names(line)]
    for s0, e in _title_names(line):
        place = _title_place(line, s0, e)
        if place is not None:
            out.append(place)
    out.sort(key=_START)
    return _kept(out, self_name)


def _extra_places(line: str, sub: bool) -> list[tuple]:
    """The `subagent_type="x"` and `@x` names of the line (`_places`), by position."""
    out: list[tuple] = []
    n = len(line)
    if sub and "subagent_type" in line:
        for m in _SUB.finditer(line):
            name = normal(m.group(1))
            if _kebab_ok(name) or "-" not in name:
                out.append((m.start(1), m.end(1), name, "sub", False, False))
    if "@" in line:
        for m in _at_matches(line):
            s0 = m.start()
            if s0 and (line[s0 - 1] in _ALNUM or line[s0 - 1] in "@.`/_"):
                continue  # an e-mail address or a decorator path
            e = m.end()
            if e < n and (line[e] == "/" or line[e] == "." and e + 1 < n and line[e + 1] in _ALNUM):
                continue  # @scope/package, @example.com
            if "_" in m.group(1):
                continue  # @code_warntype, @test_call: macros and decorators
            name = normal(m.group(0))
            if "-" in name and not _kebab_ok(name):
                continue
            strong = "-" in name and (role_like(name) or "agent" in name)  # not @ts-check, @typescript-eslint
            out.append((s0, e, name, "at" if strong else "at-word", False, False))
    if len(out) > 1:
        out.sort(key=_START)
    return out


def _title_place(line: str, s0: int, e: int) -> tuple | None:
    """The place of the Title-Case phrase at line[s0:e] (`_title_names`) without its leading
    skip words ("The", "Use"), or None: a plural group, a modifier or a product name."""
    words = line[s0:e].split(" ")
    while words and words[0] in _SKIP_WORDS:
        words = words[1:]
    if len(words) < 2 or words[-1].endswith("s") and words[-1][:-1].lower() in ("agent", "team", "expert", "specialist"):
        return None  # a plural group ("Other Agents", "Sales teams")
    if words[0].lower() in _TITLE_MODIFIER or _DEICTIC.intersection(words) or words[-1] in ("Bot", "Pro", "Max", "Plus"):
        return None
    phrase = " ".join(words)
    start = e - len(phrase)
    return start, e, normal(phrase), "title", line[max(0, start - 2):start] == "**", words[0].lower() in _BRANDS


def _kept(places: list[tuple], self_name: str) -> list[tuple]:
    """`places` without the agent's own name. `_is_self` holds only for a name holding the
    agent's own name or each of its own words: one substring test leaves most names (~70 a file)
    without the call."""
    probe = _probe(self_name)
    return [c for c in places if probe not in c[2] and self_name not in c[2] or not _is_self_place(c[2], self_name)]


@memo(1024)
def _probe(self_name: str) -> str:
    """The longest of the agent's own words (`_kept`'s substring test): asked at each scan of a
    text, where max() with a key cost ~2.4K instructions."""
    return max(_own_words(self_name), key=len, default=self_name)


def _is_self_place(name: str, self_name: str) -> bool:
    """`_is_self` of a place's name (a plugin's name without its prefix)."""
    return _is_self(name.split(":")[-1], self_name)


_START = itemgetter(0)


def _at_matches(line: str) -> Iterator[re.Match]:
    """`_AT.finditer(line)`: the pattern tried at each "@" that str.find gives. Every match starts
    with "@", and finditer tried the pattern at every character of a whole file (~10 us per 32 KB
    agent, which holds an "@" or two)."""
    at = line.find("@")
    while at >= 0:
        m = _AT.match(line, at)
        if m is None:
            at = line.find("@", at + 1)
        else:
            yield m
            at = line.find("@", m.end())


def _kebab_names_py(text: str) -> list[tuple[int, int, str, bool]]:
    """The kebab names `_candidates` reads, as (start, end, name, bold): each `_HYPHEN_RUN` with the
    name characters left of its hyphen, without hyphens at either end, unless it is a file name,
    a path or a call, or no `_kebab_ok` name; a lowercase plugin prefix ("plug:x-y") joins the
    name. The C twin is `kebab_names`."""
    n = len(text)
    rev = text[::-1]  # the run of name characters left of a hyphen, matched forwards
    out = []
    for m in _HYPHEN_RUN.finditer(text):
        p, e = m.span()
        s0 = p - _NAME_RUN.match(rev, n - p).end() + n - p
        while text[e - 1] == "-":
            e -= 1
        while text[s0] == "-":
            s0 += 1
        before = text[s0 - 1] if s0 else " "
        if before in "@./\\_" or "--" in text[s0:e]:
            continue
        if e < n and (text[e] in "@_(" or text[e] in "./\\:" and e + 1 < n and text[e + 1] in _ALNUM):
            continue  # a file name, a path, a call
        name = normal(text[s0:e])
        if not _kebab_ok(name):
            continue
        start = s0
        if before == ":" and s0 > 1 and text[s0 - 2] in _NAME_CHARS:
            q = s0 - 1
            while q > 0 and text[q - 1] in _NAME_CHARS:
                q -= 1
            plug = text[q : s0 - 1]
            if plug.islower():
                name, start = f"{plug}:{name}", q
        out.append((start, e, name, text[max(0, start - 2):start] == "**"))
    return out


def _title_names_py(text: str) -> list[tuple[int, int]]:
    """The Title-Case phrases that may name an agent, as (start, end): each `_TITLE` match whose
    last word is a role ("Reality Checker") or that "agent" follows (most phrases end there:
    "Requirements Analysis"), with no name character or "_" touching it. The C twin is
    `title_names`."""
    n = len(text)
    out = []
    for m in _TITLE.finditer(text):
        s0, e = m.span()
        if not _ends_in_role(m.group()) and not _AGENT_AFTER.match(text, e):
            continue
        if s0 and (text[s0 - 1] in _NAME_CHARS or text[s0 - 1] == "_") or e < n and (text[e] in _NAME_CHARS or text[e] == "_"):
            continue
        out.append((s0, e))
    return out


@memo(8192)
def _ends_in_role(phrase: str) -> bool:
    """Whether a Title-Case phrase's last word is a role ("Reality Checker"): asked of every
    phrase of capitalised words, and most come back in the text."""
    return role_like(phrase[phrase.rfind(" ") + 1 :].lower())


_SELF_EXTRA = frozenset(("agent", "subagent", "expert", "pro", "specialist", "initial", "the", "and", "&"))


def _is_self(name: str, self_name: str) -> bool:
    """The agent's own name, also as "NumPyro Pro Agent" or "Visualization & Interface Expert"
    for `numpyro-pro` or `visualization-interface`."""
    if name == self_name or name == self_name + "-agent":
        return True
    own = _own_words(self_name)
    if not own:
        return False
    for word in own:  # a word of the name holds each own word: a substring test leaves most names at once
        if word not in name:
            return False
    words = set(name.split("-"))
    return own <= words and not (words - own - _SELF_EXTRA - {"engineer", "architect", "developer"})


@memo(1024)
def _own_words(self_name: str) -> frozenset[str]:
    """The words of an agent's own name that `_is_self` looks for (once per agent, not per name)."""
    return frozenset(self_name.split("-")) - _SELF_EXTRA


# "hand off to the research agent": one plain word and "agent" after a verb that passes work on
_WORD_AGENT = lazyre.compile(  # the look-ahead: the first letters of the verbs, as in `_STRONG_BEFORE`
    r"\b(?=[cdefhilprsu])(?:hand\w*(?:\s+\w+)?\s+off|pass\w*|send\w*|rout\w*|delegat\w*|prepar\w*|submit\w*|forward\w*|escalat\w*|"
    r"use|invoke|deploy|launch|spawn|call)\b[^.;:!?]{0,60}?\b(?:to|for|use|invoke|deploy|launch|spawn|call)\s+(?:the\s+)?"
    r"(?P<w>[a-z]{3,})\s+(?:sub-?)?agent\b(?![s\w-])"
    r"(?!\s+(?!(?:with|to|for|and|or|when|if|once|after|before|so|that|which|who|is|will|can|should|first|next|now)\b)[a-z])",
    re.I,
)
# Each verb `_WORD_AGENT` starts with holds one of these. On an ASCII line re.I is ASCII case, so
# a lowercase line without any of them cannot match; other lines are left to the regex ("ſ" is "s"
# to re.I, not to str.lower).
_PASS_ON_WORDS = ("hand", "pass", "send", "rout", "delegat", "prepar", "submit", "forward", "escalat", "use", "invoke",
                  "deploy", "launch", "spawn", "call")


def _may_pass_on(line: str, low: str) -> bool:
    """Whether `_WORD_AGENT` may match the line (`low`: it lowercased). The regex tries its lazy
    gap at each verb-like place, ~3 us a line; most lines with " agent" hold none of its verbs."""
    if not line.isascii():
        return True
    for word in _PASS_ON_WORDS:
        if word in low:
            return True
    return False


_SLASH = lazy_compile(rf"/(?={_KEBAB}(?![\w/]|\.\w))")
_SLASH_LEFT = lazy_compile(rf"(?:^|[^\w./-]){_KEBAB}$")  # the reference of `_kebab_left`


def _kebab_left(text: str, at: int) -> bool:
    """`_SLASH_LEFT.search(text, max(0, at - 80), at)`: a kebab name ends right before `at` (or
    before a "\n" there: `$`), led by the text's start or a character that is no word character,
    ".", "/" or "-", within the 80 characters before `at`. That leading character ends the run of
    name characters before the name, so the name is that whole run. The regex tried every start in
    the 80 characters (~4 us a "/"); `text` holds no non-ASCII hyphen (`_prepare` replaced them)."""
    e = at - 1 if at and text[at - 1] == "\n" else at
    r = e
    while r and text[r - 1] in _NAME_CHARS:
        r -= 1
    name = text[r:e]
    if len(name) < 3 or "-" not in name or name[0] == "-" or name[-1] == "-" or "--" in name:
        return False  # no `_KEBAB`
    if r == 0:
        return at <= 80  # `^` is the text's start, not the window's
    lead = text[r - 1]
    return r > at - 80 and not (lead.isalnum() or lead in "_./")


def prepare(text: str) -> str:
    """Text as the scanner reads it: non-ASCII hyphens as '-' and `a-x/b-y` as `a-x+b-y`,
    each one character for one, so every column stays right."""
    return _prepare(text)[0]


def _prepare(text: str) -> tuple[str, list[int]]:
    """`prepare`, and the places it changed (unsorted): a caller holding the text's lines
    remakes only the lines holding them."""
    places: list[int] = []
    if not text.isascii():
        for h in HYPHENS:
            at = text.find(h)
            if at < 0:
                continue
            while at >= 0:
                places.append(at)
                at = text.find(h, at + 1)
            text = text.replace(h, "-")
    if "/" in text and "-" in text:
        text, cuts = _slashes(text)
        places += cuts
    return text, places


def _slashes_py(text: str) -> tuple[str, list[int]]:
    """`text` with the "/" of each `a-x/b-y` as "+", and their places. The C twin is `slashes`:
    the regex and a `_kebab_left` call per match cost ~0.4 us a "/" (~36 in a 32 KB agent)."""
    cuts = [m.start() for m in _SLASH.finditer(text) if _kebab_left(text, m.start())]
    if cuts:  # pieces, not a list of every character: the text is the whole file
        parts, prev = [], 0
        for i in cuts:
            parts += (text[prev:i], "+")
            prev = i + 1
        text = "".join([*parts, text[prev:]])
    return text, cuts


def _prepared_lines_py(lines: list[str], text: str, places: list[int]) -> list[str]:
    """The lines of `text`, the prepared join of `lines`, which differs from it only at `places`:
    `lines` itself when nothing changed (most files), else a copy with the changed lines remade.
    Most changed files change one line or two ("a-x/b-y"); splitting the whole text made ~800
    strings for them."""
    if not places:
        return lines
    if len(places) > 64:  # many non-ASCII hyphens: one split costs less than a search per place
        return text.split("\n")
    out = list(lines)
    line = at = 0
    for p in sorted(places):
        line += text.count("\n", at, p)
        at = p
        start, end = text.rfind("\n", 0, p) + 1, text.find("\n", p)
        out[line] = text[start:end] if end >= 0 else text[start:]
    return out


def _prepare_join_py(lines: list[str]) -> tuple[str, list[str]]:
    """`prepare` of `lines` joined by "\n", and its lines (`_prepared_lines_py`). The C twin is
    `prepare_join`, which makes the text once: Python joins the lines, searches the whole text
    for each non-ASCII hyphen and copies it again for a "/" made "+"."""
    text, places = _prepare("\n".join(lines))
    return text, _prepared_lines_py(lines, text, places)


def candidates_by_line(lines: list[str], self_name: str, cues: tuple[str, ...] = (), triggers: tuple[str, ...] = (),
                       ) -> tuple[list[str], dict[int, list[_Cand]], set[int], set[int], set[int] | None]:
    """The prepared lines, the names on each (0-based line index), the lines holding one of
    `cues` (lowercase), those holding one of `triggers` and the lines holding a `_WEAK_HINT`
    word (None when lowercasing moved offsets), from one scan of the whole text: a scan per
    line costs more in calls than in matching. Each word is searched once even when it is both
    a cue and a look word. The prepared lines are `lines` itself when `prepare` changes nothing
    (most files), else a copy with the changed lines remade."""
    return candidates_of(*_prepare_join(lines), self_name, cues, triggers)


def candidates_of(text: str, prepared: list[str], self_name: str, cues: tuple[str, ...] = (), triggers: tuple[str, ...] = (),
                  ) -> tuple[list[str], dict[int, list[_Cand]], set[int], set[int], set[int] | None]:
    """`candidates_by_line` of lines whose prepared text and lines (`_prepare_join`) the caller
    already holds (`references.read` makes them as it walks the blocks)."""
    groups, shifted = _line_groups(text, *_words(cues, triggers))
    agent, sub, hinted, cue_lines, trigger_lines = groups
    out = _names_by_line(prepared, text, self_name, bool(sub))  # lines: as long as text's
    for i in agent:  # lines without names may still say "x agent"...
        out.setdefault(i, [])
    _weak_lines(prepared, hinted, out)  # ...or "ask y z"
    if shifted:  # lowercasing changed offsets ("İ"): every line may hold a cue
        return prepared, out, set(range(len(prepared))), set(range(len(prepared))), None
    return prepared, out, cue_lines, trigger_lines, hinted


# The groups of the words `candidates_by_line` searches for, as the bits of a word's mask: the
# lines holding a word of each group are what it reads.
_AGENT_LINES, _SUB_LINES, _HINT_LINES, _CUE_LINES, _TRIGGER_LINES = (1 << g for g in range(5))
_GROUPS = 5


@lru_cache(maxsize=8)
def _words(cues: tuple[str, ...], triggers: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[int, ...], int]:
    """The words `candidates_by_line` searches for, each once: the look words, "subagent_type"
    (whose lowercase is in every text holding it), the cues and the triggers; each word's groups
    as a mask, and the count of groups (`_line_groups`' arguments)."""
    masks: dict[str, int] = {}
    groups = ((_AGENT_LINES, ("agent",)), (_HINT_LINES, _HINT_WORDS), (_SUB_LINES, ("subagent_type",)), (_CUE_LINES, cues),
              (_TRIGGER_LINES, triggers))
    for mask, words in groups:
        for word in words:
            masks[word] = masks.get(word, 0) | mask
    return tuple(masks), tuple(masks.values()), _GROUPS


def _line_groups_py(text: str, words: tuple[str, ...], masks: tuple[int, ...], count: int,
                    ) -> tuple[list[set[int]], bool]:
    """The lines holding a word of each of `count` groups (`masks[i]` has bit g when `words[i]`
    is in group g), from `_lines_holding`, and whether lowering moved offsets. The C twin is
    `line_groups`, which makes no list per word."""
    holding, shifted = _lines_holding(text, words)
    groups: list[set[int]] = [set() for _ in range(count)]
    for word, mask in zip(words, masks, strict=True):
        for g, lines in enumerate(groups):
            if mask >> g & 1:
                lines.update(holding[word])
    return groups, shifted


def _line_groups_native(text: str, words: tuple[str, ...], masks: tuple[int, ...], count: int,
                        ) -> tuple[list[set[int]], bool]:
    """`_line_groups_py` by the C `line_groups`, or by Python where it declines ("İ" or the
    Kelvin sign in the text)."""
    found = _NATIVE.line_groups(text, words, masks, count)
    return (found, False) if found is not None else _line_groups_py(text, words, masks, count)


def _names_by_line_py(lines: list[str], text: str, self_name: str, sub: bool) -> dict[int, list[_Cand]]:
    """The names of `text`, the prepared join of `lines`, by line (`_places`, `_by_line`). The C
    twin is `names_by_line`, which runs the scans and the steps between them in one call."""
    return _by_line(lines, _places(text, self_name, sub=sub), _Cand)


def _names_by_line_native(lines: list[str], text: str, self_name: str, sub: bool) -> dict[int, list[_Cand]]:
    """`_names_by_line_py` by the C `names_by_line`, or by Python where it declines (names not in
    order of place: a plugin prefix reaching before an earlier name)."""
    found = _NATIVE.names_by_line(_NAMES_ENV, lines, text, self_name, _probe(self_name), _extra_places(text, sub))
    return _names_by_line_py(lines, text, self_name, sub) if found is None else found


def _by_line_py(lines: list[str], places: list[tuple], make: type = _Cand) -> dict[int, list[_Cand]]:
    """The names found in a whole text (`_places` of `lines` joined by "\n") by line (0-based),
    each made a `make` (a `_Cand`) at its line's columns. The names come by place and none spans
    a line end: the walk goes on over the lines' lengths, where counting the text's "\n" read
    every character of it. The C twin is `by_line`, which sets the slots (`make.__slots__`, the
    place's fields in order) rather than calling the class."""
    out: dict[int, list[_Cand]] = {}
    line = begin = 0  # the last name's line and where that line starts
    for start, end, *rest in places:
        while start > begin + len(lines[line]):
            begin += len(lines[line]) + 1
            line += 1
        out.setdefault(line, []).append(make(start - begin, end - begin, *rest))
    return out


def _lines_holding(text: str, words: tuple[str, ...]) -> tuple[dict[str, list[int]], bool]:
    """`_holding` of the lowered text, and whether lowering changed the text's length ("İ").
    With the C scans built, only a text the C `line_groups` declines ("İ", the Kelvin sign) comes
    here, so a C search per word would decline too: this is Python only."""
    low = _lowered(text)
    # "İ" lowers to two characters: the places found are the lowered text's, so are its lines
    return _holding(low, words), len(low) != len(text)


def _lowered(text: str) -> str:
    """`text.lower()` as far as `_holding`'s words can tell: they are ASCII letters and signs.

    On a text holding any non-ASCII character (most agents: "→", "✅"), str.lower takes Python's
    full Unicode path for every character (~0.05 ms per 32 KB agent); bytes.lower lowers the
    ASCII letters alone in a tight loop and keeps every other character, so the text keeps its
    length. A non-ASCII letter matches no word either way, except the two whose lowercase holds
    an ASCII letter ("İ" is "i̇", the Kelvin sign "k"): a text holding one takes str.lower."""
    if text.isascii() or "\u0130" in text or "\u212a" in text:
        return text.lower()
    return text.encode().lower().decode()


@lru_cache(maxsize=8)
def _searcher(words: tuple[str, ...]) -> AhoCorasick:
    """One automaton for every word `_holding` looks for (built once: the words are constants).
    Imported here: with the C search built, only a text holding "İ" or the Kelvin sign comes
    this way, and most builds never pay the import (~0.5 ms a process)."""
    from ahocorasick_rs import AhoCorasick

    return AhoCorasick(words)  # the standard match kind: the only one that finds overlapping words


def _holding(low: str, words: tuple[str, ...]) -> dict[str, list[int]]:
    """The lines holding each word, in order, from one pass of a native multi-word search over
    the whole text. It finds every place of every word ("with" inside "work with" too) in
    ~0.08 ms per 32 KB, where a `str.find` pass per word cost ~0.45 ms for the ~40 words. A
    place's line is the number of "\\n" before it."""
    starts = list(accumulate(map((1).__add__, map(len, low.split("\n"))), initial=0))  # each line's offset
    out: dict[str, list[int]] = {word: [] for word in words}
    for k, at, _ in _searcher(words).find_matches_as_indexes(low, overlapping=True):
        found = out[words[k]]
        line = bisect_right(starts, at) - 1
        if not found or found[-1] != line:  # one entry per line: a word's places come in order
            found.append(line)
    return out


def _native() -> Any:
    """The C scans (compiler/_mentions.c, built by `pip install` when a C compiler is there), or
    None: not built, or AGENTC_PURE_PYTHON set (to anything but 0) to scan in Python only.
    `line_groups` gives what `_line_groups_py` gives without a lowered copy or a Python object per
    match; `title_names` and `kebab_names` what `_title_names_py` and `_kebab_names_py`
    give, `weak_phrases` what `_weak_phrases_py` gives for an ASCII line, without the regex
    engine or a Python step per place, `by_line` what `_by_line_py` gives in one walk over the
    text and without running `_Cand.__init__`, `slashes` what `_slashes_py` gives and `prepare_join` what
    `_prepare_join_py` gives (tests/test_mentions_native.py compares them)."""
    return native.load("_mentions", "line_groups", "title_names", "kebab_names", "kebab_ok", "weak_phrases", "weak_lines", "by_line",
                       "slashes", "prepare_join", "names_by_line")


_NATIVE = _native()
# The C scans take the Python word tests as arguments (each list stays in one place).
_title_names = partial(_NATIVE.title_names, role_like, _AGENT_AFTER.match, _ROLE_ENDS) if _NATIVE else _title_names_py
_kebab_names = partial(_NATIVE.kebab_names, _KEBAB_RULES) if _NATIVE else _kebab_names_py
_by_line = _NATIVE.by_line if _NATIVE else _by_line_py
_slashes = _NATIVE.slashes if _NATIVE else _slashes_py
_prepare_join = _NATIVE.prepare_join if _NATIVE else _prepare_join_py
# What compiler/_mentions.c's `names_by_line` decides by (each rule stays in one place here).
_NAMES_ENV = (_KEBAB_RULES, role_like, _AGENT_AFTER.match, _ROLE_ENDS, _title_place, _is_self_place, _Cand, "kebab")
_names_by_line = _names_by_line_native if _NATIVE else _names_by_line_py
_line_groups = _line_groups_native if _NATIVE else _line_groups_py


def inert(line: str, cands: list[_Cand]) -> bool:
    """Whether `scan_line` surely finds nothing on a line that is outside a block about agents
    and holds no weak-name hint word: every name on it is a kebab word that is no role
    ("production-grade", which `_judge` leaves at once there) and the line holds neither
    "agent" nor a relation label. A third of the lines with names are so; their readers skip
    the call."""
    for c in cands:
        if c.form != "kebab" or role_like(c.target.split(":")[-1]):
            return False
    if "agent" in line.lower():
        return False
    return ":" not in line or _RELATION_LABEL.match(line[_LINE_MARK.match(line).end():]) is None


def scan_line(line: str, *, ctx: bool, compare: bool, self_name: str, lead_ok: bool = True,
              target_cols: tuple[tuple[int, int], ...] = (), first_cell: tuple[int, int] | None = None,
              skill_ctx: bool = False, cands: list[_Cand] | None = None, weak_hint: bool | None = None,
              ) -> tuple[list[Hit], list[tuple[int, tuple[str, ...], str]]]:
    """The agent names one line holds, and the weak ones (col, words, kind) left to the linker.
    `ctx`: the block speaks of agents or delegation; `target_cols`: character ranges of table
    cells in a column about agents; `first_cell`: the range of a row's first cell. A line whose
    names and hint the caller found (every line `references.scan` reads) goes to the C twin when
    built (compiler/_judge.c); `_scan_line_py` is the reference."""
    if _native_scan is not None and cands is not None and weak_hint is not None:
        return _native_scan(line, cands, ctx, compare, self_name, lead_ok, target_cols, first_cell, skill_ctx, weak_hint)
    return _scan_line_py(line, ctx=ctx, compare=compare, self_name=self_name, lead_ok=lead_ok, target_cols=target_cols,
                         first_cell=first_cell, skill_ctx=skill_ctx, cands=cands, weak_hint=weak_hint)


def _scan_line_py(line: str, *, ctx: bool, compare: bool, self_name: str, lead_ok: bool = True,
                  target_cols: tuple[tuple[int, int], ...] = (), first_cell: tuple[int, int] | None = None,
                  skill_ctx: bool = False, cands: list[_Cand] | None = None, weak_hint: bool | None = None,
                  ) -> tuple[list[Hit], list[tuple[int, tuple[str, ...], str]]]:
    """`scan_line` in Python: the reference of compiler/_judge.c's `scan_line`, and the way for
    any other line. The regex tests (`_relation`, `_soft_kind`, ...) are the C twin's too."""
    if cands is None:
        line = prepare(line)
        cands = _candidates(line, self_name)
    low = line.lower()
    agentish = "agent" in low
    if weak_hint is None:  # else the caller already knows from `candidates_by_line`
        weak_hint = _WEAK_HINT.search(low) is not None
    if not cands and not agentish:  # only a spaced name after a verb can be here
        if not weak_hint or skill_ctx or ("skill" in low or "command" in low or "plugin" in low or "tool" in low
                                          or "mcp" in low) and SKILLISH.search(line):
            return [], []
        return [], _phrase_weak(line)
    hits: list[Hit] = []
    lead_end, rel = 0, None
    if cands:  # the line's lead and a relation label matter only to the names judged below
        lead_end = _LINE_MARK.match(line).end()
        rel = _relation(line, lead_end, ctx) if ":" in line else None  # every label ends in a colon
    skill_line = skill_ctx or (("skill" in low or "command" in low or "plugin" in low or "tool" in low or "mcp" in low)
                               and bool(SKILLISH.search(line)) and not agentish)
    prev: tuple[_Cand, Hit | None] | None = None
    weak: list[tuple[int, tuple[str, ...], str]] = []
    for c in cands:
        kind = rel[1] if rel and c.start >= rel[0] else None
        if kind == "kebab-role-only":
            kind = rel[2] if c.form == "kebab" and role_like(c.target.split(":")[-1]) else None
        hit = _judge(line, c, cands, prev, ctx=ctx, compare=compare, lead_end=lead_end, lead_ok=lead_ok,
                     rel_kind=kind, target_cols=target_cols,
                     first_cell=first_cell, skill_line=skill_line, agentish=agentish)
        prev = (c, hit)
        if hit is not None:
            hits.append(hit)
        elif (c.form in ("kebab", "title", "at-word") and not skill_line
              and (c.form != "kebab" or role_like(c.target.split(":")[-1])) and not _in_paren_qualifier(line, c)):
            weak.append((c.start + 1, tuple(c.target.split(":")[-1].split("-")) if c.form == "title" else (c.target,),
                         _cue_kind(line[: c.start])))
    if agentish and (" agent" in low or " subagent" in low) and _may_pass_on(line, low):
        hits += _word_agents(line, hits, self_name)
    phrases = weak_phrases(line) if not skill_line and weak_hint else None
    if phrases:  # most lines hold none: the columns taken are gathered only when one is found
        weak += _more_weak(phrases, hits, weak)
    return hits, weak


_STATE_LABELS = frozenset(("before", "after", "upstream", "downstream", "alternative", "alternatives", "feeds", "next"))


def _relation(line: str, lead_end: int, ctx: bool) -> tuple[int, str, str] | None:
    """The relation label leading a line ("**Handoff from**: "), as (where its text starts, the
    kind it gives the names after it, the kind of its words), or None. Outside a block about
    agents a label that also compares states ("- After: R-hat < 1.01") gives "kebab-role-only":
    only a role name after it counts, with the label's own kind."""
    rel = _RELATION_LABEL.match(line[lead_end:])
    if rel is None:
        return None
    label = rel.group("label").lower()
    own = next((k for rx, k in _LABEL_KIND if rx.search(label)), "delegate")
    return lead_end + rel.end(), "kebab-role-only" if not ctx and label in _STATE_LABELS else own, own


def _phrase_weak(line: str) -> list[tuple[int, tuple[str, ...], str]]:
    """The line's weak phrases as weak names (col, words, kind)."""
    return [(col, words, _kind_of(cue)) for col, words, cue in weak_phrases(line)]


def _more_weak(phrases: list, hits: list[Hit], weak: list) -> list[tuple[int, tuple[str, ...], str]]:
    """The weak names of `phrases` at columns no hit or weak name of the line already holds."""
    taken = {h.col for h in hits} | {w[0] for w in weak}
    return [(col, words, _kind_of(cue)) for col, words, cue in phrases if col not in taken]


def _word_agents(line: str, hits: list[Hit], self_name: str) -> list[Hit]:
    """"hand off to the research agent": the hits `_WORD_AGENT` gives at columns `hits` leave free."""
    taken = {h.col for h in hits}
    out = []
    for m in _WORD_AGENT.finditer(line):
        w = m.group("w").lower()
        if m.start("w") + 1 not in taken and w not in _MODIFIER and not _ADJECTIVE.search(w) and w != self_name:
            out.append(Hit(f"{w}-agent", _cue_kind(line[: m.start("w")]), "M word-agent", m.start("w") + 1, True))
    return out


_QUALIFIED = lazy_compile(rf"{_KEBAB}(?:\*\*|`)?\s*\($")


def _in_paren_qualifier(line: str, c: _Cand) -> bool:
    """`rho-agent (mobile-suite)`: a single word in parentheses right after a name qualifies it."""
    if "(" not in line:
        return False
    before = line[:c.start].rstrip()
    after = line[c.end:].lstrip()
    if not (before.endswith("(") and after.startswith(")")):
        return False
    return bool(_QUALIFIED.search(before))


def _judge(line: str, c: _Cand, cands: list[_Cand], prev, *, ctx: bool, compare: bool, lead_end: int, lead_ok: bool,
           rel_kind: str | None, target_cols, first_cell, skill_line: bool, agentish: bool = True) -> Hit | None:
    """The evidence for one name (`agentish`: the line holds "agent", which every "x agent" form needs)."""
    name, form = c.target, c.form
    role = form != "at-word" and role_like(name.split(":")[-1])
    if form == "kebab" and not (role or agentish or ctx or rel_kind):
        return None  # a kebab word that is no role counts only by "agent" on its line, a relation label or a
        # delegation verb in a block about agents (all below): most ("gpt-4o", "real-time") end here
    before = line[: c.start]
    after = line[c.end:]
    col = c.start + 1
    agent_after = agentish and (_AGENT_AFTER.match(after) or (form == "kebab" and _LIST_THEN_AGENT.match(after)))
    if _in_paren_qualifier(line, c):
        return None
    # strong forms
    if form in ("sub", "at"):
        return Hit(name, "delegate", f"M {form}-mention", col, True)
    if _in_command(line, c):
        return None
    if form == "at-word":
        return None  # "@pterm" may be a person; the linker keeps it when the build has that agent
    if agent_after and form == "kebab":
        return Hit(name, _cue_kind(before), "M name-agent", col, True)
    if agent_after and form == "title" and role:
        return Hit(name + "-agent", _cue_kind(before), "M name-agent", col, True)
    if form == "kebab" and name.endswith("-agent") and not skill_line:
        return Hit(name, _cue_kind(before), "M agent-id", col, True)
    if skill_line and form == "kebab":
        return None
    if not role:
        if rel_kind is not None and form == "kebab" and _JOIN_OR_START.match(line[_rel_start(line, c, cands):c.start]):
            return Hit(name, rel_kind, "M relation label", col, True)  # "**Before**: zeta-one"
        if form == "kebab" and ctx and _strong_before(_head(before).rstrip()):
            return Hit(name, "delegate", "M delegation verb", col, True)
        return None
    # list continuation: "a, b and c" share the evidence of the first
    if prev is not None and prev[1] is not None and _JOIN.match(line[prev[0].end : c.start]):
        return Hit(name, prev[1].kind, prev[1].pattern, col, True)
    if _ANY_ONE.search(before[-8:]):
        return None  # "use a code-reviewer": any one of a kind, not a named agent
    head = _head(before)
    # table structure
    for lo, hi in target_cols:
        if lo <= c.start < hi:
            return Hit(name, "delegate", "M table column", col, True)
    if (first_cell and first_cell[0] <= c.start < first_cell[1] and not line[first_cell[0]:c.start].strip(" *`_")
            and not _AGENT_AFTER.sub("", line[c.end:first_cell[1]]).strip(" *`_")):
        return Hit(name, "compare" if compare else "collaborate", "M table row", col, True)
    if rel_kind is not None:
        return Hit(name, rel_kind, "M relation label", col, True)
    if _strong_before(head.rstrip()):
        return Hit(name, "delegate", "M delegation verb", col, True)
    if _COMPARED.match(after) and any(x.start > c.end for x in cands):
        return Hit(name, "delegate", "M preference", col, True)  # "prefer x over y", "(x > y)"
    # names leading a line (or a bold lead) in a block about agents
    lead_sep = _LEAD_SEP.match(after) if c.start <= lead_end + 2 else None
    if lead_sep:
        if not after[lead_sep.end():].strip(" *_:`"):
            return None  # "**Infrastructure & DevOps:**" heads a group; it names none
        if lead_ok and (ctx or compare) and not c.brand:
            return Hit(name, "compare" if compare else "delegate", "M lead name", col, True)
        return None  # a bold term leading a capability bullet
    if c.brand or _SELF_LEAD.search(before[-60:]):
        return None  # "Google Tag Manager", "You are a Senior Engineer"
    kind = _soft_kind(head, form)
    if kind is not None:
        return Hit(name, kind, "M verb", col, True)
    # J1 / J13: a role in prose doing something ("X decides", "X reviews", "The X can")
    kind = _role_verb(after)
    if kind is not None:
        return Hit(name, kind, "M role-verb", col, True)
    if form == "title" and _title_in_prose(before, after):
        return Hit(name, "delegate", "M role name", col, True)
    return None


def _soft_kind(head: str, form: str) -> str | None:
    """The kind a softer verb right before a name gives ("use", "pair with", "→"), or None."""
    soft = _SOFT_BEFORE.search(head.rstrip())
    if soft and not (form == "title" and _NOT_FOR_TITLE.search(soft.group(0))):
        return _kind_of(soft.group(0))
    return None


def _role_verb(after: str) -> str | None:
    """The kind a verb right after a role gives ("X decides", "X reviews"), or None."""
    if _AFTER_VERB.match(after):
        return "after" if _CHECKS.match(after) else "delegate"
    return None


_ANY_ONE = lazyre.compile(r"\b(?:a|an)\s+(?:\*\*|`)?$", re.I)
_NOT_FOR_TITLE = lazy_compile(r"using|from|than|over|>$|→$", re.I)
_CHECKS = lazy_compile(r"\W*(?:reviews?|verif|checks?)", re.I)
_COMPARED = lazy_compile(r"^(?:\*\*|`)?\s*(?:>|over\b|instead of\b|rather than\b)", re.I)
_JOIN_OR_START = lazy_compile(r"^(?:\s|\*\*|`|,|/|\+|&|\band\b|\bor\b)*$", re.I)


def _head(before: str) -> str:
    """The text before a name without the markup, quotes and "the" right before it (the last
    120 characters: every cue is shorter, and `$`-anchored searches cost per character)."""
    b = before[-120:]
    while True:
        n = len(b)
        b = b.rstrip(" \t*_`\"'“”‘’([")
        if b[-4:].lower() == " the" or len(b) == 3 and b.lower() == "the":
            b = b[:-3]
        if len(b) == n:
            return b


def _rel_start(line: str, c: _Cand, cands: list[_Cand]) -> int:
    """Where the text after a relation label's colon starts, or the previous name's end."""
    prev_end = max((x.end for x in cands if x.end <= c.start), default=-1)
    colon = line.rfind(":", 0, c.start)
    return max(prev_end, colon + 1)


def _in_command(line: str, c: _Cand) -> bool:
    """`task-master show <id>`: a name inside backticks followed by more words is a command."""
    if line.count("`", 0, c.start) % 2 == 0:
        return False
    close = line.find("`", c.end)
    return close > c.end and bool(line[c.end:close].strip())


def _title_in_prose(before: str, after: str) -> bool:
    """A multi-word Title-Case role as a proper name: in a parenthesised list, as an addressee
    (`X: please`) or right after a preposition that points at someone."""
    if _IN_PAREN_LIST.search(before) and _PAREN_LIST_GOES_ON.match(after):
        return True
    if _ADDRESSED.match(after):
        return True
    return bool(_POINTED_AT.search(before))


_IN_PAREN_LIST = lazy_compile(r"\(\s*(?:[A-Z][\w&]*(?:\s+[A-Z&][\w&]*)*\s*,\s*)*$")
_PAREN_LIST_GOES_ON = lazy_compile(r"^\s*(?:,|\))")
_ADDRESSED = lazy_compile(r"^\s*:\s*(?:please|can you|could you)", re.I)
_POINTED_AT = lazy_compile(r"\b(?:after|before|ask|tell|let|have|loop in|notify)\s+(?:the\s+)?$", re.I)


def _cue_kind(before: str) -> str:
    """The kind of link the words right before a name give. Each test asks first for the end
    its pattern needs: a search anchored at the end tries every start position of the text
    (a line holds no newline, so "$" is the end)."""
    b = before.rstrip(" *`\"'(").lower()
    if b.endswith(("from", "by")):
        return "before"
    if b.endswith(("with", "ping")) and _WITH_CUE.search(b):
        return "collaborate"
    if ("consult" in b or b.endswith(("ask", "query"))) and _ASK_CUE.search(b):
        return "consult"
    return "delegate"


_WITH_CUE = lazy_compile(r"collaborat\w*\s+with$|coordinat\w*\s+with$|work\w*\s+with$|pair\w*\s+with$|align\w*\s+with$|ping$")
_ASK_CUE = lazy_compile(r"(?:consult\w*|ask|query)$")


# Lines that can hold a spaced role name after a verb ("query context manager", "hand ... to the
# training engineer"); a plain substring search, as most lines hold none of these words.
_WEAK_HINT = lazy_compile(r"query|queries|ask|consult|notify|ping|hand|pass|send|rout|delegat|escalat|engage|involve|invok|"
                        r"pair|collaborat|coordinat|work with|sync with|loop in")
_HINT_WORDS = tuple(_WEAK_HINT.pattern.split("|"))  # the pattern is literal words: a line holds a hint iff it holds one
_LOOK_WORDS = ("agent", *_HINT_WORDS)
_WEAK_VERBS = ("query", "queries", "ask", "asks", "consult", "consults", "notify", "ping", "to", "with", "use", "using",
               "invoke", "engage", "involve")
_WEAK = lazyre.compile(
    rf"\b(?:{'|'.join(_WEAK_VERBS)})\s+(?:the\s+)?"
    r"(?P<words>(?!the\s)[a-z][a-z0-9]*(?:\s+[a-z][a-z0-9]*){1,3})(?![\w-])",
)


def weak_phrases(line: str) -> list[tuple[int, tuple[str, ...], str]]:
    """Lowercase phrases after a verb ("Query context manager for scope"): (col, words, cue).
    They count only when the linker finds an agent of that name in the build. An ASCII line
    (most) goes to the C scan when built: lowering keeps its places, and its blanks and word
    characters are the ASCII ones. So does a line whose only non-ASCII characters are signs
    ("→", "✅", emoji), each as "?" (`_signs_only`)."""
    if _native_weak is not None:
        if line.isascii():
            return _native_weak(line)
        if _signs_only(line):
            return _native_weak(line.encode("ascii", "replace").decode("ascii"))
    return _weak_phrases_py(line)


_ASCII_BYTES = bytes(range(128))
_WORD_OR_BLANK = lazyre.compile(r"[\w\s]")


def _signs_only(line: str) -> bool:
    """Whether no non-ASCII character of the line is a word character or a blank: to `_WEAK`
    each such sign is then what "?" is (neither those nor "-"), and lowering keeps it one
    character that is no ASCII letter (only "İ" and the Kelvin sign, both letters, lower to
    ASCII). The non-ASCII characters are taken from the UTF-8 bytes without the ASCII ones: a
    regex class of non-ASCII word characters costs a Unicode lookup per character of the line."""
    return _WORD_OR_BLANK.search(line.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
                                 .decode("utf-8", "surrogatepass")) is None


def _weak_phrases_py(line: str) -> list[tuple[int, tuple[str, ...], str]]:
    """`weak_phrases` by the regex: the reference, and the way for a line that is not ASCII. The
    C twin is `weak_phrases` (ASCII lines only)."""
    out = []
    for m in _WEAK.finditer(line.lower()):
        words = m.group("words").lower().split()
        for end in range(1, len(words)):
            if role_like(words[end]):  # up to the role noun: "context manager", "training engineer"
                out.append((m.start("words") + 1, tuple(words[: end + 1]), m.group(0).split()[0].lower()))
                break
    return out


_native_weak = partial(_NATIVE.weak_phrases, role_like, _WEAK_VERBS) if _NATIVE else None


def _weak_lines_py(lines: list[str], hinted: set[int], names: dict[int, list]) -> None:
    """An empty list in `names` for each line of `hinted` (0-based) that has none there and holds
    a weak phrase: on a line with neither a name nor "agent", only such a phrase ("ask y z") can
    count, and most hint words start none. The C twin is `weak_lines`, which scans an ASCII line
    only up to its first phrase and makes none."""
    for i in hinted:
        if i not in names and weak_phrases(lines[i]):
            names[i] = []


_weak_lines = partial(_NATIVE.weak_lines, role_like, _WEAK_VERBS, weak_phrases) if _NATIVE else _weak_lines_py
# What compiler/_mentions.c's `reading` (references.read's layout and `candidates_of` in one call)
# decides by, besides `_NAMES_ENV`: the weak lines' tests and the places `_extra_places` gives.
_READ_ENV = (_NAMES_ENV, role_like, _WEAK_VERBS, weak_phrases, _extra_places)


# The Python tests compiler/_judge.c calls (the regexes, `role_like`, `Hit`, ...: each stays in one
# place), in the order of its `E_*` names.
JUDGE_ENV = (
    role_like, Hit, _relation, SKILLISH, _AGENT_AFTER, _LIST_THEN_AGENT, _QUALIFIED, _JOIN_OR_START, _STRONG_BEFORE,
    _JOIN, _ANY_ONE, _COMPARED, _LEAD_SEP, _SELF_LEAD, _soft_kind, _role_verb, _title_in_prose, _cue_kind,
    _word_agents, weak_phrases, _native_weak or weak_phrases, _more_weak, _phrase_weak, _RELATION_LABEL,
)


def _native_judge(name: str = "scan_line") -> Any:
    """compiler/_judge.c's `scan_line` (or `inert`) bound to `JUDGE_ENV`, or None: not built, or
    AGENTC_PURE_PYTHON set. tests/test_judge_native.py compares them with `_scan_line_py` and `inert`."""
    module = native.load("_judge", "scan_line", "inert")
    if module is None:
        return None
    return partial(getattr(module, name), JUDGE_ENV)


def _judge_line_py(line: str, cands: list[_Cand], ctx: bool, compare: bool, self_name: str, lead_ok: bool,
                   target_cols: tuple[tuple[int, int], ...], first_cell: tuple[int, int] | None, skill_ctx: bool,
                   weak_hint: bool) -> tuple[list[Hit], list[tuple[int, tuple[str, ...], str]]]:
    """`scan_line` of a line whose names and hint are known, its arguments in order."""
    return _scan_line_py(line, ctx=ctx, compare=compare, self_name=self_name, lead_ok=lead_ok, target_cols=target_cols,
                         first_cell=first_cell, skill_ctx=skill_ctx, cands=cands, weak_hint=weak_hint)


_native_scan = _native_judge()
# What `references.scan` calls for each line it reads (a keyword call through `scan_line` cost
# about as much as the C work of a short line): the C twins when built.
judge_line = _native_scan or _judge_line_py
inert_line = _native_judge("inert") or inert
