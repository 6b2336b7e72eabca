"""Extraction rules (issue 11): each delegation form is found, and a look-alike line beside it is
not; then the evidence rules of the other fields. Agents are written inline, one rule each."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc import api


def build(body: str, *, name: str = "lead-agent", description: str = "Leads the work.", **others: str):
    """The linked project of one agent (plus `others`: name -> body) and that agent."""
    files = {f"{name}.md": f"---\nname: {name}\ndescription: {description}\n---\n\n{textwrap.dedent(body)}"}
    for other, text in others.items():
        files[f"{other}.md"] = f"---\nname: {other}\ndescription: Does {other} work.\n---\n\n{text}\n"
    project = api.load_project(files)
    return project, next(a for a in project.agents if a.name == name)


def refs(agent) -> dict[str, set[int]]:
    """target -> lines it is named on (lines counted in the body given to `build`)."""
    out: dict[str, set[int]] = {}
    for d in agent.delegations:
        out.setdefault(d.target, set()).add(d.span.line - 5)  # 5 = frontmatter (4 lines) + blank line
    return out


# (body, expected targets, targets that must not appear). Each body holds the form and, beside it,
# a line that looks alike but names no agent.
FORMS = {
    "hand-off to 'the x agent'": (
        "After the analysis, hand off to the research agent with the findings.\n"
        "Use the specialized agent format for new files.\n",
        {"research-agent"}, {"specialized-agent", "specialized"}),
    "vs line is a comparison": (
        "## Key Distinctions\n\n- **vs data-modeler**: Focuses on design, not schemas\n"
        "- **vs. performance**: Correctness first\n",
        {"data-modeler"}, {"performance"}),
    "kebab names before 'agents'": (
        "- **After**: Eta-One and Eta-Two agents (synthesize their notes)\n"
        "- Deploy testing agents per task\n",
        {"eta-one", "eta-two"}, {"testing", "testing-agents"}),
    "relation label with a comma list": (
        "## Workflow Integration\n\n- **Handoff from**: Content Creator, Trend Researcher, Sales teams\n"
        "- **Focus**: Brand Voice, Content Calendar\n",
        {"content-creator", "trend-researcher"}, {"sales-teams", "brand-voice", "content-calendar"}),
    "bold lead with an en dash in an integration list": (
        "## Integration with Other Agents\n\n- **theta-architect** – cloud architecture\n\n"
        "## Capabilities\n\n- **Query Optimizer** – rewrites slow queries\n",
        {"theta-architect"}, {"query-optimizer"}),
    "engage / enable verbs": (
        "- Engage kappa-reviewer on test strategies\n- Enable lambda-agent with the orchestration layer\n"
        "- Enable response-caching for hot paths\n",
        {"kappa-reviewer", "lambda-agent"}, {"response-caching"}),
    "bullets under a sub-label of a delegation block": (
        "**When to Delegate to Other Agents:**\n\n**Platform Specialists:**\n- **ios-developer**: For iOS-only features\n\n"
        "## Capabilities\n\n- **swift-concurrency**: async/await patterns\n",
        {"ios-developer"}, {"swift-concurrency"}),
    "Delegate to label": (
        "### Schema Work\n**Delegate to**: xi-architect\n**When**: Complex schema redesign\n\n**Owner**: platform-team\n",
        {"xi-architect"}, {"platform-team"}),
    "table column, slash pair and plugin qualifier": (
        "| Task | Delegate To | Reason |\n|---|---|---|\n| Clusters | omicron-agent/pi-agent | deploys |\n"
        "| Devices | rho-agent (mobile-suite) | platform APIs |\n",
        {"omicron-agent", "pi-agent", "rho-agent"}, {"mobile-suite"}),
    "defer in parentheses and in prose": (
        "- **Database optimization**: indexing (defer to sigma-optimizer)\n"
        "- Defers schema design to tau-architect once the data layer exists\n- Defer judgement until the data is in\n",
        {"sigma-optimizer", "tau-architect"}, set()),
    "arrow to a named agent, not to a diagram type": (
        "- Reviews → use **code-reviewer** for a second pass\n"
        "- **Procedural code**: call graphs → use `flowchart` or `classDiagram`\n",
        {"code-reviewer"}, {"flowchart", "classdiagram"}),
    "example turns and commentary": (
        "<example>\nuser: \"Fit a model\"\n"
        "assistant: \"I'll delegate the Julia implementation to upsilon-pro.\"\n"
        "<commentary>\nDelegates the sampler tuning to phi-pro.\n</commentary>\n</example>\n"
        "Use a pro-level sampler.\n",
        {"upsilon-pro", "phi-pro"}, {"pro-level"}),
    "checkbox with 'Delegation to'": (
        "- [ ] Delegation to chi-pro / psi-pro triggered where the work exceeds scope?\n"
        "- [ ] Follow-up notes written for the hand-off?\n",
        {"chi-pro", "psi-pro"}, {"follow-up", "hand-off"}),
    "Title-Case lead in an example delegation flow": (
        "## Delegation Strategy\n\n**Example Delegation Flow:**\n- User asks: \"Build a chat service\"\n"
        "- Backend Architect: Designs the WebSocket API\n\n## Notes\n\n- Backend Design: REST first\n",
        {"backend-architect"}, {"backend-design", "user"}),
    "@-mentions": (
        "- Route to @research-agent or @prd-research-agent first\n"
        "- Install @types/node and mail ops@example.com\n",
        {"research-agent", "prd-research-agent"}, {"types", "example", "ops"}),
    "handled by / that's for": (
        "- ❌ Unit testing (handled by @testing-implementation-agent)\n- ❌ Generate tasks (that's for task-generator)\n"
        "- ❌ Anything handled by the runtime\n",
        {"testing-implementation-agent", "task-generator"}, {"runtime"}),
    "Task(subagent_type=...) and a placeholder": (
        "- Backend → `Task(subagent_type=\"feature-implementation-agent\")`\n"
        "- Template: `Task(subagent_type=\"agent-name\")`\n",
        {"feature-implementation-agent"}, {"agent-name"}),
    "Title-Case role in prose and a self-description": (
        "You are a Senior Platform Developer.\n\nHand the completed spec to Reality Checker for verification.\n",
        {"reality-checker"}, {"senior-platform-developer", "platform-developer"}),
    "a skill is not an agent": (
        "- Use `python-reviewer` for Python style\n- Use the `lint-rules` skill for formatting\n"
        "- Delegate to systems-patterns skill when you need SIMD\n",
        {"python-reviewer"}, {"lint-rules", "systems-patterns"}),
    "preference between two agents": (
        "- Prefer specific over generic (django-backend-expert > backend-developer)\n"
        "- Prefer composition over inheritance\n",
        {"django-backend-expert", "backend-developer"}, {"composition", "inheritance"}),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_delegation_form(form):
    body, want, never = FORMS[form]
    _, agent = build(body)
    found = refs(agent)
    assert want <= set(found), (form, found)
    assert not never & set(found), (form, found)


def test_description_counts_at_its_key_line_and_self_does_not():
    _, agent = build("Body.\n", description="Use this agent when leading. Delegates deep learning to alpha-master. "
                                                "For authoring, use beta-pro/gamma-pro.")
    lines = {d.target: d.span.line for d in agent.delegations}
    assert lines == {"alpha-master": 3, "beta-pro": 3, "gamma-pro": 3}


def test_vs_line_is_a_comparison_unless_it_defers_work():
    _, agent = build("## Key Distinctions\n\n- **vs data-modeler**: Focuses on design, not schemas\n"
                     "- **vs delta-agent**: Focuses on design; defers operations to delta-agent\n")
    kinds = {d.target: d.kind for d in agent.delegations}
    assert kinds == {"data-modeler": "compare", "delta-agent": "delegate"}


def test_spans_point_at_the_name_inside_a_paragraph():
    _, agent = build("We plan first and write the schema\nthen hand the draft to **schema-reviewer** for a pass.\n")
    (d,) = agent.delegations
    assert (d.span.line, d.span.col) == (7, 26)
    assert d.pattern


def test_spaced_and_title_names_resolve_against_the_build():
    project, agent = build(
        "1. Query context manager for scope and constraints\n2. Use a context manager in Python for files\n"
        "3. Hand the final report to the training engineer as a brief.\n"
        "4. If the run fails, pass it to the debugger agent.\n5. Pair with **Backend Architect** on the API.\n",
        **{"context-manager": "Keeps context.", "training-engineer": "Trains.", "debugger": "Debugs.",
           "Backend Architect": "Designs."})
    found = refs(agent)
    assert found["context-manager"] == {1} and found["training-engineer"] == {3}
    resolved = {e.target: e.target_id for e in project.edges_from(agent.id)}
    assert resolved["debugger-agent"] == "debugger" and resolved["backend-architect"] == "Backend Architect"


def test_weak_names_stay_out_when_the_build_lacks_them():
    _, agent = build("1. Query context manager for scope and constraints\n")
    assert not agent.delegations and [m.words for m in agent.mentions] == [("context", "manager")]


# -- the other fields: evidence over headings --------------------------------------------------


def test_mission_is_the_lead_under_the_h1():
    _, agent = build("# Probe Lead\n\nYou are a probe lead who plans the work.\n\n## Capabilities\n\n- Plans\n")
    assert agent.mission is not None and agent.mission.text.startswith("You are a probe lead")
    _, late = build("## Capabilities\n\nYou are listed here, but this is a section.\n")
    assert late.mission is None


def test_validation_heading_needs_items_that_read_as_checks():
    _, tools = build("## Validation Tools\n\n- **pytest**: test runner\n- **mypy**: type checker\n")
    assert not tools.checklists
    _, checks = build("## Validation\n\n- Verify every endpoint has a schema\n- Are all errors typed?\n")
    assert [len(c.items) for c in checks.checklists] == [2]
    _, plain = build("## Release Checklist\n\n- Every migration is reversible\n- Changelog written\n")
    assert [len(c.items) for c in plain.checklists] == [2]


def test_red_flags_under_a_checklist_are_not_checks():
    _, agent = build("## Review Checklist\n\n- [ ] Tests pass\n\n### Red Flags\n\n- Skipped tests\n- Silent excepts\n")
    assert [(c.title, len(c.items)) for c in agent.checklists] == [("Review Checklist", 1)]


def test_failure_modes_need_failure_columns_or_titles():
    _, capability = build("## Disaster Recovery & High Availability\n\n| Capability | Tooling |\n|---|---|\n"
                          "| Backups | restic |\n| Failover | keepalived |\n")
    assert not capability.failure_modes
    _, table = build("## Operations\n\n| Failure | Prevention | Recovery |\n|---|---|---|\n"
                     "| Disk full | Alerts at 80% | Expand the volume |\n")
    assert [(f.mode, f.prevention, f.recovery) for f in table.failure_modes] == [("Disk full", "Alerts at 80%", "Expand the volume")]


def test_a_worked_example_sorts_its_blocks_into_parts():
    """Each kind of block under `### Example N:`: a bold lead or a label opens a part, a heading's
    title joins the current part as plain text, a table adds an empty line, code ends the part."""
    _, agent = build("## Examples\n\n### Example 1: Triage\n\n**Request**: \"Fix the **flaky** test\"\n\n"
                     "Context paragraph.\n\n#### `Deep` Dive\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                     "My Reasoning Process:\n- read the log\n- bisect\n\n**Result:** it passes\n\n```py\nx = 1\n```\n\n"
                     "After the code.\n")
    [example] = agent.examples
    assert (example.title, example.request, example.reasoning, example.result) == (
        "Triage", 'Fix the **flaky** test"\nContext paragraph.\nDeep Dive', "- read the log\n- bisect", "it passes")
    assert [c.code for c in example.code] == ["x = 1"]


def test_response_approach_is_a_process_not_the_output_format():
    _, agent = build("## Response Approach\n\n1. Clarify the goal\n2. Plan\n\n## Output Format\n\nA table of findings.\n")
    assert agent.output_format is not None and agent.output_format.title == "Output Format"


@pytest.mark.parametrize("fence, lines, code", [
    # A fence at column 1 keeps its code as written: Python's indentation is its meaning.
    ("```python", ["def f():", "    return 1", "", "  # two"], "def f():\n    return 1\n\n  # two"),
    # Indented by N: up to N blanks come off each line (CommonMark), never more.
    ("  ```", ["  a", "    b", " c", "d"], "a\n  b\nc\nd"),
])
def test_code_fences_keep_the_indentation_of_their_code(fence, lines, code):
    from agentc.compiler.markdown import Code, parse_blocks

    blocks, diags = parse_blocks([fence, *lines, fence.strip()[:3]], 1, "a.md")
    assert [b.code for b in blocks if isinstance(b, Code)] == [code] and not diags


def test_verb_look_ahead_holds_every_verbs_first_letter():
    """`_WORD_AGENT` starts with a look-ahead on its verbs' first letters; a verb whose letter is
    missing would never match again."""
    import re

    from agentc.compiler import mentions

    rx = mentions._WORD_AGENT
    letters = re.match(r"\\b\(\?=\[([a-z]+)\]\)\(\?:", rx.pattern).group(1)
    verbs = rx.pattern[rx.pattern.index("(?:") + 3 :].split(")\\b")[0]
    for verb in verbs.split("|"):
        assert verb[0] in letters, (verb, letters)


@pytest.mark.parametrize("target", ["code-reviewer", "Code-Reviewer", "plug:code-reviewer", "a_b", "x", "a--b", "-x"])
@pytest.mark.parametrize("text", ["use code-reviewer", "Code Reviewer, then code-reviewer", "CODE_REVIEWER now",
                                  "codes code-reviewers", "a b a-b", "x-x -x", "no name here", "coDe\u2011reviewer é",
                                  "\u212aode-reviewer code-reviewer"])
def test_name_at_is_where_the_name_pattern_matches(target, text):
    """`_name_at` tries the name as written before compiling `_name_rx`: the same place either way
    (an ASCII name's pattern reads the line's Unicode hyphens as "-")."""
    from agentc.compiler import structure

    m = structure._name_rx(target).search(text.translate(structure._DASHES) if target.isascii() else text)
    assert structure._name_at(target, text) == structure._name_at_py(target, text) == (m.start() if m else -1)


ARROW_PIECES = ["\u2192", "->", "=>", "\u21d2", "-", ">", " ", "\t", "\u00a0", "\n", "Delegate to", "delegate  to", "USE", "u\u017fe",
                "see", "consult", "hand off to", "handoff to", "Hand  off to", "escalate to", "defer to", "route to", "x", "é",
                "**a-b**", "(", ")", ""]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(ARROW_PIECES), max_size=12).map("".join))
def test_an_arrow_line_without_an_arrow_and_verb_holds_no_arrow_form(text):
    """`_line` asks `_ARROW` only of a line where `_ARROW_THEN_VERB` is found."""
    from agentc.compiler import delegation

    if delegation._ARROW.match(text) is not None:
        assert delegation._ARROW_THEN_VERB.search(text) is not None, text


HEAD_PIECES = ["Delegate to ", "delegate to ", "Delegate  to ", "a", "z9", "0", "-", "_", "--", " ", "\n", " when x", " for y",
               "A", "fine-tuning", "multi-agent", "**", "`", ".", "/", "@", "İ", "ı", "ſ", "\u212a", "é", "\U0001f600", "\r\n", ""]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(HEAD_PIECES), max_size=10).map("".join))
def test_a_bare_delegate_to_title_gives_what_the_head_pattern_gives(title):
    """`block_targets` takes a "Delegate to " title ending in one bare name without `_BLOCK_HEAD`
    and `targets_in`: the same targets they give, for every title."""
    from agentc.compiler import delegation

    m = delegation._BLOCK_HEAD.match(title) if title[:1] in "dherDHER" else None
    assert delegation.block_targets(title) == (delegation.targets_in(m.group("rest")) if m else []), title


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="az09-_A\u0131", max_size=12))
def test_the_bare_target_pattern_reads_two_names(text):
    """`_BARE_TARGET`, written to read a name once, takes what `{NAME}-{NAME}` takes."""
    import re

    from agentc.compiler import delegation

    two = re.compile(rf"{delegation.NAME}-{delegation.NAME}")
    assert bool(delegation._BARE_TARGET.fullmatch(text)) == bool(two.fullmatch(text)), text


@pytest.mark.parametrize("title", ["Delegate to agent-0001", "Delegate to fine-tuning", "Delegate to a_b-c", "Delegate to ab",
                                   "Delegate to a--b", "Delegate to a-b\n", "Delegate to A-b", "Delegate to 1-2", "Delegate to " + "a-" * 5000 + "b"])
def test_a_bare_delegate_to_title_on_odd_names(title):
    from agentc.compiler import delegation

    m = delegation._BLOCK_HEAD.match(title)
    assert delegation.block_targets(title) == (delegation.targets_in(m.group("rest")) if m else [])


@pytest.mark.parametrize("text", ["Delegate → Agent", "plain ASCII Text", "Ünïcode ÉCOLE → WITH", "İstanbul asks", "AS\u212a me", ""])
def test_lowered_finds_the_words_str_lower_finds(text):
    """`mentions._lowered` lowers only ASCII letters on a non-ASCII text: the same length, and the
    same places for every word `_holding` looks for."""
    from agentc.compiler import mentions, references

    words = tuple(dict.fromkeys((*mentions._LOOK_WORDS, *references.CUES, *references.LINE_TRIGGERS)))
    low = mentions._lowered(text)
    assert len(low) == len(text) or low == text.lower()
    assert mentions._holding(low, words) == mentions._holding(text.lower(), words)


@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_a_word_after_a_dotted_capital_i_is_on_its_own_line(native, monkeypatch):
    """"İ" lowers to two characters, so the lowered text's places are counted against its own
    line starts: "agent" on line 2 stays on line 2 (it was put on line 3 after six "İ")."""
    from agentc.compiler import mentions

    if not native:
        monkeypatch.setattr(mentions, "_line_groups", mentions._line_groups_py)
    assert mentions.candidates_by_line(["İİİİİİ", "agent", "x"], "self")[1] == {1: []}
    assert mentions.candidates_by_line(["İİİİİİ x", "see the agent", "x"], "self")[1] == {1: []}


def test_a_condition_is_made_only_for_a_name_the_line_reader_adds(monkeypatch):
    """A name the line reader finds on a line whose edge the block recognisers made adds nothing,
    and that line's condition is not made; a name only the reader finds gets its line, cleaned."""
    from agentc.compiler import delegation, references

    cleaned: list[str] = []
    clean = delegation.clean

    def counted(text: str) -> str:
        cleaned.append(text)
        return clean(text)

    monkeypatch.setattr(delegation, "clean", counted)
    monkeypatch.setattr(references, "clean", counted, raising=False)  # where the reader once cleaned each line
    _, agent = build("""\
        ## Delegation

        - Frontend work → Delegate to **frontend-developer**
        - The code-reviewer agent checks **style** first.
        """)
    assert {d.target: (d.condition, d.pattern) for d in agent.delegations} == {
        "frontend-developer": ("Frontend work", "D1 arrow"),
        "code-reviewer": ("The code-reviewer agent checks style first.", "M name-agent"),
    }
    assert "- Frontend work → Delegate to **frontend-developer**" not in cleaned
    assert cleaned.count("- The code-reviewer agent checks **style** first.") == 1


_THING_PIECES = ["skill", "skills", "Plugin", "COMMANDS", "tool", "mcp", "server", "package", "library", "libraries", "ſkill",
                 "\u212a", "İ", "ı", "*", "`", "'", '"', " ", "\t", "\r\n", "\u00a0", "🙂", "x", "-", "_", "s", "ies", ""]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_THING_PIECES) | st.text(max_size=3), max_size=8), st.integers(0, 12))
def test_thing_after_matches_as_without_its_look_ahead(pieces, at):
    """`_THING_AFTER`'s look-ahead on its words' first letters only saves work: the pattern
    without it matches the same text at the same place (also where re.I folds "ſ" to "s")."""
    import re

    from agentc.compiler import structure

    rx = structure._THING_AFTER
    plain = re.compile(rx.pattern.replace("(?=[spctml])", ""), rx.flags)
    assert plain.pattern != rx.pattern
    text = "".join(pieces)
    at = min(at, len(text))
    m, n = rx.match(text, at), plain.match(text, at)
    assert (m and m.span()) == (n and n.span())
