"""Audit one derived document against the source(s) it was made from.

Every check reads a derived sentence next to the source sentence it was linked with
(``links.py``), so each finding points at two places a person can read side by side.  The
checks are rules over those pairs (numbers, quotations, speakers, hedges) plus two over the
whole text (what the derived text adds, what it drops); each is tuned for precision, since a
journalist stops trusting a tool after a few false alarms.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..model import Document, Finding, Passage
from ..text.tokens import STOPWORDS, tokenize, word_keys
from .attribution import Hedge, Speaker, find_hedges, find_speakers, speakers_agree, trailing_speaker, uncited_kinds
from .facts import find_names, name_forms, negations, opposites, supported
from .links import SentenceLink, Sentences, dice, link_sentences, share_found
from .numbers import Quantity, find_quantities
from .quotes import explain_quote, find_quotations, quote_is_faithful


@dataclass(frozen=True)
class AuditThresholds:
    same_statement: float = 0.5  # content-word Dice for two sentences to say the same thing...
    same_statement_by_passage: float = 0.3  # ...or this, when the aligner paired them
    related_statement: float = 0.2  # a sentence reworded too far to compare speakers one to one is still
    # checked, from this Dice, for an authority its source never cites
    hedge_clause_words: int = 4  # content words each side of a hedge that stand for the claim it qualifies
    merged_words: int = 3  # content words a sentence takes from each of two source sentences it merges
    addition_min_words: int = 6  # shorter sentences are connective text
    addition_max_dice: float = 0.3  # a sentence this unlike every source sentence...
    addition_max_found: float = 0.6  # ...whose words are mostly absent from the source...
    addition_max_cosine: float = 0.6  # ...and whose meaning no source sentence carries (MiniLM)
    addition_max_cosine_static: float = 0.7  # the same, read with static vectors (fast mode)
    omission_neighbourhood: int = 2  # a dropped sentence counts only amid material the copy kept
    omission_max_dice: float = 0.3
    same_but_for_number: float = 0.7  # content-word Dice above which a sentence is its source's, edited
    reversal_min_dice: float = 0.6  # a reversal is read only where the rest of the sentence is the same


THRESHOLDS = AuditThresholds()

_CAVEAT = re.compile(
    r"\b(?:denied|denies|deny|denial|rejected|rejects|refuted|disputed|disputes|declined to comment|"
    r"did not (?:immediately )?respond|did not (?:immediately )?return|could not be (?:reached|verified)|"
    r"not (?:be )?independently verified|no evidence|however|although|insisted|insists|"
    r"responded|in a statement|unclear|not yet known|has not been confirmed|cautioned)\b",
    re.IGNORECASE,
)
_AGENCY = (r"(?:Reuters|Associated Press|AP|AFP|Agence France-Presse|Bloomberg|dpa|Xinhua|Kyodo|ANSA|EFE|"
           r"PA Media|Press Association|UPI|BBC|CNN)")
# where a text credits the report it carries: a dateline "(Reuters)", a credit line ("with files
# from The Associated Press", "excerpts from a Reuters report", "Source: AFP", "AP contributed",
# "- Reuters" at a line's end).  A mere mention is no credit: "told the BBC" (an interviewer),
# "BBC Sport", "AP McCoy", "(AP Photo/...)"; nor is "according to AFP", which sources one
# sentence (a hedge the copy keeps or drops with that sentence), not the whole text.
_CREDITS = re.compile(
    rf"\(\s*({_AGENCY})\s*\)"
    rf"|(?i:with files from|excerpts? from|adapted from|(?:additional )?reporting (?:by|from)|source:|copyright|©)"
    rf"\s+(?:(?i:the|an?)\s+)?({_AGENCY})\b(?!\s*(?i:photo))"
    rf"|\b({_AGENCY})\s+(?i:contributed)"
    rf"|[-–—]\s*({_AGENCY})\s*$",
    re.MULTILINE,
)
# words that limit how far a claim reaches: dropped from between words the copy keeps, they widen it
# ("harass rather than kill en masse US troops" -> "harass rather than kill US troops")
_QUALIFIERS = tuple(q.split() for q in (
    "en masse", "only", "solely", "partly", "partially", "in part", "largely", "mostly", "mainly",
    "primarily", "at times", "sometimes", "occasionally", "rarely", "slightly", "somewhat",
    "temporarily", "initially", "briefly"))
_OPINION = re.compile(r"\b(?:should|must|need to|needs to|ought|shame|disgrace|outrage|unacceptable|demand)\b", re.IGNORECASE)
# a writer's own comment on the story (what it means, what should follow), not a report of it
_COMMENTARY = re.compile(
    r"\b(?:rais(?:es|ed|ing) (?:concerns|questions|fears)|prompting|"
    r"highlight(?:s|ed|ing) the (?:need|importance|risks?)|remains to be seen|serves? as a reminder|"
    r"it is (?:crucial|important|essential|vital|imperative)|reassess(?:ment|ing)?)\b",
    re.IGNORECASE,
)
_YEAR = range(1800, 2101)
Encode = Callable[[list[str]], np.ndarray]


def _is_year(q: Quantity) -> bool:
    return q.hedge is None and not q.percent and q.value == int(q.value) and int(q.value) in _YEAR


_UNIT = re.compile(r"(-[A-Za-z]+(?:-[A-Za-z]+)*)|\s*([A-Za-z]+)")


def _unit(text: str, q: Quantity) -> str | None:
    """What a number counts, as the word after it says: "drones" in "40 drones", "year-old" in
    "19-year-old", "pm" in "3 pm" (a plural's "s" dropped).  Two numbers are one claim changed
    only if they count the same thing; "3 pm" is no edit of "two-year-old".  A sum of money
    or a share is counted by its currency or its percent sign."""
    if q.percent:
        return "%"
    if cur := re.search(r"[$£€]", text[q.start:q.end]):
        return cur.group()
    m = _UNIT.match(text, q.end)
    if m is None:
        return None
    word = (m.group(1) or m.group(2)).lower().lstrip("-")
    if word in STOPWORDS:  # "2026 and", "40 of": the number's thing is not said
        return None
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _same_thing(a: str | None, b: str | None) -> bool:
    """Do two numbers' units (``_unit``) allow them to count the same thing?"""
    return a is None or b is None or a == b


def _snippet(text: str, span: tuple[int, int] | None) -> str:
    return "" if span is None else text[span[0] : span[1]]


class _Auditor:
    def __init__(self, derived: Document, sources: list[Document], passages: list[list[Passage]],
                 t: AuditThresholds, encode: Encode | None, summary: bool):
        self.t = t
        self.encode = encode
        self.summary = summary
        self.d = Sentences.of(derived)
        self.s = [Sentences.of(doc) for doc in sources]
        self.source_texts = [doc.text for doc in sources]
        self.links = link_sentences(self.d, self.s, passages)
        self.passages = passages
        self.findings: list[Finding] = []
        self.source_numbers = [{q.claim() for q in find_quantities(src.doc.text)} for src in self.s]
        self.derived_numbers = {q.claim() for q in find_quantities(derived.text)}
        self._quantities: dict[tuple[int, int], list[Quantity]] = {}
        self._speakers: dict[tuple[int, int], list[Speaker]] = {}
        # the sources' own names for themselves (outlet, title) are theirs too: "(BBC News)"
        self.source_forms = name_forms("\n".join(
            "\n".join(x for x in (src.doc.text, src.doc.source, src.doc.title) if x) for src in self.s))

    # -- helpers ---------------------------------------------------------------------------
    def add(self, kind, severity, k: int, dspan, sspan, explanation: str) -> None:
        src = self.s[k].doc
        self.findings.append(
            Finding(
                derived=self.d.doc.id,
                source=src.id,
                kind=kind,
                severity=severity,
                derived_span=dspan,
                source_span=sspan,
                derived_text=_snippet(self.d.doc.text, dspan),
                source_text=_snippet(src.text, sspan),
                explanation=explanation,
            )
        )

    def quantities(self, side: int, j: int) -> list[Quantity]:
        """The quantities of sentence ``j`` of the derived text (``side`` -1) or of source
        ``side``, read once however many checks ask."""
        key = (side, j)
        if key not in self._quantities:
            sents = self.d if side < 0 else self.s[side]
            self._quantities[key] = find_quantities(sents.doc.text, *sents.spans[j])
        return self._quantities[key]

    def speakers_in(self, side: int, j: int) -> list[Speaker]:
        """The speakers of sentence ``j`` of the derived text (``side`` -1) or of source
        ``side``, a pronoun read against the sentence before; read once however many checks ask."""
        key = (side, j)
        if key not in self._speakers:
            sents = self.d if side < 0 else self.s[side]
            self._speakers[key] = find_speakers(sents.doc.text, *sents.spans[j], sents.spans[j - 1][0] if j else None)
        return self._speakers[key]

    def close(self, link: SentenceLink) -> bool:
        return link.dice >= self.t.same_statement or (link.by_passage and link.dice >= self.t.same_statement_by_passage)

    # -- checks over linked sentences -------------------------------------------------------
    def numbers(self, i: int, link: SentenceLink) -> None:
        dt, st = self.d.doc.text, self.s[link.source].doc.text
        dq, sq = self.quantities(-1, i), self.quantities(link.source, link.sentence)
        left_s = list(sq)
        left_d = list(dq)
        # a number kept pairs with its own first ("Article 50 ... 50 amendments"), then with any
        for own_unit in (True, False):
            for q in list(left_d):
                same = next((x for x in left_s if x.claim() == q.claim()
                             and (not own_unit or _unit(st, x) == _unit(dt, q))), None)
                if same is not None:
                    left_s.remove(same)
                    left_d.remove(q)
        for q in left_d:
            hedged = next((x for x in left_s if x.value == q.value and x.percent == q.percent), None)
            if hedged is not None:
                left_s.remove(hedged)
                self.add("number_changed", "high", link.source, (q.start, q.end), (hedged.start, hedged.end),
                         f"the source says “{st[hedged.start:hedged.end]}”, the copy “{dt[q.start:q.end]}”: the hedge on the number changed")
                continue
            rival = next((x for x in left_s if _is_year(x) == _is_year(q) and x.percent == q.percent
                          and _same_thing(_unit(st, x), _unit(dt, q))), None)
            if rival is None:
                continue
            # a number moved from elsewhere in the source, or kept elsewhere in the copy, is
            # restructuring, unless the two sentences are the same but for it
            moved = q.claim() in self.source_numbers[link.source] or rival.claim() in self.derived_numbers
            if moved and link.dice < self.t.same_but_for_number:
                continue
            left_s.remove(rival)
            self.add("number_changed", "high", link.source, (q.start, q.end), (rival.start, rival.end),
                     f"the source says “{st[rival.start:rival.end]}”, the copy “{dt[q.start:q.end]}”")

    def hedges(self, i: int, link: SentenceLink) -> None:
        dt, st = self.d.doc.text, self.s[link.source].doc.text
        src = self.s[link.source]
        ds, de = self.d.spans[i]
        ss, se = src.spans[link.sentence]
        dh, sh = find_hedges(dt, ds, de), find_hedges(st, ss, se)
        dk, sk = {h.kind for h in dh}, {h.kind for h in sh}
        # a hedge moved to the next sentence is still there
        near_d = self.d.spans[max(0, i - 1)][0], self.d.spans[min(len(self.d.spans) - 1, i + 1)][1]
        near_s = src.spans[max(0, link.sentence - 1)][0], src.spans[min(len(src.spans) - 1, link.sentence + 1)][1]
        around_d = {h.kind for h in find_hedges(dt, *near_d)}
        around_s = {h.kind for h in find_hedges(st, *near_s)}
        for h in sh:
            if h.kind not in dk and h.kind not in around_d and self._keeps_clause(st, (ss, se), h, self.d.content[i]):
                self.add("hedge_changed", "medium", link.source, (ds, de), (h.start, h.end),
                         f"the source hedges with “{st[h.start:h.end]}”; the copy states it without that hedge")
                return
        for h in dh:
            if h.kind not in sk and h.kind not in around_s and self._keeps_clause(dt, (ds, de), h, src.content[link.sentence]):
                self.add("hedge_changed", "low", link.source, (h.start, h.end), (ss, se),
                         f"the copy adds the hedge “{dt[h.start:h.end]}”, which the source does not have")
                return

    def _keeps_clause(self, text: str, sentence: tuple[int, int], hedge: Hedge, other: frozenset[str]) -> bool:
        """Do both sentences make the claim a hedge of one of them qualifies?  At least two of
        the content words on either side of it (``hedge_clause_words`` each way) must be in the
        other sentence: a hedge in a clause the other left out, or wrote anew, was not dropped
        or added to anything they share.  An attribution ("according to ...") qualifies its
        whole sentence, which the link keeps."""
        if hedge.kind == "source":
            return True
        n = self.t.hedge_clause_words
        before = [w for w in word_keys(text[sentence[0]:hedge.start]) if w not in STOPWORDS][-n:]
        after = [w for w in word_keys(text[hedge.end:sentence[1]]) if w not in STOPWORDS][:n]
        return len(set(before + after) & other) >= 2

    def speakers(self, i: int, link: SentenceLink, quoted: bool) -> None:
        dt, st = self.d.doc.text, self.s[link.source].doc.text
        ds, de = self.d.spans[i]
        ss, se = self.s[link.source].spans[link.sentence]
        dsp, ssp = self.speakers_in(-1, i), self.speakers_in(link.source, link.sentence)
        if not dsp or not ssp:
            return
        kept, said = {s.key for s in dsp}, {s.key for s in ssp}
        outer = trailing_speaker(st, ssp, se)
        # the copy keeps an inner speaker, or makes the claim's own subject its speaker
        # ("Tehran would not interfere, the officials told him, the politician said" -> "Tehran indicated")
        named = {n.key for n in find_names(st, ss, se)}
        if not quoted and outer is not None and len(said) > 1 and kept <= said | named and outer.key not in kept:
            self.add("hedge_changed", "medium", link.source, (ds, de), (outer.start, outer.end),
                     f"the source has this second-hand, through “{st[outer.start:outer.end]}”; the copy drops that sourcing")
            return
        if speakers_agree(dsp, ssp):
            return
        a, b = dsp[0], ssp[0]
        kind = "quote_altered" if quoted else "attribution_changed"
        what = "the quotation is given to" if quoted else "the claim is attributed to"
        self.add(kind, "high" if quoted else "medium", link.source, (a.start, a.end), (b.start, b.end),
                 f"{what} “{dt[a.start:a.end]}”; the source has “{st[b.start:b.end]}”")

    def qualifiers(self, i: int, link: SentenceLink) -> None:
        """A qualifier (``_QUALIFIERS``) of the source sentence that the copy drops while it
        keeps the two words on each side of it, joined: the claim now reaches further."""
        src = self.s[link.source]
        ss, _ = src.spans[link.sentence]
        ds, _ = self.d.spans[i]
        sw, dw = tokenize(src.text(link.sentence)), tokenize(self.d.text(i))
        joined = " ".join(dw.keys)
        for q in _QUALIFIERS:
            n = len(q)
            for k in range(2, len(sw.keys) - n - 1):
                if sw.keys[k:k + n] != q:
                    continue
                left, right = sw.keys[k - 2:k], sw.keys[k + n:k + n + 2]
                if f" {' '.join(q)} " in f" {joined} " or f" {' '.join(left + right)} " not in f" {joined} ":
                    continue
                at = next(x for x in range(len(dw.keys) - 3) if dw.keys[x:x + 4] == left + right)
                self.add("omission", "medium", link.source, (ds + int(dw.starts[at]), ds + int(dw.ends[at + 3])),
                         (ss + int(sw.starts[k]), ss + int(sw.ends[k + n - 1])),
                         f"the copy drops “{' '.join(q)}” from “{' '.join(left + q + right)}”, "
                         "so the claim reaches further than the source's")
                return

    def borrowed_speaker(self, i: int, link: SentenceLink) -> None:
        """A sentence that merges a source sentence no one is cited for, the source's own
        speculation (“may have helped”), with the next one, and gives both to the speaker the
        source cites for that one: the copy lends the speaker's authority to the source's
        own judgment."""
        dt = self.d.doc.text
        dsp = self.speakers_in(-1, i)
        if not dsp:
            return
        src = self.s[link.source]
        st = src.doc.text
        claim = self.d.content[i] - {w for s in dsp for w in word_keys(dt[s.start:s.end])}
        scores = [dice(claim, c) for c in src.content]

        def speakers_of(x: int):
            return self.speakers_in(link.source, x)

        keys = {s.key for s in dsp}
        for j in sorted(range(len(scores)), key=lambda x: -scores[x]):
            if scores[j] < self.t.same_statement_by_passage:
                return
            hedges = find_hedges(st, *src.spans[j])
            if speakers_of(j) or any(h.kind == "source" for h in hedges) or not any(h.kind == "possibility" for h in hedges):
                continue  # someone is cited for it, or it is no judgment of the source's own
            # the claim holds what only j says and what only the cited sentence says: a merge
            cited = [x for x in (j - 1, j + 1) if 0 <= x < len(src.spans)
                     and scores[x] >= self.t.same_statement_by_passage and keys & {s.key for s in speakers_of(x)}
                     and min(len(claim & (src.content[j] - src.content[x])),
                             len(claim & (src.content[x] - src.content[j]))) >= self.t.merged_words]
            if cited:
                a = dsp[0]
                self.add("attribution_changed", "medium", link.source, (a.start, a.end), src.spans[j],
                         f"the copy credits “{dt[a.start:a.end]}” with the source's own judgment; "
                         "the source cites them only for the sentence next to it")
                return

    def invented_speaker(self, i: int, link: SentenceLink) -> None:
        """A sentence reworded too far for its speakers to be compared one to one, that gives
        its claim to a kind of source (“experts warn”) its sources never mention, where the
        linked source sentence has a speaker of its own."""
        dt, st = self.d.doc.text, self.s[link.source].doc.text
        ds, de = self.d.spans[i]
        new = uncited_kinds(find_speakers(dt, ds, de), self.source_texts)
        ssp = [s for s in self.speakers_in(link.source, link.sentence) if not new or s.key != new[0].key]
        if new and ssp:
            a, b = new[0], ssp[0]
            self.add("attribution_changed", "medium", link.source, (a.start, a.end), (b.start, b.end),
                     f"the claim is attributed to “{dt[a.start:a.end]}”, whom the source never cites; "
                     f"the source has “{st[b.start:b.end]}”")

    def meaning(self, i: int, link: SentenceLink) -> bool:
        """A negation added or dropped, or a word swapped for its opposite, in a sentence that
        otherwise says the same as its source sentence."""
        if link.dice < self.t.reversal_min_dice:
            return False  # a rewritten sentence moves its negations around ("neither... nor" -> "both avoid")
        src = self.s[link.source]
        dt, st = self.d.text(i), src.text(link.sentence)
        dw, sw = self.d.words[i], src.words[link.sentence]
        # "more than 700" -> "fewer than 700", "at least 40" -> "no fewer than 40": the number's
        # finding (or none), not a reversal
        in_numbers = {w for text, found in ((self.d.doc.text, self.quantities(-1, i)),
                                            (src.doc.text, self.quantities(link.source, link.sentence)))
                      for q in found for w in word_keys(text[q.start:q.end])}
        swapped = [(a, b) for a, b in opposites(dw, sw) if a not in in_numbers and b not in in_numbers]
        if swapped:
            d_word, s_word = swapped[0]
            self.add("meaning_reversed", "high", link.source, self.d.spans[i], src.spans[link.sentence],
                     f"the copy says “{d_word}” where the source says “{s_word}”")
            return True
        if not 2 / 3 <= len(dw) / max(1, len(sw)) <= 3 / 2:
            return False  # sentences of different extent: a negation may lie in what only one covers
        nd = negations(tuple(w for w in dw if w not in in_numbers), dt)
        ns = negations(tuple(w for w in sw if w not in in_numbers), st)
        if nd != ns:
            what = "negates what the source asserts" if nd > ns else "asserts what the source negates"
            self.add("meaning_reversed", "high", link.source, self.d.spans[i], src.spans[link.sentence],
                     f"the copy {what}")
            return True
        return False

    def names(self, i: int, link: SentenceLink) -> None:
        """A name the source never uses: in place of one of the linked source sentence that this
        sentence lacks (``entity_changed``), or an invented detail (``unsupported_addition``)."""
        src = self.s[link.source]
        dt, st = self.d.doc.text, src.doc.text
        here = find_names(dt, *self.d.spans[i])
        new = [n for n in here if not supported(n.key, self.source_forms)]
        borrowed = False
        if not new and link.dice >= self.t.reversal_min_dice:
            # a name from elsewhere in the source, put into a sentence otherwise the same
            sentence_forms = name_forms(src.text(link.sentence))
            new = [n for n in here if not supported(n.key, sentence_forms)]
            borrowed = True
        if not new:
            return
        # names of the source sentence this sentence lacks, or has fewer times ("Bulford Kiwi,
        # on Bulford Hill" -> "Bulford Kiwi, on Winnipeg Hill" drops one of two)
        left = Counter(n.key for n in here)
        forms = name_forms(self.d.text(i))
        dropped = []
        for m in find_names(st, *src.spans[link.sentence]):
            if left[m.key] > 0:
                left[m.key] -= 1
            elif m.key in left or m.key not in forms:
                dropped.append(m)
        n = new[0]
        if dropped:
            m = dropped[0]
            self.add("entity_changed", "high", link.source, (n.start, n.end), (m.start, m.end),
                     f"the copy has “{dt[n.start:n.end]}” where the source has “{st[m.start:m.end]}”")
        elif not borrowed:
            self.add("unsupported_addition", "medium", link.source, (n.start, n.end), src.spans[link.sentence],
                     f"the copy names “{dt[n.start:n.end]}”, which the source never mentions")

    # -- quotations -------------------------------------------------------------------------
    def quotations(self) -> set[int]:
        """Check every quotation; return the sentences whose quotes were reported."""
        dt = self.d.doc.text
        reported: set[int] = set()
        source_quotes = [find_quotations(src.doc.text) for src in self.s]
        source_words = [tuple(w for ws in src.words for w in ws) for src in self.s]
        for q in find_quotations(dt):
            i = next((n for n, (s, e) in enumerate(self.d.spans) if s <= q.start < e), None)
            if any(quote_is_faithful(dt, q, sq) for sq in source_quotes):
                continue
            link = self.links.get(i) if i is not None else None
            order = [link.source] + [k for k in range(len(self.s)) if k != link.source] if link else range(len(self.s))
            for k in order:
                aligned = self.s[k].words[link.sentence] if link and link.source == k else ()
                why = explain_quote(dt, q, source_quotes[k], source_words[k], aligned)
                if why is not None:
                    self.add("quote_altered", "high", k, (q.start, q.end), why.source_span, why.why)
                    if i is not None:
                        reported.add(i)
                    break
        return reported

    # -- whole text -------------------------------------------------------------------------
    def additions(self) -> None:
        t = self.t
        candidates = []
        for i, c in enumerate(self.d.content):
            if len(c) < t.addition_min_words:
                continue
            link = self.links.get(i)
            if link is not None and (link.by_passage or link.dice >= t.addition_max_dice):
                continue
            if share_found(c, self.s) >= t.addition_max_found:
                continue
            candidates.append(i)
        if not candidates:
            return
        cosine = self._best_cosines(candidates)
        limit = t.addition_max_cosine if self.encode is not None else t.addition_max_cosine_static
        for i, cos in zip(candidates, cosine):
            if cos >= limit:
                continue
            text = self.d.text(i)
            new = [q for q in self.quantities(-1, i) if all(q.value not in {c[0] for c in nums} for nums in self.source_numbers)]
            if (self.summary and not new and not _COMMENTARY.search(text)
                    and all(supported(n.key, self.source_forms) for n in find_names(self.d.doc.text, *self.d.spans[i]))):
                continue  # a summary generalises: only specifics the source lacks, or its own comment, are invented
            severity = "high" if new or _OPINION.search(text) else "medium"
            k = self.links[i].source if i in self.links else 0
            self.add("unsupported_addition", severity, k, self.d.spans[i], None,
                     "nothing in the source supports this sentence" + (" (it states numbers the source lacks)" if new else ""))

    def _best_cosines(self, sentences: list[int]) -> list[float]:
        """Highest static-vector cosine of each derived sentence to any source sentence."""
        from ..embed import static_encoder

        encode = self.encode or static_encoder().encode
        source_texts = [src.text(j) for src in self.s for j in range(len(src.spans))]
        if not source_texts:
            return [0.0] * len(sentences)
        a = encode([self.d.text(i) for i in sentences])
        b = encode(source_texts)
        return [float(x) for x in np.max(a @ b.T, axis=1)]

    def omissions(self) -> None:
        t = self.t
        kept = {(l.source, l.sentence) for l in self.links.values() if l.dice >= t.omission_max_dice}
        for k, src in enumerate(self.s):
            n = len(src.spans)
            for j in range(n):
                if (k, j) in kept or not _CAVEAT.search(src.text(j)):
                    continue
                near = [(k, x) for x in range(max(0, j - t.omission_neighbourhood), min(n, j + t.omission_neighbourhood + 1)) if x != j]
                if sum(1 for x in near if x in kept) < 2:
                    continue  # the copy left this whole stretch out: shortening, not omission
                if max((dice(src.content[j], c) for c in self.d.content), default=0.0) >= t.omission_max_dice:
                    continue
                self.add("omission", "medium", k, None, src.spans[j],
                         "the copy keeps the sentences around this one but drops it, and it carries a caveat, denial or response")

    def credit(self) -> None:
        dt = self.d.doc.text
        for k, src in enumerate(self.s):
            names = {next(g for g in m if g) for m in _CREDITS.findall(src.doc.text)}
            if src.doc.source:
                names.add(src.doc.source)
            if not names:
                continue
            # the copy may credit the outlet by any name the source gives it ("told the BBC")
            named = names | set(re.findall(rf"\b{_AGENCY}\b", src.doc.text))
            if any(re.search(rf"\b{re.escape(n)}\b", dt, re.IGNORECASE) for n in named):
                return
            shown = ", ".join(sorted(names))
            self.add("missing_credit", "low", k, None, None,
                     f"the copy reuses this source but names none of its credits ({shown})")
            return

    def run(self, credit: bool) -> list[Finding]:
        quoted = self.quotations()
        for i, link in sorted(self.links.items()):
            if i not in quoted:
                self.borrowed_speaker(i, link)
            if not self.close(link):
                if link.dice >= self.t.related_statement and i not in quoted:
                    self.invented_speaker(i, link)
                continue
            self.numbers(i, link)
            if i not in quoted:  # a word changed inside a quotation is the quotation's finding
                if not self.meaning(i, link):
                    self.hedges(i, link)
                self.names(i, link)
                self.qualifiers(i, link)
            self.speakers(i, link, quoted=i in quoted)
        self.additions()
        if not self.summary:  # a summary drops most of its source by design
            self.omissions()
        if credit:
            self.credit()
        return self.findings


def audit_document(
    derived: Document,
    sources: list[Document],
    passages: list[list[Passage]] | None = None,
    *,
    check_credit: bool = True,
    summary: bool = False,
    encode: Encode | None = None,
    thresholds: AuditThresholds = THRESHOLDS,
) -> list[Finding]:
    """What ``derived`` changed, invented or dropped against ``sources`` (the documents it was
    made from; ``passages[k]``: the aligned passages of ``derived`` with ``sources[k]``).

    ``summary``: the derived text condenses its source, so dropped material is not reported;
    ``encode``: the sentence encoder that judges whether a sentence has support (the
    transformer in full mode; static vectors when ``None``)."""
    if not sources:
        return []
    passages = passages or [[] for _ in sources]
    return _Auditor(derived, sources, passages, thresholds, encode, summary).run(check_credit)
