"""storyforge: make for storyboards, compiled into Gemini image calls."""

__version__ = "0.1.0"
