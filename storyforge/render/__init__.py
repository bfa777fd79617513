"""Pictures storyforge draws itself: offline sketches and the contact sheet."""
