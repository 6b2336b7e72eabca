"""An OpenAI Agents SDK team compiled by agentc. Do not edit: rebuild with `agentc build`.

One `Agent` per agent file; delegation edges are handoffs with snake_case tool names. The
instructions are the prompt files in `prompts/`, loaded as package resources. Nothing here
needs an API key until a run: inject models with `build_agents(model=..., models={...})`.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

from agents import Agent, Model, handoff

ENTRY = "sim-lead"

# Agent id -> OpenAI model id from agentc's model map; None leaves it to the SDK's default.
MODELS: dict[str, str | None] = {
    "sim-lead": "gpt-5.5",
    "mesh-builder": "gpt-5.4-mini",
    "solver-tuner": None,
    "sim-validator": "gpt-5.4",
    "hpc-scheduler": None,
}


def _prompt(file: str) -> str:
    return resources.files(__package__).joinpath("prompts", file).read_text(encoding="utf-8")


def build_agents(
    model: str | Model | None = None, models: Mapping[str, str | Model] | None = None
) -> dict[str, Agent]:
    """Every agent of the team with its handoffs, keyed by agent id.

    An agent's model is `models[id]` if given, else `model`, else its entry in MODELS.
    """
    chosen = dict(models or {})

    def pick(agent_id: str) -> str | Model | None:
        if agent_id in chosen:
            return chosen[agent_id]
        return model if model is not None else MODELS[agent_id]

    sim_lead = Agent(
        name="sim-lead",
        instructions=_prompt("sim_lead.md"),
        handoff_description='Simulation lead for computational mechanics campaigns. Plans the sequence of meshing, solver configuration and validation, then assembles the results into a defensible report. <example> Context: The user has a CAD model of a heat exchanger and wants a pressure-drop prediction they can trust. user: "Can you set up a CFD study for this exchanger and tell me how confident we should be in the pressure drop?" assistant: "I\'ll plan the whole campaign: a mesh convergence study first, then solver settings, then a comparison against the vendor\'s test data." <commentary> The request spans several stages and ends in a confidence statement, which is exactly the planning and coordination work this lead owns. </commentary> </example>',
        model=pick("sim-lead"),
    )
    mesh_builder = Agent(
        name="mesh-builder",
        instructions=_prompt("mesh_builder.md"),
        handoff_description="Geometry cleanup and mesh convergence studies; Boundary layer resolution that affects both accuracy and run time; Several candidate geometries need meshes; Discretization error is larger than the validation tolerance",
        model=pick("mesh-builder"),
    )
    solver_tuner = Agent(
        name="solver-tuner",
        instructions=_prompt("solver_tuner.md"),
        handoff_description="Time step, relaxation and linear solver choices; Boundary layer resolution that affects both accuracy and run time; Settings can be explored on a coarse mesh while fine meshes build; adjust relaxation factors and the time step, keeping the mesh fixed so we change one thing at a time; A refined mesh converges slowly or not at all",
        model=pick("solver-tuner"),
    )
    sim_validator = Agent(
        name="sim-validator",
        instructions=_prompt("sim_validator.md"),
        handoff_description="Comparison against experiments or analytical cases; Final results are ready for comparison; compare the converged prediction with the vendor's measured pressure drop before we report it",
        model=pick("sim-validator"),
    )
    hpc_scheduler = Agent(
        name="hpc-scheduler",
        instructions=_prompt("hpc_scheduler.md"),
        handoff_description="Queueing large parameter sweeps on the cluster",
        model=pick("hpc-scheduler"),
    )
    # Handoffs are attached once every agent exists, because delegation graphs have cycles.
    sim_lead.handoffs = [
        handoff(
            mesh_builder,
            tool_name_override="transfer_to_mesh_builder",
            tool_description_override="Geometry cleanup and mesh convergence studies; Boundary layer resolution that affects both accuracy and run time; Several candidate geometries need meshes",
        ),
        handoff(
            solver_tuner,
            tool_name_override="transfer_to_solver_tuner",
            tool_description_override="Time step, relaxation and linear solver choices; Boundary layer resolution that affects both accuracy and run time; Settings can be explored on a coarse mesh while fine meshes build; adjust relaxation factors and the time step, keeping the mesh fixed so we change one thing at a time",
        ),
        handoff(
            sim_validator,
            tool_name_override="transfer_to_sim_validator",
            tool_description_override="Comparison against experiments or analytical cases; Final results are ready for comparison; compare the converged prediction with the vendor's measured pressure drop before we report it",
        ),
        handoff(
            hpc_scheduler,
            tool_name_override="transfer_to_hpc_scheduler",
            tool_description_override="Queueing large parameter sweeps on the cluster",
        ),
    ]
    mesh_builder.handoffs = [
        handoff(
            solver_tuner,
            tool_name_override="transfer_to_solver_tuner",
            tool_description_override="A refined mesh converges slowly or not at all",
        ),
    ]
    sim_validator.handoffs = [
        handoff(
            mesh_builder,
            tool_name_override="transfer_to_mesh_builder",
            tool_description_override="Discretization error is larger than the validation tolerance",
        ),
    ]
    return {
        "sim-lead": sim_lead,
        "mesh-builder": mesh_builder,
        "solver-tuner": solver_tuner,
        "sim-validator": sim_validator,
        "hpc-scheduler": hpc_scheduler,
    }


def entry_agent(
    model: str | Model | None = None, models: Mapping[str, str | Model] | None = None
) -> Agent:
    """The agent a run starts with: `build_agents(...)[ENTRY]`."""
    return build_agents(model=model, models=models)[ENTRY]
