"""Trial statistics on tidy tables (numpy/scipy/pandas): MMRM, effect sizes, responder analyses.

Nothing here reaches storage or entry points; callers hand in DataFrames and get values back.
"""
