"""Plan → Results: the calls a plan needs, made in dependency order, stored as they land.

The pipeline that runs a build top to bottom, the scheduler and its limits, one call of a
step, freshness (what may be reused), settling calls into results, the recorder that
keeps OUT and the lock current, progress on the terminal (the one home of rich), the
prediction `plan` prints, and `pick`. Entry point: `storyforge.build.pipeline.build`.
"""
