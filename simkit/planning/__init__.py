"""Questions answered by many runs: sweeps over a grid, paired comparisons with
common random numbers, the headcount solver, and the course's rules of thumb
checked against the simulation."""

from simkit.planning.solvers import HeadcountPlan, compare, solve_headcount
from simkit.planning.sweep import sweep

__all__ = ["HeadcountPlan", "compare", "solve_headcount", "sweep"]
