"""What each diagnostic code means: the one source of `agentc rule CODE` and of the README's code
table (`agentc rule --table` prints it; a test keeps the README equal to it).

Severity and the short title stay in `compiler.diagnostics.CODES` (the front end needs them);
here is the longer text for people: a summary for the table, why it matters, how to fix it, and
for the common ones an example.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentc.compiler.diagnostics import CODES


@dataclass(frozen=True)
class Rule:
    code: str
    summary: str  # the README table's "meaning" column (markdown)
    why: str
    fix: str
    example: str = ""

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    @property
    def title(self) -> str:
        return CODES[self.code][1]


_BUG = "This is a bug in agentc, not in your files: please report it with the input."
_STUB = ("Nothing is lost (the build still works), but the real agent is missing at run time. "
         "The fact is first reported by AGC301 at the line naming the agent; this note says what the target did about it.")
_LOSS = "A target cannot express everything a Claude Code agent file can; agentc says what it left out instead of dropping it silently."

_RULES = [
    Rule("AGC001", "file cannot be read", "agentc could not open or read the file (permissions, a broken link, a device).",
         "Make the file readable, or remove it from the sources."),
    Rule("AGC002", "file is not valid UTF-8 (reported at the first bad byte)",
         "Claude Code and every target read agent files as UTF-8; other bytes become replacement characters.",
         "Save the file as UTF-8 (most editors: 'Save with encoding')."),
    Rule("AGC003", "file is empty", "An empty .md file in an agents folder defines no agent.", "Write the agent, or remove the file."),
    Rule("AGC004", "source path does not exist", "A source given on the command line or in the configuration is not there.",
         "Fix the path, or remove it from `sources`."),
    Rule("AGC005", "no agent files found in a source", "A source folder holds no .md file, so it adds nothing to the build.",
         "Point `sources` at the folder that holds the agents (for plugins: the folder of `plugins/`)."),
    Rule("AGC010", "suppression comment (`<!-- agentc: ignore[...] -->`) that suppresses nothing",
         "A stale suppression hides the next real problem of that kind at that place.",
         "Remove the comment, or move it right above the line or block it is meant for.",
         "<!-- agentc: ignore[AGC301] -->\n- Payroll -> **payroll-bot**   (payroll-bot now exists: the comment is stale)"),
    Rule("AGC011", "suppression comment names a code that does not exist",
         "A misspelt code suppresses nothing.", "Write an existing code (the README lists them; `agentc rule CODE` explains one)."),
    Rule("AGC100", "no YAML frontmatter (Claude Code treats the file as documentation)",
         "Without a leading `---` block Claude Code does not load the file as an agent.",
         "Start the file with `---`, `name: ...`, `description: ...`, `---`; or move a README out of the agents folder.",
         "---\nname: code-reviewer\ndescription: Reviews diffs for bugs.\n---"),
    Rule("AGC101", "frontmatter is not valid YAML; recovered line by line",
         "Claude Code parses frontmatter as YAML and skips the agent when it fails; agentc recovered what was meant.",
         "Quote the value or use a block scalar. `agentc check --fix` quotes single-line values for you.",
         "description: Use when: the build breaks     # ': ' inside a plain scalar breaks YAML\n"
         "description: \"Use when: the build breaks\"  # fixed"),
    Rule("AGC102", "frontmatter cannot be read even leniently", "Neither YAML nor the line reader found `key: value` lines.",
         "Rewrite the frontmatter as `key: value` lines between two `---` lines."),
    Rule("AGC103", "frontmatter is indented", "Claude Code expects the `---` lines and keys at column 1.",
         "Remove the leading spaces of the frontmatter block."),
    Rule("AGC104", "frontmatter is not a mapping", "The frontmatter is YAML, but a list or a scalar, not keys and values.",
         "Write it as `key: value` lines."),
    Rule("AGC105", "frontmatter is never closed",
         "Without the closing `---` the whole file is frontmatter and there is no prompt; the keys above are not checked further.",
         "Add a `---` line after the last frontmatter key."),
    Rule("AGC106", 'YAML alias in frontmatter: refused, since nested aliases expand exponentially ("billion laughs")',
         "Aliases (`*name`) can make a few bytes expand to gigabytes downstream.", "Write the value out in full."),
    Rule("AGC107", "frontmatter values nest deeper than 20 levels", "Deep nesting exhausts parsers' stacks; real files nest 2 levels.",
         "Flatten the value."),
    Rule("AGC108", "file over 4 MiB or frontmatter over 64 KiB: refused, not parsed",
         "An agent file is a prompt; a huge one is almost certainly a mistake and would slow every build.",
         "Move reference material out of the agent file."),
    Rule("AGC110", "missing required key `name`", "Claude Code treats a file without `name` as documentation.",
         "Add `name: my-agent` (lowercase, hyphens) to the frontmatter."),
    Rule("AGC111", "missing required key `description`", "Claude Code skips an agent without a description; it is how the agent is chosen.",
         "Add `description: when to use this agent`."),
    Rule("AGC112", "a name Claude Code refuses (contains `:`, starts with `-`, empty)", "Claude Code will not load the agent.",
         "Rename it: lowercase letters, digits and hyphens."),
    Rule("AGC113", "name outside Claude Code's naming rules (capitals, dots, length outside 3–50)",
         "Claude Code may load it but documents lowercase-hyphen names; other tools may refuse it.",
         "Rename it to lowercase letters, digits and hyphens, 3 to 50 characters."),
    Rule("AGC114", "empty description", "An empty description gives Claude Code nothing to choose the agent by.",
         "Say when this agent should be used."),
    Rule("AGC120", 'unknown key close to a known one ("did you mean")', "A misspelt key is ignored by Claude Code: the setting silently does nothing.",
         "Rename the key. `agentc check --fix` does it when there is exactly one candidate and the real key is absent.",
         "descriptoin: Reviews code   ->   description: Reviews code"),
    Rule("AGC121", "unknown key kept as metadata", "Claude Code ignores keys it does not know; agentc keeps them as metadata (the claude target drops them).",
         "Nothing to do if the key is yours. Silence it per file with `<!-- agentc: ignore-file[AGC121] -->`, or with "
         "`per-file-ignores` or `ignore` in the configuration."),
    Rule("AGC122", "key given twice", "YAML keeps only the last value; the first is silently lost.", "Remove one of them."),
    Rule("AGC130", "value of the wrong type (`tools: 42`)", "Claude Code ignores a value of the wrong type.", "Write the value with the documented type."),
    Rule("AGC131", "value outside the documented set (`color: magenta`, an unknown `effort`)",
         "Claude Code ignores values it does not know.",
         "Use one of the listed values. `agentc check --fix` maps colours the claude target maps (magenta -> purple, Blue -> blue).",
         "color: magenta   ->   color: purple"),
    Rule("AGC132", "tools that Claude Code does not have (it drops them silently)",
         "An unknown tool name grants nothing; the agent runs without it.",
         "List built-in tools (Read, Bash, ...) or `mcp__server__tool` entries."),
    Rule("AGC133", "legacy tool name (`Task` → `Agent`, `MultiEdit`, `LS`)", "Claude Code renamed these tools; the old names may stop working.",
         "Use the new names. `agentc check --fix` renames them and removes repeats.", "tools: Read, Task   ->   tools: Read, Agent"),
    Rule("AGC140", "a name no target can write: a path separator, a control character, a lone surrogate, or past 200 bytes",
         "Every target turns the name into a file name or an identifier.", "Rename the agent."),
    Rule("AGC141", "a name generated Python reserves (`self`, `agent`, `task`, `crew`, keywords, …); the code targets call it `<name>_agent`",
         "The generated code would shadow a name it needs.", "Nothing to do; rename the agent if the suffix bothers you."),
    Rule("AGC200", "empty body", "The body is the agent's system prompt; without it the agent has no instructions.",
         "Write the agent's instructions below the frontmatter."),
    Rule("AGC201", "code fence never closed", "Everything after an unclosed ``` is code: headings and delegations in it are not read.",
         "Close the fence with ``` on its own line."),
    Rule("AGC202", "`<example>` block never closed", "The rest of the file is read as one example.", "Add `</example>`."),
    Rule("AGC301", 'delegation to an agent that is not in the build ("did you mean" when close)',
         "The prompt tells the agent to hand work to an agent that does not exist in this build; at run time the handoff fails "
         "or a placeholder answers. Reported once per (agent, missing name) with every line that names it.",
         "Add the missing agent's file to the sources, fix the name, or silence it above the line with "
         "`<!-- agentc: ignore[AGC301] -->`.",
         "- Payroll questions → Delegate to **payroll-bot**\n"
         "                                   ^ 'lead' delegates to 'payroll-bot', which is not in this build"),
    Rule("AGC302", "delegation target matches agents in several plugins", "The name is ambiguous; agentc picks the first plugin's agent.",
         "Write the plugin-scoped id (`plugin:name`) to choose."),
    Rule("AGC303", "two agents with one name in one scope", "Claude Code loads only one of them.", "Rename one of the agents."),
    Rule("AGC304", "agent delegates to itself", "A self-handoff loops; the edge is dropped.", "Remove the line, or name the agent that was meant."),
    Rule("AGC305", "delegation cycle (the cycle is printed)", "Agents that hand work around in a circle can loop.",
         "Fine when intended: generated graphs bound it with a recursion limit."),
    Rule("AGC306", "one name in several plugins (each keeps its plugin-scoped id)", "Plugins may reuse names; references need the scoped id.",
         "Nothing to do; refer to them as `plugin:name`."),
    Rule("AGC307", "delegation chain deeper than the target's nesting limit (claude, claude-sdk: 5); the chain is printed",
         "The target stops nesting subagents past its limit; the deepest delegates are never reached.",
         "Flatten the chain, or let a coordinator call the deep agents directly."),
    Rule("AGC308", "an agent can reach itself by delegation (its loop is printed); only the target's nesting limit stops it",
         "A loop of handoffs runs until the nesting limit.", "Fine when intended; otherwise break the loop."),
    Rule("AGC309", "delegation to an agent built into Claude Code (Explore, Plan, general-purpose, claude, statusline-setup, claude-code-guide)",
         "Claude Code provides these agents, so no file defines them and the delegation is not dangling there; the code "
         "targets have no such agent and treat the edge like a missing one.",
         "Nothing to do for the Claude targets. A file of that name in the sources overrides the built-in one everywhere."),
    Rule("AGC401", "frontmatter key dropped by the target", "The target has no place for the key.", "Nothing to do; `keep_unknown_keys = true` keeps them (claude)."),
    Rule("AGC402", "agent renamed to avoid a clash in the output", "Two agents would write one file.", "Nothing to do, or rename one of them."),
    Rule("AGC403", "value mapped for the target", "The target spells the value differently.", "Nothing to do."),
    Rule("AGC404", "`svg = true` but Graphviz could not render `delegation.svg`: not installed, failed (its first error line is shown) or past `svg_timeout_s`",
         "The SVG was asked for but not written.", "Install Graphviz, raise `svg_timeout_s`, or set `svg = false` (the DOT and Mermaid files are always written)."),
    Rule("AGC405", "`svg = true` but the graph has more edges than `svg_max_edges`; no SVG",
         "Graphviz takes very long on huge graphs.", "Raise `svg_max_edges`, or draw part of it: `agentc graph --focus AGENT --depth N -f svg`."),
    Rule("AGC406", "an agent's clash-avoiding name (`<plugin>-<name>`) is another agent's name",
         "Two agents would write one file and one of them would be lost.", "Rename one of them, or build with the plugin option."),
    Rule("AGC410", "claude plugin: `plugin_version` / `plugin_author` / `plugin_license` not configured; a default is written",
         "plugin.json should say who publishes the plugin.", "Set the keys in the configuration."),
    Rule("AGC420", "claude-sdk loss report: what an `AgentDefinition` cannot express, per agent", _LOSS, "Nothing to do; the list says what is left out."),
    Rule("AGC430", "codex loss report: what a Codex agent file cannot express, per agent", _LOSS, "Nothing to do; the list says what is left out."),
    Rule("AGC440", "gemini loss report: what a Gemini CLI agent cannot express, per agent", _LOSS, "Nothing to do; the list says what is left out."),
    Rule("AGC450", "copilot loss report: what a Copilot custom agent cannot express, per agent", _LOSS, "Nothing to do; the list says what is left out."),
    Rule("AGC501", 'delegation target not in the build; a placeholder worker stands in (langgraph, `dangling = "stub"`)', _STUB,
         "Add the missing agent, or set `dangling = \"drop\"` to leave the handoff out."),
    Rule("AGC502", 'delegation target not in the build; its handoff is dropped (`dangling = "drop"`)', "The handoff is left out of the graph.",
         "Add the missing agent, or set `dangling = \"stub\"` for a placeholder."),
    Rule("AGC503", 'delegation target not in the build (`dangling = "error"`)', "You asked for missing delegates to fail the build.",
         "Add the missing agent, or relax `dangling`."),
    Rule("AGC505", "graph node renamed to keep node names unique (plugin copies of one name)", "LangGraph node names must be unique.", "Nothing to do."),
    Rule("AGC506", "agents not reachable from the entry are left out of the graph", "Only agents the entry can reach are nodes.",
         "Choose another `entry`, or add a delegation to them."),
    Rule("AGC507", "invalid package name for the generated code", "The generated code must be importable.", "Set `package` to a Python identifier."),
    Rule("AGC601", 'crewai: a delegation target is not in the build; a placeholder agent stands in (`dangling = "stub"`)', _STUB,
         "Add the missing agent, or set `dangling = \"drop\"`."),
    Rule("AGC602", 'crewai: a delegation to a target not in the build is dropped (`dangling = "drop"`)', "The delegation is left out of the crew.",
         "Add the missing agent, or set `dangling = \"stub\"`."),
    Rule("AGC603", 'crewai: a delegation to a target not in the build (`dangling = "error"`)', "You asked for missing delegates to fail the build.",
         "Add the missing agent, or relax `dangling`."),
    Rule("AGC604", "crewai: agents not reachable from the entry are not in the crew", "Only agents the manager can reach are in the crew.",
         "Choose another `entry`, or add a delegation to them."),
    Rule("AGC605", "crewai: a worker's delegation back to the manager is left out", "crewAI's hierarchical process has no worker-to-manager handoff.",
         "Nothing to do."),
    Rule("AGC606", "crewai: a literal `{request}` in prompt text is written `{ request }`", "crewAI would fill `{request}` in as a template variable.",
         "Nothing to do."),
    Rule("AGC607", "crewai: Claude Code tools have no crewAI counterpart and are left out", _LOSS, "Give the crew tools in code."),
    Rule("AGC700", "`openai` writes Assistants configs (sunset API, archival); `openai-agents` writes runnable Agents SDK code",
         "The Assistants API is being retired.", "Prefer the `openai-agents` target."),
    Rule("AGC701", "description longer than an assistant's 512 characters; cut at a word boundary", "The Assistants API refuses longer descriptions.",
         "Shorten the description."),
    Rule("AGC702", "prompt longer than an assistant's 256,000-character instructions", "The Assistants API refuses it.", "Shorten the prompt."),
    Rule("AGC703", "metadata that does not fit an assistant (16 pairs, keys ≤ 64, values ≤ 512) left out", "The Assistants API limits metadata.",
         "Nothing to do, or trim the frontmatter."),
    Rule("AGC704", "delegation tool name shortened to 64 characters or made unique", "OpenAI tool names are limited to 64 characters.", "Nothing to do."),
    Rule("AGC705", "name longer than an assistant's 256 characters; truncated", "The Assistants API limits names.", "Shorten the name."),
    Rule("AGC706", "a full Claude model id with no mapping takes its family's (opus/sonnet/haiku)", "The target has no such model id.",
         "Map the id in `model_map`."),
    Rule("AGC707", "Claude Code settings (tools, permissions, colour, …) with no OpenAI counterpart are not emitted", _LOSS, "Nothing to do."),
    Rule("AGC710", 'delegation target not in the build: placeholder agent emitted (`dangling = "stub"`)', _STUB,
         "Add the missing agent, or set `dangling = \"drop\"`."),
    Rule("AGC711", 'delegation target not in the build: handoff left out (`dangling = "drop"`)', "The handoff is left out.",
         "Add the missing agent, or set `dangling = \"stub\"`."),
    Rule("AGC712", 'delegation target not in the build (`dangling = "error"`)', "You asked for missing delegates to fail the build.",
         "Add the missing agent, or relax `dangling`."),
    Rule("AGC790", "assistant config fails the documented limits (a bug in agentc)", _BUG, "Report it."),
    Rule("AGC801", "unknown configuration key", "A misspelt key is not applied.", "Fix the key; the message lists the keys and the closest one."),
    Rule("AGC802", "invalid configuration value (on the command line, in the configuration or through the Python API; the allowed values are listed)",
         "A value of the wrong kind cannot be applied.", "Use one of the allowed values the message lists.",
         "agentc build --dangling maybe\nerror[AGC802]: --dangling: 'maybe' is not one of stub, drop, error"),
    Rule("AGC803", "unknown target", "No target has that name.", "`agentc targets` lists them."),
    Rule("AGC804", "entry agent not found or ambiguous", "Framework targets start from one entry agent.", "Set `entry` to an agent's name or plugin:name."),
    Rule("AGC805", "several possible entry agents; the first is the default", "More than one agent is delegated to by nobody.",
         "Set `entry` (or `--entry`) to choose."),
    Rule("AGC806", "agent model has no mapping for the target", "The target needs its own model id.", "Map it in `model_map`."),
    Rule("AGC807", "two targets would share one output folder (`out_dirs`)", "Each folder's manifest belongs to one build.",
         "Give every target its own folder."),
    Rule("AGC808", "`--check`: a generated file is missing, stale or no longer produced (machine formats)",
         "The committed output does not match the sources.", "Run `agentc build` and commit the result."),
    Rule("AGC901", "output path escapes the output folder", "agentc never writes outside its output folder.", "Rename the agent or plugin the path came from."),
    Rule("AGC902", "generated artifact fails its own validation (a bug in agentc)", _BUG, "Report it."),
    Rule("AGC903", "output file cannot be written", "The disk, permissions or the path refused the write.", "Check the output folder."),
    Rule("AGC904", "an output path holds a file agentc did not write: never overwritten unless `--force`",
         "agentc only replaces files its manifest says it wrote.", "Move the file away, or pass `--force`."),
    Rule("AGC905", "the output folder is inside a source folder; its files are not read as agents",
         "Generated agent files would otherwise be read back as sources.", "Put `out` outside the sources."),
]

RULES: dict[str, Rule] = {r.code: r for r in _RULES}

SILENCE = ("In the file: `<!-- agentc: ignore[{code}] -->` above the line or block, or "
           "`<!-- agentc: ignore-file[{code}] -->` for the whole file. In the configuration: "
           "`ignore = [\"{code}\"]`, or `[tool.agentc.per-file-ignores]` `\"glob\" = [\"{code}\"]`. "
           "On the command line: `--ignore {code}` / `--extend-ignore {code}`.")


def explain(code: str) -> str:
    """The text `agentc rule CODE` prints."""
    r = RULES[code]
    out = [f"{r.code} ({r.severity}): {r.title}", "", r.summary, "", "Why: " + r.why]
    if r.example:
        out += ["", "Example:"] + ["    " + ln for ln in r.example.splitlines()]
    out += ["", "Fix: " + r.fix]
    if r.severity != "error":
        out += ["", "Silence: " + SILENCE.format(code=code)]
    return "\n".join(out) + "\n"


def table() -> str:
    """The README's code table, in code order."""
    rows = ["| code | severity | meaning |", "|---|---|---|"]
    rows += [f"| {c} | {CODES[c][0]} | {RULES[c].summary} |" for c in sorted(CODES)]
    return "\n".join(rows) + "\n"
