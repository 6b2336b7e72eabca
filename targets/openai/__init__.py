"""Target `openai`: one OpenAI Assistants API config per agent, plus a routing index.

The Assistants API was sunset on 2026-08-26. This target exists for people who keep archived
assistants or migrate from them: every `assistants/<name>.json` is a valid
`AssistantCreateParams` body (what `client.beta.assistants.create(**body)` sends), and
`index.json` holds the delegation graph so a caller can route `delegate_to_<name>` function
calls to the other assistants. Runnable code for the successor API is target `openai-agents`.

Assistants have no handoffs, so each delegation edge becomes a function tool whose arguments
are the task and its context. The documented limits live only in the SDK's docstrings, so
agentc fits the output to them itself and re-checks every file against them (`validate`; the
SDK's own types judge every file in the tests, see limits.py).
"""

from __future__ import annotations

import json
from typing import Any

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR, ProjectIR
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.targets import Chunks, Emitted, FileText, Target, utf8
from agentc.targets._shared import jsontext
from agentc.targets._shared.openai import (
    ASSISTANT_FALLBACK_MODEL,
    CODES,
    DEFAULT_MODELS,
    claude_only_settings,
    file_stem,
    openai_model,
    stub_prompt,
    tool_name,
    truncate_words,
)
from agentc.targets._shared.team import apply_dangling, pick_entry, prompt_text
from agentc.targets.openai.limits import LIMITS, check_assistant

NAME = "openai"
INDEX = "index.json"
SUNSET_NOTE = ("The OpenAI Assistants API was sunset on 2026-08-26. These configs are for archived assistants "
               "and migration; target openai-agents emits runnable OpenAI Agents SDK code.")


def _dump(data: Any) -> str:
    return jsontext.dumps(data, ensure_ascii=False) + "\n"


def _with_tools(body: dict[str, Any], tools: list[str]) -> str:
    """`_dump(body)` with a last key `"tools"`, its items given as their JSON text (`_tool_text`)."""
    if not tools:
        return _dump(body)
    return _dump(body)[:-3] + ',\n  "tools": [' + ",".join(tools) + "\n  ]\n}\n"  # before the closing "\n}\n"


# What an assistant's instructions are laid out as before the real ones are spliced in as UTF-8:
# a control character, which a prompt spliced in this way never holds (see jsontext.string_utf8).
_SLOT = "\x00instructions\x00"
_SLOT_JSON = jsontext.dumps(_SLOT)


def _assistant_file(body: dict[str, Any], tools: list[str]) -> FileText:
    """`utf8(_with_tools(body, tools))`, the instructions (a 32 KB prompt) escaped as UTF-8 and
    spliced into the layout as bytes: not decoded, copied through the layout's str joins and
    encoded again (~40 us of a 32 KB prompt with non-ASCII)."""
    quoted = jsontext.string_utf8(body["instructions"])
    layout = _with_tools({**body, "instructions": _SLOT}, tools) if quoted is not None else ""
    if layout.count(_SLOT_JSON) != 1:  # a short or odd prompt, or another value that is the slot
        return utf8(_with_tools(body, tools))
    head, _, tail = layout.partition(_SLOT_JSON)
    return Chunks((head.encode("utf-8") + quoted + tail.encode("utf-8"),))


def _tool_text(tool: dict[str, Any]) -> str:
    """A tool as an item of an assistant's `tools`, two levels deep: what `_dump` writes for it
    there (a JSON string holds no raw newline, so every newline is the layout's)."""
    return "\n    " + jsontext.dumps(tool, ensure_ascii=False).replace("\n", "\n    ")


def _stems(project: ProjectIR) -> dict[str, str]:
    """File stem per agent id: the name, scoped by plugin when several plugins share it."""
    counts: dict[str, int] = {}
    for a in project.agents:
        counts[a.name] = counts.get(a.name, 0) + 1
    out: dict[str, str] = {}
    used: set[str] = set()
    for a in sorted(project.agents, key=lambda a: a.id):
        stem = file_stem(f"{a.scope}-{a.name}" if counts[a.name] > 1 and a.scope else a.name)
        unique, n = stem, 2
        while unique.lower() in used:  # case-insensitive file systems
            unique, n = f"{stem}-{n}", n + 1
        used.add(unique.lower())
        out[a.id] = unique
    return out


def _metadata(agent: AgentIR, diags: list[Diagnostic]) -> dict[str, str]:
    """`agentc_id` plus the frontmatter metadata that fits: ≤16 pairs, keys ≤64, values ≤512."""
    out = {"agentc_id": agent.id[: LIMITS["metadata_value"]]}
    dropped: dict[str, list[str]] = {}
    for key in sorted(agent.metadata):
        value = agent.metadata[key]
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        if len(key) > LIMITS["metadata_key"]:
            dropped.setdefault(f"key longer than {LIMITS['metadata_key']}", []).append(key[:24] + "…")
        elif len(text) > LIMITS["metadata_value"]:
            dropped.setdefault(f"value longer than {LIMITS['metadata_value']}", []).append(key)
        elif len(out) >= LIMITS["metadata_pairs"]:
            dropped.setdefault(f"beyond {LIMITS['metadata_pairs']} pairs", []).append(key)
        else:
            out[key] = text
    if dropped:
        why = "; ".join(f"{reason}: {', '.join(keys)}" for reason, keys in dropped.items())
        diags.append(diag("AGC703", agent.span, f"metadata of '{agent.name}' left out of its assistant ({why})",
                          hint="an assistant's metadata holds 16 pairs (agentc_id is one), keys ≤ 64 and values ≤ 512 characters"))
    return out


def _function(name: str, target: str, description: str) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": {
                    "task": {"type": "string", "description": f"What {target} should do, stated so it stands on its own."},
                    "context": {"type": "string", "description": f"What {target} needs to know: findings, constraints, files."},
                },
                "required": ["task", "context"],
                "additionalProperties": False,
            },
            "strict": True,
        },
    }


def _model(agent: AgentIR, options: BuildOptions, diags: list[Diagnostic]) -> str:
    fallback = options.model_map.get(NAME, {}).get("inherit") or ASSISTANT_FALLBACK_MODEL
    model, more = openai_model(agent, NAME, options, {**DEFAULT_MODELS, "inherit": fallback}, fallback)
    diags += more
    return model or fallback


def _assistant(agent: AgentIR, options: BuildOptions, diags: list[Diagnostic]) -> dict[str, Any]:
    """The assistant's body without its tools (`_with_tools` writes them after its last key)."""
    name = agent.name
    if len(name) > LIMITS["name"]:
        name = truncate_words(name, LIMITS["name"])
        diags.append(diag("AGC705", agent.where("name"), f"name of '{agent.name[:40]}…' is longer than {LIMITS['name']} characters; "
                          "the assistant's name is truncated", hint="shorten the agent's name"))
    body: dict[str, Any] = {"model": _model(agent, options, diags), "name": name}
    description = " ".join(agent.description.split())
    if len(description) > LIMITS["description"]:
        description = truncate_words(description, LIMITS["description"])
        diags.append(diag("AGC701", agent.where("description"), f"description of '{agent.name}' has {len(agent.description)} characters; "
                          f"an assistant's holds {LIMITS['description']}, so it was cut at a word boundary",
                          hint="put the routing summary first, or shorten the description"))
    if description:
        body["description"] = description
    instructions = prompt_text(agent)
    if len(instructions) > LIMITS["instructions"]:
        diags.append(diag("AGC702", agent.span, f"the prompt of '{agent.name}' has {len(instructions):,} characters; "
                          f"assistant instructions hold at most {LIMITS['instructions']:,}",
                          hint="split the agent, or move reference material into files for file_search"))
    body["instructions"] = instructions
    body["metadata"] = _metadata(agent, diags)
    return body


def emit(project: ProjectIR, options: BuildOptions) -> Emitted:
    diags: list[Diagnostic] = [diag("AGC700", Span(file=f"{NAME}/{INDEX}", line=1),
                                    "target 'openai' writes Assistants API configs (API sunset 2026-08-26: archive and "
                                    "migration only); target 'openai-agents' writes runnable Agents SDK code")]
    roots, more = pick_entry(project, options)
    diags += more
    stems = _stems(project)
    used = {s.lower() for s in stems.values()}
    files: dict[str, FileText] = {}
    index: dict[str, Any] = {"generator": "agentc", "api": "assistants", "note": SUNSET_NOTE,
                             "entry": roots[0] if roots else None, "assistants": {}}
    stubs: dict[str, str] = {}  # dangling written name -> file stem
    announced: set[str] = set()
    # A delegate is a tool of every agent that hands work to it: each tool's JSON is written once
    # (1000 seed agents: 15,000 tools, half the time of writing the assistants' JSON).
    tool_texts: dict[tuple[str, str, str], str] = {}
    for agent in project.agents:
        taken: set[str] = set()
        tools, routes = [], {}
        kept, more = apply_dangling(project, agent.id, options, NAME, CODES, announced)
        diags += more
        for h in kept:
            fname, why = tool_name("delegate_to_", h.name, taken)
            if why:
                diags.append(diag("AGC704", h.span, f"tool for '{h.name}' in '{agent.name}' is named '{fname}': {why}"))
            key = (fname, h.name, h.description)
            if key not in tool_texts:
                tool_texts[key] = _tool_text(_function(*key))
            tools.append(tool_texts[key])
            routes[fname] = h.target
            if h.dangling and h.target not in stubs:
                stem, n = file_stem(h.name), 2
                while stem.lower() in used:
                    stem, n = f"{file_stem(h.name)}-{n}", n + 1
                used.add(stem.lower())
                stubs[h.target] = stem
        body = _assistant(agent, options, diags)
        path: str | None = f"assistants/{stems[agent.id]}.json"
        if len(body["instructions"]) <= LIMITS["instructions"]:
            files[path] = _assistant_file(body, tools)  # 1000 assistants: 45 MB of JSON, 90 MB as str
        else:  # AGC702 already says why; a file the API refuses would only repeat it
            path = None
        index["assistants"][agent.id] = {"name": agent.name, "file": path,
                                         "model": body["model"], "stub": False, "routes": routes}
    for written, stem in sorted(stubs.items()):
        body = {"model": ASSISTANT_FALLBACK_MODEL, "name": written[: LIMITS["name"]],
                "description": truncate_words(f"Placeholder for '{written}', which was not in the build.", LIMITS["description"]),
                "instructions": stub_prompt(written), "metadata": {"agentc_id": written[: LIMITS["metadata_value"]], "agentc_stub": "true"}}
        files[f"assistants/{stem}.json"] = _dump(body)
        index["assistants"][written] = {"name": written, "file": f"assistants/{stem}.json",
                                        "model": body["model"], "stub": True, "routes": {}}
    files[INDEX] = _dump(index)
    diags += claude_only_settings(list(project.agents), NAME)
    return Emitted(files=files, diagnostics=tuple(diags))


def validate(files: dict[str, FileText]) -> list[Diagnostic]:
    """Every JSON file loaded once (agentc's generic check skips them: `loads_itself`), every
    assistant body against the documented limits (the SDK's types: in the tests), the index's links."""
    out: list[Diagnostic] = []
    index = None
    for path, text in sorted(files.items()):
        if not path.endswith(".json"):
            continue
        try:
            data = jsontext.loads(text)
        except ValueError as exc:
            out.append(diag("AGC790", Span(file=path, line=1), f"not JSON: {exc}",
                            hint="this is a bug in agentc's openai target; please report it"))
            continue
        if path == INDEX:
            index = data
        elif path.startswith("assistants/"):
            out += [diag("AGC790", Span(file=path, line=1), p, hint="this is a bug in agentc's openai target; please report it")
                    for p in check_assistant(data, sdk=False)]
    if index is not None:
        known = set(index.get("assistants", {}))
        for agent_id, entry in index.get("assistants", {}).items():
            if entry.get("file") is not None and entry["file"] not in files:
                out.append(diag("AGC790", Span(file=INDEX, line=1), f"index names a missing file for '{agent_id}'"))
            for fname, target in entry.get("routes", {}).items():
                if target not in known:
                    out.append(diag("AGC790", Span(file=INDEX, line=1), f"route '{fname}' of '{agent_id}' leads nowhere"))
    return out


TARGET = Target(
    name=NAME,
    summary="OpenAI Assistants API configs (archival; API sunset 2026-08-26): assistants/<name>.json + index.json",
    emit=emit,
    validate=validate,
    loads_itself=(".json",),
    capabilities=frozenset({"delegation:function-tools", "model:openai"}),
)
