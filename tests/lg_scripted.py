"""Scripted offline chat models for generated langgraph packages, loaded through the factory
hook (AGENTC_MODEL_FACTORY=lg_scripted:make) by subprocess tests: the CLI of an installed
project, uvicorn, `langgraph dev`. Not a test module (conftest ignores it).

The entry agent delegates to ml-engineer once, then answers with what came back; every other
agent answers at once. Each call reports 10 input and 5 output tokens. `SCRIPTED_FAIL=agent`
makes that agent's model raise a (non-transient) error every time; `SCRIPTED_LOOP=1` makes
the entry agent delegate forever (until the recursion limit).
"""

from __future__ import annotations

import os

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

USAGE = {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}


class ScriptedChatModel(BaseChatModel):
    agent: str

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, **kwargs):
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        if os.environ.get("SCRIPTED_FAIL") == self.agent:
            raise RuntimeError(f"scripted failure of {self.agent}")
        humans = [m.text for m in messages if m.type == "human"]
        last = max(i for i, m in enumerate(messages) if m.type == "human")
        results = [m for m in messages[last:] if m.type == "tool"]  # answers to this request
        if self.agent == "ai-engineer" and (not results or os.environ.get("SCRIPTED_LOOP")):
            call = {"name": "transfer_to_ml_engineer", "args": {"task": f"advise on: {humans[-1]}"}, "id": f"call_{len(messages)}"}
            reply = AIMessage("", tool_calls=[call], usage_metadata=USAGE)
        elif self.agent == "ai-engineer":
            reply = AIMessage(f"FINAL ({len(humans)} requests so far): {results[-1].text}", usage_metadata=USAGE)
        else:
            reply = AIMessage(f"{self.agent} says: {humans[-1]}", usage_metadata=USAGE)
        return ChatResult(generations=[ChatGeneration(message=reply)])


def make(agent: str, model_id: str | None) -> ScriptedChatModel:
    return ScriptedChatModel(agent=agent)
