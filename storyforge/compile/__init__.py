"""Story → Plan: every generation call a story needs, checked offline, in dependency order.

Steps and their effective settings, the input policy, prompts and templates (the one home
of Jinja), request keys, the step graph (the one home of networkx), plan values, costs.
Entry point: `storyforge.compile.compiler.compile_plan`.
"""
