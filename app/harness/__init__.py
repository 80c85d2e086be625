"""Code that runs inside the learner's interpreter: standard library only, no `app` imports.

The runner copies these files next to the learner's code; nothing here may import from the
server's packages or third-party libraries.
"""
