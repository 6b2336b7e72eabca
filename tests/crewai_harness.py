"""Runs a generated crew in a fresh process, offline, and reports what happened as JSON.

    python crewai_harness.py load REPORT PROJECT...    construct each crew (real crewai, no kickoff)
    python crewai_harness.py kickoff REPORT PROJECT    kick the crew off with a scripted offline LLM
    python crewai_harness.py cli REPORT PROJECT        the crew's own CLI (main.cli), one scripted LLM per
                                                       agent through the model factory hook
    python crewai_harness.py models REPORT PROJECT     the crew class with models={...}: a bad key, then a run

The scripted LLM is steered by AGENTC_* variables (see scripted_llm); AGENTC_CLI_ARGS holds the
CLI's options as a JSON list, AGENTC_OTEL=1 records OpenTelemetry spans in memory.

The parent test sets the environment (telemetry off, HOME and CREWAI_STORAGE_DIR in a temp
dir, AGENTC_SANDBOX = the only folder writes may go to). Audit hooks installed before crewai is
imported refuse every network attempt and record every write outside the sandbox.
"""

import json
import os
import re
import sys
import traceback

SANDBOX = os.path.realpath(os.environ["AGENTC_SANDBOX"])
NETWORK = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "http.client.connect"}
REPORT: dict = {"network": [], "writes_outside": [], "calls": [], "errors": []}


def _outside(path) -> bool:
    if not isinstance(path, (str, bytes, os.PathLike)) or isinstance(path, int):
        return False
    real = os.path.realpath(os.fsdecode(path))
    return not (real == SANDBOX or real.startswith(SANDBOX + os.sep) or real.startswith("/dev/") or real.startswith("/proc/"))


def _audit(event: str, args: tuple) -> None:
    if event in NETWORK and "AF_UNIX" not in repr(args):
        REPORT["network"].append(f"{event} {args!r}"[:200])
        raise OSError(f"network refused by the test harness: {event}")
    if event == "open" and len(args) > 1 and isinstance(args[1], str) and set(args[1]) & set("wax+"):
        if _outside(args[0]):
            REPORT["writes_outside"].append(f"open {args[0]} {args[1]}")
    elif event == "open" and len(args) > 2 and isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
        if _outside(args[0]):
            REPORT["writes_outside"].append(f"open {args[0]} flags={args[2]}")
    elif event in ("os.mkdir", "os.rename", "os.remove", "shutil.rmtree", "sqlite3.connect") and args and _outside(args[0]):
        REPORT["writes_outside"].append(f"{event} {args[0]}")


sys.addaudithook(_audit)


def crew_class(project: str):
    """The @CrewBase class of a generated project (its package is the folder name)."""
    import importlib

    package = os.path.basename(os.path.normpath(project))
    sys.path.insert(0, os.path.join(project, "src"))
    module = importlib.import_module(f"{package}.crew")
    return next(v for k, v in vars(module).items() if isinstance(v, type) and getattr(v, "is_crew_class", False))


def usage_of(role) -> dict:
    """What the scripted model reports for one call: different per agent, so sums are checked."""
    size = len(role or "")
    return {"prompt_tokens": 100 + 7 * size, "completion_tokens": 20 + size, "total_tokens": 120 + 8 * size}


def checklist_answer(text: str, head: str) -> str:
    """A final answer ending with the checklist that the task description asks for."""
    task = text[text.find("repeats each item below"):]
    items = re.findall(r"^- \[ \] (.+)$", task, re.M)
    ticks = "\n".join(f"- [x] {item}" for item in items)
    return f"{head}\n\nCompletion checklist\n{ticks}"


def scripted_llm(model_id=None):
    """A crewai BaseLLM that answers by role and by what the conversation already holds.

    AGENTC_NATIVE=1: native function calling, and the manager asks for two delegations
    (AGENTC_DELEGATE, AGENTC_DELEGATE2) in one response. Otherwise crewai's text ReAct protocol.
    """
    from crewai import BaseLLM

    manager_role = os.environ["AGENTC_MANAGER"]
    fail_once = os.environ.get("AGENTC_FAIL_ONCE", "")
    fail_always = os.environ.get("AGENTC_FAIL_ALWAYS", "")
    fail_models = set(filter(None, os.environ.get("AGENTC_FAIL_MODELS", "").split(",")))
    delegate_to = os.environ["AGENTC_DELEGATE"]
    second = os.environ.get("AGENTC_DELEGATE2", "")
    sub_delegate = os.environ.get("AGENTC_SUB_DELEGATE", "")
    native = os.environ.get("AGENTC_NATIVE") == "1"
    lazy = os.environ.get("AGENTC_LAZY_CHECKLIST") == "1"  # first final answer without the checklist

    def action(coworker: str, task: str) -> str:
        args = json.dumps({"task": task, "context": CONTEXT, "coworker": coworker})
        return f"Thought: {coworker} owns this part.\nAction: delegate_work_to_coworker\nAction Input: {args}"

    def tool_call(n: int, coworker: str, task: str) -> dict:
        args = json.dumps({"task": task, "context": CONTEXT, "coworker": coworker})
        return {"id": f"call_{n}", "type": "function", "function": {"name": "delegate_work_to_coworker", "arguments": args}}

    class ScriptedLLM(BaseLLM):
        llm_type: str = "agentc-scripted"

        def call(self, messages, tools=None, callbacks=None, available_functions=None,
                 from_task=None, from_agent=None, response_model=None):
            msgs = [{"role": "user", "content": messages}] if isinstance(messages, str) else list(messages)
            text = "\n".join(str(m.get("content") or "") for m in msgs)
            said = "\n".join(str(m.get("content") or "") + json.dumps(m.get("tool_calls") or "")
                             for m in msgs if m.get("role") == "assistant")
            role = getattr(from_agent, "role", None)
            call = {"role": role, "model": self.model, "system": str(msgs[0].get("content") or "")[:20000],
                    "prompt": text[-6000:], "messages": [{"role": m.get("role"), "content": str(m.get("content") or "")[:3000]}
                                                         for m in msgs], "tools": [t.get("function", t).get("name") for t in tools or []]}
            REPORT["calls"].append(call)
            if self.model in fail_models:
                raise ConnectionError(f"model {self.model} is unreachable")
            if role == fail_always:
                raise ConnectionError(f"{role}'s model backend is down")
            if role == fail_once and role not in REPORT.setdefault("failed", []):
                REPORT["failed"].append(role)
                raise RuntimeError(f"429 Too Many Requests: {role} is rate limited")
            # Usage as a provider reports it, different per agent (see usage_of).
            call["usage"] = usage_of(role)
            self._track_token_usage_internal(call["usage"])
            if role == manager_role:
                if native and not any(m.get("role") == "tool" for m in msgs):
                    return [tool_call(1, delegate_to, "Fine-tune a small judge model on the collected human labels."),
                            tool_call(2, second, "Decide whether the judge's metric change is significant.")]
                if not native and f'"coworker": "{delegate_to}"' not in said:
                    return action(delegate_to, "Fine-tune a small judge model on the collected human labels.")
                results = [m["content"] for m in msgs if m.get("role") == "tool"]
                head = f"DONE by {delegate_to}." + "".join(f"\n{r}" for r in results)
                final = "Thought: I now know the final answer\nFinal Answer: " if not native else ""
                if "repeats each item below" in text and (lazy or not native) and "Previous attempt failed validation" not in text:
                    return final + "A plan without the checklist."
                return final + checklist_answer(text, head)
            if role == delegate_to and sub_delegate and not native and f'"coworker": "{sub_delegate}"' not in said \
                    and "delegate_work_to_coworker" in text:
                return action(sub_delegate, "Export the labelled transcripts as a versioned snapshot.")
            return ("" if native else "Thought: I now know the final answer\nFinal Answer: ") + f"{role} did its part."

        def supports_function_calling(self) -> bool:
            return native  # else crewai's text ReAct protocol: Action / Action Input / Final Answer

        def get_context_window_size(self) -> int:
            return 200_000

    return ScriptedLLM(model=model_id or "agentc-scripted")


CONTEXT = "Offline test of the compiled crew: the labels are in the eval store."


REQUEST = os.environ.get("AGENTC_REQUEST_TEXT") or "Our judge disagrees with humans; fix it."


def tracing():
    """With AGENTC_OTEL=1: an OpenTelemetry SDK provider whose spans land in memory."""
    if os.environ.get("AGENTC_OTEL") != "1":
        return None
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return exporter


def main() -> int:
    mode, report_path, projects = sys.argv[1], sys.argv[2], sys.argv[3:]
    exporter = tracing()
    REPORT.update(request=REQUEST, context=CONTEXT)
    try:
        if mode == "load":
            loaded = []
            for project in projects:
                crew = crew_class(project)(llm=scripted_llm_for_load()).crew()
                loaded.append({"project": project, "agents": [a.role for a in crew.agents],
                               "manager": crew.manager_agent.role, "tasks": len(crew.tasks)})
            REPORT["loaded"] = loaded
        elif mode == "cli":
            import contextlib
            import importlib
            import io

            os.environ["AGENTC_MODEL_FACTORY"] = "__main__:factory"  # this script's factory()
            crew_class(projects[0])  # puts the project's src/ on sys.path
            main_module = importlib.import_module(f"{os.path.basename(os.path.normpath(projects[0]))}.main")
            REPORT["module"], cli = main_module.__file__, main_module.cli
            out, err = io.StringIO(), io.StringIO()
            args = json.loads(os.environ.get("AGENTC_CLI_ARGS", "[]"))
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                REPORT["exit"] = cli([*args, REQUEST])
            REPORT["stdout"], REPORT["stderr"] = out.getvalue(), err.getvalue()
        elif mode == "models":
            cls = crew_class(projects[0])
            try:
                cls(models={"ai-engineer": scripted_llm(), "ml_engineer": scripted_llm()})
            except ValueError as error:
                REPORT["unknown"] = f"{type(error).__name__}: {error}"
            team = cls(llm=scripted_llm("agentc-scripted/shared"), models={"ml-engineer": scripted_llm("agentc-scripted/ml")})
            REPORT["raw"] = team.crew().kickoff(inputs={"request": REQUEST}).raw
            REPORT["usage"] = team.meter.report()
        else:
            result = crew_class(projects[0])(llm=scripted_llm()).crew().kickoff(
                inputs={"request": REQUEST + " Keep {user_id} literal."})
            REPORT["raw"] = result.raw
    except Exception:
        REPORT["errors"].append(traceback.format_exc())
    if exporter is not None:
        REPORT["spans"] = [{"name": s.name, "attributes": dict(s.attributes or {}),
                            "parent": s.parent.span_id if s.parent else None, "id": s.context.span_id}
                           for s in exporter.get_finished_spans()]
    with open(report_path, "w", encoding="utf-8") as f:
        json.dump(REPORT, f)
    return 0


def factory(agent_key: str, model_id):
    """The model factory hook of the generated crew: a scripted LLM per agent and model id."""
    REPORT.setdefault("factory", []).append([agent_key, model_id])
    return scripted_llm(model_id)


def scripted_llm_for_load():
    os.environ.setdefault("AGENTC_MANAGER", "")
    os.environ.setdefault("AGENTC_DELEGATE", "")
    return scripted_llm()


if __name__ == "__main__":
    sys.exit(main())
