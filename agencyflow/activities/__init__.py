"""Activities: every side effect of a workflow, one module per kind of effect."""
