"""Stories: documents connected by reuse, or by reporting one event with some confidence.

Reuse links always join; a ``same_event`` link joins only at ``min_event_confidence``, and a
weak ``same_event`` link that alone holds two groups of documents together (a bridge with at
least two documents on each side) is cut: a chain of weak look-alikes would otherwise glue
unrelated stories into one.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import networkx as nx

from ..model import Pair


def group_stories(
    document_ids: Sequence[str],
    pairs: Iterable[Pair],
    min_event_confidence: float = 0.6,
    strong_event_confidence: float = 0.8,
) -> list[list[str]]:
    """Stories of two or more documents, each sorted, largest first (ties by first id)."""
    graph = nx.Graph()
    graph.add_nodes_from(document_ids)
    for p in pairs:
        if p.relation == "same_event" and p.confidence < min_event_confidence:
            continue
        graph.add_edge(p.a, p.b, weak=p.relation == "same_event" and p.confidence < strong_event_confidence)
    for u, v in list(nx.bridges(graph)):
        if not graph.edges[u, v]["weak"]:
            continue
        graph.remove_edge(u, v)
        if len(nx.node_connected_component(graph, u)) < 2 or len(nx.node_connected_component(graph, v)) < 2:
            graph.add_edge(u, v, weak=True)  # it holds a single document on: keep it
    stories = [sorted(c) for c in nx.connected_components(graph) if len(c) > 1]
    return sorted(stories, key=lambda c: (-len(c), c[0]))
