"""The graph core: pure analysis of one user's relationship network, no I/O.

`facts` holds the plain rows the database layer loads, `strength` turns interactions
into explainable tie strengths, and `network` builds an immutable networkx graph from
those facts and answers every graph question (paths, mutual connections, communities,
centrality, link suggestions, ties going cold). Every formula and default is written
up for API users in docs/graph.md.
"""
