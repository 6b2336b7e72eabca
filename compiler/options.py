"""One typed options model for a build: read from `[tool.agentc]`, overridden by CLI flags."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError


class BuildOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sources: tuple[str, ...] = ()
    targets: tuple[str, ...] = ("all",)
    out: str = "build"
    strict: bool = False
    ignore: tuple[str, ...] = Field((), description="diagnostic codes (or prefixes: AGC3) to leave out")
    extend_ignore: tuple[str, ...] = Field((), description="more codes to leave out, on top of ignore")
    select: tuple[str, ...] = Field((), description="report only these codes (or prefixes); default: all")
    per_file_ignores: dict[str, tuple[str, ...]] = Field(default_factory=dict, description="glob -> codes left out "
                                                         "for the files it matches (a glob without '/' matches file names)")
    entry: str | None = Field(None, description="entry agent for framework targets; default: the agent nobody delegates to")
    dangling: Literal["stub", "drop", "error"] = Field("stub", description="what framework targets do with a target not in the build")
    model_map: dict[str, dict[str, str]] = Field(default_factory=dict, description="per target: agent model -> target model id")
    keep_unknown_keys: bool = Field(False, description="claude: keep frontmatter keys Claude Code does not know")
    plugin: bool = Field(False, description="claude: emit a plugin bundle (.claude-plugin/plugin.json + agents/)")
    plugin_name: str | None = None
    # Plugin manifest fields `claude plugin validate --strict` wants (issue 16); AGC410 when a default is used.
    plugin_version: str | None = Field(None, description="claude: plugin.json version (default 0.1.0)")
    plugin_author: str | None = Field(None, description="claude: plugin.json author name (default: agentc)")
    plugin_license: str | None = Field(None, description="claude: plugin.json license, an SPDX id (default: none written)")
    package: str | None = Field(None, description="langgraph: Python package name of the generated code; default <entry>_team")
    checkpointer: Literal["memory", "sqlite", "postgres", "none"] = Field(
        "memory", description="langgraph: where the generated CLI and app keep threads (postgres: the URI in $AGENTC_POSTGRES_URI)")
    recursion_limit: int = Field(50, ge=1, description="langgraph: super-steps per request before the graph stops")
    # Production defaults of the code targets (langgraph, openai-agents, crewai); each target's
    # README section says how it applies them. Overridable when the team is built in code.
    retries: int = Field(2, ge=0, le=20, description="code targets: retries of a model call that failed with a transient "
                         "error (rate limit, timeout, 5xx, connection), with exponential backoff and jitter")
    timeout_s: float = Field(120.0, gt=0, description="code targets: seconds one model call may take before it counts as failed")
    fallback_models: dict[str, list[str]] = Field(default_factory=dict, description="per target: model ids tried in order "
                                                  "when an agent's own model still fails after its retries")
    delegate_context: Literal["brief", "history"] = Field("brief", description="code targets: what a delegate reads: "
                                                          "the caller's brief (task + context), or the whole conversation")
    model_factory: str | None = Field(None, pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$", description="code targets: "
                                      "'module:function' returning each agent's chat model (env AGENTC_MODEL_FACTORY wins)")
    prices: dict[str, tuple[float, float]] = Field(default_factory=dict, description="code targets: model id -> "
                                                   "[USD per 1M input tokens, USD per 1M output tokens], for a cost estimate")
    guardrail: Literal["enforce", "warn", "off"] = Field("enforce", description="openai-agents, crewai: the completion "
                                                         "checklist as an output guardrail: retry with feedback, log, or off")
    serve: bool = Field(True, description="langgraph, openai-agents: generate the HTTP app (<package>/server.py, FastAPI)")
    max_request_bytes: int = Field(65536, ge=256, description="HTTP app: largest request body accepted (413 above)")
    delegation: Literal["tools", "handoffs"] = Field("tools", description="openai-agents: delegates as tools whose answer "
                                                     "returns to the caller (tools), or one-way handoffs")
    max_rpm: int | None = Field(None, ge=1, description="crewai: requests per minute per agent and for the crew")
    out_dirs: dict[str, str] = Field(default_factory=dict, description="per target: its own output folder instead of OUT/<target>")
    svg: bool = Field(False, description="diagram: also render delegation.svg with Graphviz (opt-in: the output "
                      "must not depend on whether a machine has dot)")
    svg_timeout_s: float = Field(5.0, gt=0, description="diagram: seconds dot may take before the SVG is skipped")
    svg_max_edges: int = Field(500, ge=0, description="diagram: no SVG for graphs with more edges than this")
    cache: bool = Field(True, description="reuse work from the last build (never changes the output)")
    cache_dir: str | None = Field(None, description="where the build cache lives (it gitignores itself); "
                                  "default: .agentc-cache beside the config file, else in OUT")

    @field_validator("*", mode="before")
    @classmethod
    def _strict_booleans(cls, value, info: ValidationInfo):
        """`strict = "yes"` or `1` is a mistake, not true: booleans are true or false only."""
        if cls.model_fields[info.field_name].annotation is bool and not isinstance(value, bool):
            raise PydanticCustomError("strict_bool", "must be true or false")
        return value

    def policy(self) -> dict:
        """The keyword arguments of `apply_policy` these options ask for."""
        return {"strict": self.strict, "ignore": self.ignore + self.extend_ignore, "select": self.select,
                "per_file_ignores": self.per_file_ignores}

    def cache_folder(self) -> str:
        return self.cache_dir or f"{self.out.rstrip('/') or '.'}/.agentc-cache"

    def out_dir(self, target: str) -> str:
        """The folder target `target` writes into."""
        return self.out_dirs.get(target) or f"{self.out.rstrip('/') or '.'}/{target}"
