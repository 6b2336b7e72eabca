"""The plugin bundle's own files: plugin.json, a README per plugin, and marketplace.json when the
output holds several plugins. Shaped so `claude plugin validate --strict` (npm
`@anthropic-ai/claude-code`) accepts them: it warns, and `--strict` fails, on a manifest without
`version` or `author`; its directory profile also wants a README and a licence.
"""

from __future__ import annotations

import json

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span

DEFAULT_VERSION = "0.1.0"
DEFAULT_AUTHOR = "agentc"


def manifest_fields(options: BuildOptions) -> tuple[dict, list[Diagnostic]]:
    """version/author/license from the options; AGC410 for each one that takes a default."""
    where = Span(file="<configuration>", line=1)
    diags = []
    fields: dict = {"version": options.plugin_version or DEFAULT_VERSION, "author": {"name": options.plugin_author or DEFAULT_AUTHOR}}
    for key, default in (("plugin_version", DEFAULT_VERSION), ("plugin_author", DEFAULT_AUTHOR)):
        if getattr(options, key) is None:
            diags.append(diag("AGC410", where, f"{key} is not set; plugin.json gets '{default}'",
                              hint=f"set {key} in [tool.agentc]"))
    if options.plugin_license:
        fields["license"] = options.plugin_license
    else:
        diags.append(diag("AGC410", where, "plugin_license is not set; plugin.json has no license (Claude's plugin "
                          "directory refuses a plugin with neither a license nor a LICENSE file)",
                          hint="set plugin_license = \"MIT\" (an SPDX id) in [tool.agentc]"))
    return fields, diags


def plugin_json(name: str, description: str, fields: dict) -> str:
    manifest = {"name": name, "version": fields["version"], "description": description, "author": fields["author"]}
    if "license" in fields:
        manifest["license"] = fields["license"]
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def readme(name: str, description: str, agents: list[AgentIR], fields: dict) -> str:
    """What the plugin holds, for people and for the plugin directory's review (>= 40 words)."""
    lines = [f"# {name}", "", f"{description}.", "",
             "This Claude Code plugin bundles the subagents below. Install the plugin, then ask Claude Code for the work "
             "an agent describes, or name the agent (`@agent-name`) to use it directly. The files were compiled by "
             "agentc from the agent sources; rebuild with `agentc build` rather than editing them here.", "",
             "Install it from the marketplace that lists it (replace `<owner>/<repo>` with the repository that holds it):", "",
             "```", f"/plugin install {name} --marketplace <owner>/<repo>", "```", "",
             "## Agents", ""]
    for a in sorted(agents, key=lambda a: a.name):
        text = " ".join(a.description.split())
        lines.append(f"- **{a.name}**: {text}" if text else f"- **{a.name}**")
    lines += ["", f"Version {fields['version']}" + (f", license {fields['license']}." if "license" in fields else "."), ""]
    return "\n".join(lines)


def marketplace_json(name: str, plugins: list[tuple[str, str, str]], fields: dict) -> str:
    """`.claude-plugin/marketplace.json` listing (plugin name, folder, description)."""
    doc = {"name": name, "owner": fields["author"], "description": f"Claude Code plugins compiled by agentc ({len(plugins)})",
           "plugins": [
        {"name": p, "source": f"./{folder}", "description": desc, "version": fields["version"]} for p, folder, desc in plugins]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
