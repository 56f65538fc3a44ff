"""Policy mechanisms: one module per policy; :mod:`agents.policies.catalogue` maps every lever to it.

A policy is a set of levers in ``sim.params.PolicyParams`` whose defaults are the baseline; a scenario
file changes them (from a given year with a dated change). Each lever is read in its policy's module
only; the processes call the module's functions.
"""
