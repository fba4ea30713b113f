"""Family trees: group related documents into stories, and within each story who derived
from whom (a stemma), with lost sources where the evidence needs one."""
from .render import render_story
from .stories import group_stories
from .tree import build_stemma, build_stories

__all__ = ["group_stories", "build_stemma", "build_stories", "render_story"]
