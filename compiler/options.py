"""One typed options model for a build: read from `[tool.agentc]`, overridden by CLI flags."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class BuildOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sources: tuple[str, ...] = ()
    targets: tuple[str, ...] = ("all",)
    out: str = "build"
    strict: bool = False
    ignore: tuple[str, ...] = Field((), description="diagnostic codes to leave out")
    entry: str | None = Field(None, description="entry agent for framework targets; default: the agent nobody delegates to")
    dangling: Literal["stub", "drop", "error"] = Field("stub", description="what framework targets do with a target not in the build")
    model_map: dict[str, dict[str, str]] = Field(default_factory=dict, description="per target: agent model -> target model id")
    keep_unknown_keys: bool = Field(False, description="claude: keep frontmatter keys Claude Code does not know")
    plugin: bool = Field(False, description="claude: emit a plugin bundle (.claude-plugin/plugin.json + agents/)")
    plugin_name: str | None = None
    package: str | None = Field(None, description="langgraph: Python package name of the generated code; default <entry>_team")
    checkpointer: Literal["memory", "sqlite", "none"] = Field("memory", description="langgraph: the checkpointer the generated CLI uses")
    recursion_limit: int = Field(50, ge=1, description="langgraph: super-steps per request before the graph stops")
    retries: int = Field(2, ge=0, description="code targets: retries of a model call that failed transiently (429, 5xx, "
                         "network, timeout), with exponential backoff and jitter")
    timeout_s: float = Field(120.0, gt=0, description="code targets: seconds one model call may take (crewai: one agent's "
                             "whole execution)")
    model_factory: str | None = Field(None, description="code targets: 'module:function' returning the model for an agent "
                                      "(the AGENTC_MODEL_FACTORY environment variable wins)")
    serve: bool = Field(True, description="langgraph, openai-agents: also generate a FastAPI app (server.py)")
    delegation: Literal["tools", "handoffs"] = Field("tools", description="openai-agents: delegates as tools whose answer "
                                                     "returns to the caller (tools), or one-way handoffs")
    guardrail: Literal["enforce", "warn", "off"] = Field("enforce", description="openai-agents, crewai: the entry agent's "
                                                         "completion checklist checked on the final answer")
    max_rpm: int | None = Field(None, ge=1, description="crewai: requests per minute per agent and for the crew")
    out_dirs: dict[str, str] = Field(default_factory=dict, description="per target: its own output folder instead of OUT/<target>")
    svg: bool = Field(False, description="diagram: also render delegation.svg with Graphviz (opt-in: the output "
                      "must not depend on whether a machine has dot)")
    svg_timeout_s: float = Field(5.0, gt=0, description="diagram: seconds dot may take before the SVG is skipped")
    svg_max_edges: int = Field(500, ge=0, description="diagram: no SVG for graphs with more edges than this")
    cache: bool = Field(True, description="reuse work from the last build (never changes the output)")
    cache_dir: str | None = Field(None, description="where the build cache lives (it gitignores itself); "
                                  "default: .agentc-cache beside the config file, else in OUT")

    def cache_folder(self) -> str:
        return self.cache_dir or f"{self.out.rstrip('/') or '.'}/.agentc-cache"

    def out_dir(self, target: str) -> str:
        """The folder target `target` writes into."""
        return self.out_dirs.get(target) or f"{self.out.rstrip('/') or '.'}/{target}"
