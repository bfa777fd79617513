"""What storyforge keeps between builds: the content-addressed store, the lock, atomic files.

Entry points: `storyforge.store.objects.Store` (`.storyforge/` beside the story),
`storyforge.store.lock.Lock` (`story.lock`) and `storyforge.store.fsutil.atomic_writer`.
Imports nothing of storyforge but the ground floor.
"""
