"""Category suggestions for residents' messages: TF-IDF + linear SVM, trained per county.

Recipe "D2" from the issue-7 study (5-fold CV on 495 real messages: macro-F1 ≈ 0.89, against
≈ 0.70 for one char n-gram block): four TF-IDF blocks — char 1–2-grams and jieba words over
"title。detail" and again over the title alone (titles carry the topic; counting them twice
weights them) — L2-normalised together, a class-balanced LinearSVC (C=1), and every level-3
category name of the county's taxonomy added as one extra training document of its level-1
class (the tree names exactly the things residents write about, e.g. 物业管理 → 城乡建设).
Everything runs offline: jieba ships its dictionary; no pretrained model is used.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from minqing.textanalysis.datasets import Message, TaxonomyRow

# Softmax temperature over SVM decision values: margins sit around ±1, so 0.1 spreads them
# into usable confidences (the study's ECE ≈ 0.09 at this value).
TEMPERATURE = 0.1
OTHER = "其他"  # catch-all tree leaves name nothing; as documents they would only add noise

_LETTERS = re.compile(r"[A-Za-z]+\d*")
_DIGITS = re.compile(r"\d+")
_PUNCT = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Anonymised codes ("A3区") and numbers collapse, so "A市" and "B市" look alike."""
    return _DIGITS.sub("0", _LETTERS.sub("A", text))


_jieba: object | None = None


def words(text: str) -> list[str]:
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)  # its start-up chatter is not ours to print
        jieba.initialize()
        _jieba = jieba
    return [w for w in _jieba.lcut(text) if w.strip() and not _PUNCT.fullmatch(w)]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Block:
    kind: str  # "char" | "word"
    field: str  # "all" (title。detail) | "title"
    ngram: tuple[int, int]


BLOCKS = (
    Block("char", "all", (1, 2)),
    Block("char", "title", (1, 2)),
    Block("word", "all", (1, 1)),
    Block("word", "title", (1, 1)),
)


def _text(title: str, detail: str, which: str) -> str:
    return normalise(title if which == "title" else f"{title}。{detail}")


@dataclass(frozen=True)
class Suggestion:
    label: str
    confidence: float


@dataclass(frozen=True)
class Prediction:
    suggestions: list[Suggestion]  # best first
    cues: list[str]  # grams present in the text that pushed hardest for the top label


def taxonomy_documents(
    taxonomy: Iterable[TaxonomyRow], labels: set[str]
) -> list[tuple[str, str, str]]:
    """One (title, detail, label) per level-3 name whose level-1 class is being learned."""
    return [
        (row.level3, row.level3, row.level1)
        for row in taxonomy
        if row.level1 in labels and row.level3 and row.level3 != OTHER
    ]


@dataclass
class TextClassifier:
    C: float = 1.0
    blocks: Sequence[Block] = BLOCKS
    vectorizers: list[TfidfVectorizer] = field(default_factory=list, repr=False)
    svm: LinearSVC | None = field(default=None, repr=False)
    n_taxonomy_docs: int = 0
    feature_names: list[str] = field(default_factory=list, repr=False)

    @property
    def labels(self) -> list[str]:
        assert self.svm is not None, "fit first"
        return [str(c) for c in self.svm.classes_]

    def _analyzer(self, block: Block) -> str | Callable[[str], list[str]]:
        return "char" if block.kind == "char" else words

    def _matrix(self, titles: Sequence[str], details: Sequence[str]) -> sp.csr_matrix:
        parts = [
            v.transform([_text(t, d, b.field) for t, d in zip(titles, details, strict=True)])
            for b, v in zip(self.blocks, self.vectorizers, strict=True)
        ]
        return normalize(sp.hstack(parts).tocsr())

    def fit(
        self, messages: Sequence[Message], taxonomy: Iterable[TaxonomyRow] = ()
    ) -> TextClassifier:
        labels = [m.label for m in messages]
        if len(set(labels)) < 2:
            raise ValueError("训练集至少需要两个分类。Training needs at least two labels.")
        titles = [m.title for m in messages]
        details = [m.detail for m in messages]
        # Vocabulary and IDF come from the messages only (as in the study): taxonomy names
        # reuse the message vocabulary, they do not reshape the IDF.
        self.vectorizers = []
        for b in self.blocks:
            v = TfidfVectorizer(
                analyzer=self._analyzer(b), ngram_range=b.ngram, sublinear_tf=True,
                dtype=np.float32,
            )  # fmt: skip
            v.fit([_text(t, d, b.field) for t, d in zip(titles, details, strict=True)])
            self.vectorizers.append(v)
        self.feature_names = [str(n) for v in self.vectorizers for n in v.get_feature_names_out()]
        X = self._matrix(titles, details)
        docs = taxonomy_documents(taxonomy, set(labels))
        self.n_taxonomy_docs = len(docs)
        if docs:
            X = sp.vstack([X, self._matrix([d[0] for d in docs], [d[1] for d in docs])]).tocsr()
            labels = labels + [d[2] for d in docs]
        # random_state pins liblinear's coordinate order, so a retrain gives the same model.
        self.svm = LinearSVC(C=self.C, class_weight="balanced", random_state=0)
        self.svm.fit(X, np.array(labels))
        return self

    def probabilities(self, titles: Sequence[str], details: Sequence[str]) -> np.ndarray:
        assert self.svm is not None, "fit first"
        Z = self.svm.decision_function(self._matrix(titles, details))
        if Z.ndim == 1:  # two classes: liblinear returns one margin for classes_[1]
            Z = np.column_stack([-Z, Z])
        Z = (Z - Z.max(axis=1, keepdims=True)) / TEMPERATURE
        E = np.exp(Z)
        return E / E.sum(axis=1, keepdims=True)

    def predict_labels(self, titles: Sequence[str], details: Sequence[str]) -> list[str]:
        labels = self.labels
        return [labels[i] for i in self.probabilities(titles, details).argmax(axis=1)]

    def predict(self, title: str, detail: str = "", k: int = 3, n_cues: int = 5) -> Prediction:
        P = self.probabilities([title], [detail])[0]
        order = np.argsort(-P)[:k]
        labels = self.labels
        top = [Suggestion(labels[i], float(P[i])) for i in order]
        return Prediction(top, self._cues(title, detail, int(order[0]), n_cues))

    def _cues(self, title: str, detail: str, cls: int, n: int) -> list[str]:
        """Features of this text with the largest positive contribution to class `cls`."""
        assert self.svm is not None
        x = self._matrix([title], [detail])
        coef = self.svm.coef_[cls] if self.svm.coef_.shape[0] > 1 else self.svm.coef_[0]
        if self.svm.coef_.shape[0] == 1 and cls == 0:
            coef = -coef
        contrib = x.data * coef[x.indices]
        names = self.feature_names
        cues: list[str] = []
        for j in np.argsort(-contrib):
            if contrib[j] <= 0 or len(cues) >= n:
                break
            # A char bigram may straddle punctuation ("上。"); highlight only the words.
            term = _PUNCT.sub("", names[x.indices[j]])
            if term and term not in cues:
                cues.append(term)
        return cues
