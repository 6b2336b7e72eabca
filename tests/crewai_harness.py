"""Runs a generated crew in a fresh process, offline, and reports what happened as JSON.

    python crewai_harness.py load REPORT PROJECT...    construct each crew (real crewai, no kickoff)
    python crewai_harness.py kickoff REPORT PROJECT    kick the crew off with a scripted offline LLM
    python crewai_harness.py cli REPORT PROJECT        the crew's own CLI (main.cli), one scripted LLM per
                                                       agent through the model factory hook

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


def scripted_llm():
    """A crewai BaseLLM that answers by role and by what the conversation already holds."""
    from crewai import BaseLLM

    manager_role = os.environ["AGENTC_MANAGER"]
    fail_once = os.environ.get("AGENTC_FAIL_ONCE", "")
    fail_always = os.environ.get("AGENTC_FAIL_ALWAYS", "")
    delegate_to = os.environ["AGENTC_DELEGATE"]
    sub_delegate = os.environ.get("AGENTC_SUB_DELEGATE", "")

    def action(coworker: str, task: str) -> str:
        args = json.dumps({"task": task, "context": "Offline test of the compiled crew.", "coworker": coworker})
        return f"Thought: {coworker} owns this part.\nAction: delegate_work_to_coworker\nAction Input: {args}"

    class ScriptedLLM(BaseLLM):
        llm_type: str = "agentc-scripted"

        def call(self, messages, tools=None, callbacks=None, available_functions=None,
                 from_task=None, from_agent=None, response_model=None):
            msgs = [{"role": "user", "content": messages}] if isinstance(messages, str) else list(messages)
            text = "\n".join(str(m.get("content") or "") for m in msgs)
            said = "\n".join(str(m.get("content") or "") for m in msgs if m.get("role") == "assistant")
            role = getattr(from_agent, "role", None)
            REPORT["calls"].append({"role": role, "system": str(msgs[0].get("content") or "")[:20000],
                                    "prompt": text[-6000:]})
            if role == fail_always or (role == fail_once and role not in REPORT.setdefault("failed", [])):
                REPORT.setdefault("failed", []).append(role)
                raise RuntimeError(f"429 Too Many Requests: {role} is rate limited")
            # Usage as a provider reports it: 100 prompt + 20 completion tokens per call.
            self._track_token_usage_internal({"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120})
            if role == manager_role:
                if f'"coworker": "{delegate_to}"' not in said:
                    return action(delegate_to, "Fine-tune a small judge model on the collected human labels.")
                # The checklist as the task description states it (the system prompt has others).
                task = text[text.find("repeats each item below"):]
                items = re.findall(r"^- \[ \] (.+)$", task, re.M)
                if "repeats each item below" in text and "Previous attempt failed validation" not in text:
                    return "Thought: I now know the final answer\nFinal Answer: A plan without the checklist."
                ticks = "\n".join(f"- [x] {item}" for item in items)
                return f"Thought: I now know the final answer\nFinal Answer: DONE by {delegate_to}.\n\nCompletion checklist\n{ticks}"
            if role == delegate_to and sub_delegate and f'"coworker": "{sub_delegate}"' not in said and "delegate_work_to_coworker" in text:
                return action(sub_delegate, "Export the labelled transcripts as a versioned snapshot.")
            return f"Thought: I now know the final answer\nFinal Answer: {role} did its part."

        def supports_function_calling(self) -> bool:
            return False  # crewai's text ReAct protocol: Action / Action Input / Final Answer

        def get_context_window_size(self) -> int:
            return 200_000

    return ScriptedLLM(model="agentc-scripted")


def main() -> int:
    mode, report_path, projects = sys.argv[1], sys.argv[2], sys.argv[3:]
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
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                REPORT["exit"] = cli(["Our judge disagrees with humans; fix it."])
            REPORT["stdout"], REPORT["stderr"] = out.getvalue(), err.getvalue()
        else:
            result = crew_class(projects[0])(llm=scripted_llm()).crew().kickoff(
                inputs={"request": "Our judge disagrees with humans; fix it. Keep {user_id} literal."})
            REPORT["raw"] = result.raw
    except Exception:
        REPORT["errors"].append(traceback.format_exc())
    with open(report_path, "w", encoding="utf-8") as f:
        json.dump(REPORT, f)
    return 0


def factory(agent_key: str, model_id):
    """The model factory hook of the generated crew: a scripted LLM per agent."""
    return scripted_llm()


def scripted_llm_for_load():
    os.environ.setdefault("AGENTC_MANAGER", "")
    os.environ.setdefault("AGENTC_DELEGATE", "")
    return scripted_llm()


if __name__ == "__main__":
    sys.exit(main())
