"""What others wrote, made safe to show: Markdown to sanitised HTML, and bounded threads.

Everything a member or the writer types is Markdown. It is rendered once (a comment
when it is saved, a post when it is shown, cached by content) and then passed through
``nh3`` with a small list of tags, so no script, style, SVG, image, form or event
attribute survives, and links go only to ``http``, ``https`` or ``mailto``.

A comment thread can be arbitrarily deep or wide (a hostile member can post 10,000
nested replies). :func:`layout_page` and :func:`layout_flat` never walk more than
what one page shows: at most :data:`NODE_CAP` comments and :data:`CHAR_CAP` characters
of comment HTML per page, and at most :data:`MAX_LEVELS` levels of indentation; deeper
replies continue on their own page, shown flat.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import markdown as md
import nh3
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset({
    "p", "br", "em", "strong", "b", "i", "s", "del", "blockquote", "code", "pre",
    "ul", "ol", "li", "h3", "h4", "hr", "a",
})
ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
LINK_REL = "nofollow noopener noreferrer"
# Bidirectional embeddings, overrides and isolates can make text read differently
# from what it says (a reply that "says" one thing and displays another).
BIDI_CONTROLS = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x0000], None
)
MAX_SOURCE_CHARS = 300_000  # above any body the server accepts (256 KiB); a last bound

MAX_LEVELS = 6  # levels of indentation on a page; deeper replies continue elsewhere
NODE_CAP = 200  # comments rendered per page, however the thread is shaped
CHAR_CAP = 600_000  # characters of comment HTML per page


def strip_bidi(text: str) -> str:
    """Remove bidi override/isolate characters (and NUL) from untrusted text."""
    return text.translate(BIDI_CONTROLS)


def _only_safe_links(tag: str, attr: str, value: str) -> str | None:
    """Keep a link only if it is absolute http(s) or mailto (no relative or data: URLs)."""
    if tag == "a" and attr == "href":
        return value if value.strip().lower().startswith(ALLOWED_SCHEMES) else None
    return value


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML with everything outside a small list of tags removed."""
    source = strip_bidi((text or "")[:MAX_SOURCE_CHARS])
    html = md.markdown(source, extensions=["sane_lists"], output_format="html")
    # Headings 1 and 2 would compete with the page's own: shown a level or two down.
    html = (html.replace("<h1>", "<h3>").replace("</h1>", "</h3>")
            .replace("<h2>", "<h4>").replace("</h2>", "</h4>"))
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "svg", "math", "template", "noscript"},
        attributes={"a": {"href", "title"}},
        attribute_filter=_only_safe_links,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(strip_bidi(clean).strip())  # noqa: S308 - sanitised by nh3 just above


def render_cached(text: str) -> SafeString:
    """:func:`render_markdown`, remembered by content (posts are long and read often)."""
    key = "circle-md:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    hit = cache.get(key)
    if hit is not None:
        return mark_safe(hit)  # noqa: S308 - stored after sanitising
    html = render_markdown(text)
    cache.set(key, str(html), 60 * 60)
    return html


# --- threads ----------------------------------------------------------------------


# (id, parent id, characters of its HTML): what the layout needs to know of a comment.
# Plain tuples: a post can have 10,000 comments, and objects per row cost real time.
Row = tuple[int, int | None, int]


@dataclass
class Forest:
    """The comments of one post a viewer may see (or see a placeholder of), by parent."""

    children: dict[int | None, list[int]]
    parent: dict[int, int | None]  # every comment kept, and what it answers
    size: dict[int, int]
    readable: set[int] = field(default_factory=set)  # the rest are placeholders

    def __contains__(self, comment_id: object) -> bool:
        return comment_id in self.parent

    def descendants(self, root: int) -> Iterable[int]:
        """Depth-first, in order, without recursion (threads can be 10,000 deep)."""
        stack = list(reversed(self.children.get(root, [])))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(self.children.get(node, [])))

    def count_below(self, root: int) -> int:
        return sum(1 for _ in self.descendants(root))


def build_forest(rows: Iterable[Row], shown: Callable[[int], bool]) -> Forest:
    """Keep each comment ``shown`` to the viewer, and any ancestor of one (as a placeholder).

    ``shown(id)`` says whether the viewer may read that comment; a comment they may not
    read stays only when something they may read hangs under it, so a reply keeps its
    place under what it answers.
    """
    parent_of: dict[int, int | None] = {}
    size: dict[int, int] = {}
    for cid, parent, chars in rows:
        parent_of[cid] = parent
        size[cid] = chars
    children: dict[int | None, list[int]] = {}
    for cid, parent in parent_of.items():
        children.setdefault(parent if parent in parent_of else None, []).append(cid)
    order: list[int] = []
    seen: set[int] = set()
    stack = list(reversed(children.get(None, [])))
    while stack:  # pre-order; the reverse of it sees every child before its parent
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        stack.extend(reversed(children.get(node, [])))
    keep: set[int] = set()
    readable: set[int] = set()
    for node in reversed(order):  # children first: a kept child keeps its parent
        if shown(node):
            readable.add(node)
        elif node not in keep:
            continue
        keep.add(node)
        parent = parent_of[node]
        if parent is not None and parent in seen:
            keep.add(parent)
    kept_children = {p: [c for c in cs if c in keep] for p, cs in children.items()
                     if p is None or p in keep}
    return Forest({p: cs for p, cs in kept_children.items() if cs},
                  {k: parent_of[k] for k in keep}, {k: size[k] for k in keep}, readable)


@dataclass
class Slot:
    """One comment's place on a page: its level, and what to open or close after it."""

    id: int
    level: int
    opens: bool = False  # its replies follow, one level in
    closes: int = 0  # how many levels end after it
    more: int = 0  # replies not shown here (they continue on the thread page)
    reply_to: int | None = None  # flat pages: the comment this one answers
    reply_to_name: str = ""  # ... and who wrote it
    comment: object = None  # filled in by the view with the loaded comment

    @property
    def ref(self) -> str:
        """The id as text (templates format numbers slowly, through the locale)."""
        return str(self.id)

    @property
    def reply_ref(self) -> str:
        return str(self.reply_to) if self.reply_to is not None else ""

    @property
    def close_range(self) -> range:
        """For templates: one item per level that ends after this comment."""
        return range(self.closes)


@dataclass
class Layout:
    slots: list[Slot] = field(default_factory=list)
    cut_at: int | None = None  # a root whose thread was cut by the page's caps
    next_from: int | None = None  # where the next page starts, when there is one
    chars: int = 0

    def full(self, size: int) -> bool:
        """Whether a comment of ``size`` characters no longer fits (one always fits)."""
        if not self.slots:
            return False
        return len(self.slots) >= NODE_CAP or self.chars + size > CHAR_CAP

    def add(self, slot: Slot, size: int) -> Slot:
        self.slots.append(slot)
        self.chars += size
        return slot


def _close_levels(slots: list[Slot]) -> None:
    """Set ``opens``/``closes`` so a template can nest lists from the flat slot list."""
    for i, slot in enumerate(slots):
        nxt = slots[i + 1].level if i + 1 < len(slots) else 0
        slot.opens = nxt > slot.level
        slot.closes = max(0, slot.level - nxt)


def _lay_thread(forest: Forest, root: int, out: Layout) -> bool:
    """Add one thread, depth first, up to :data:`MAX_LEVELS`; False if the caps cut it."""
    stack: list[tuple[int, int]] = [(root, 0)]
    while stack:
        node, level = stack.pop()
        size = forest.size[node]
        if out.full(size):
            return False
        slot = out.add(Slot(node, level), size)
        kids = forest.children.get(node, [])
        if kids and level + 1 >= MAX_LEVELS:
            slot.more = forest.count_below(node)
        else:
            stack.extend((k, level + 1) for k in reversed(kids))
    return True


def layout_page(forest: Forest, start: int, max_threads: int) -> Layout:
    """Threads from the ``start``-th top-level comment on, nested, within the caps.

    A thread the caps cut short ends with a link to its own page (``cut_at``); the next
    page begins with the thread after it, so no thread is ever skipped.
    """
    roots = forest.children.get(None, [])
    out = Layout()
    for index in range(start, min(len(roots), start + max_threads)):
        root = roots[index]
        if out.full(forest.size[root]):
            out.next_from = index
            break
        if not _lay_thread(forest, root, out):
            out.cut_at = root
            out.next_from = index + 1
            break
    else:
        if start + max_threads < len(roots):
            out.next_from = start + max_threads
    if out.next_from is not None and out.next_from >= len(roots):
        out.next_from = None
    _close_levels(out.slots)
    return out


def layout_flat(forest: Forest, anchor: int, start: int) -> Layout:
    """Everything under ``anchor``, flat and in order, from position ``start``.

    The anchor itself comes first. Each slot names the comment it replies to, since
    indentation no longer shows it.
    """
    out = Layout()
    out.add(Slot(anchor, 0), forest.size[anchor])
    for pos, node in enumerate(forest.descendants(anchor)):
        if pos < start:
            continue
        size = forest.size[node]
        if out.full(size):
            out.next_from = pos
            break
        out.add(Slot(node, 0, reply_to=forest.parent[node]), size)
    return out
